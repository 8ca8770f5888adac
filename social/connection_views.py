"""The Connections page and Meta's dialogs: thin views over social.connections."""

import contextlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dealer_media.tenancy.roles import Action, refused, role_required

from . import connect_facebook, connect_instagram, connect_state, connections
from .connect_facebook import ConnectionRefused
from .models import ConnectionAttempt

FACEBOOK = ConnectionAttempt.Provider.FACEBOOK
INSTAGRAM = ConnectionAttempt.Provider.INSTAGRAM


def _refused(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request, "marketing/connections/refused.html", {"message": message}, status=status
    )


OWNERS_ONLY = (
    "Only an owner of this dealership can connect or disconnect Facebook and Instagram. "
    "Ask an owner to do it, or to make you an owner."
)


def _owners_only_refused(request: HttpRequest, reason: str) -> HttpResponse:
    """The Connections page's own words (and its way back); JSON when asked, as elsewhere."""
    if "application/json" in request.headers.get("Accept", ""):
        return refused(request, OWNERS_ONLY)
    return _refused(request, OWNERS_ONLY, status=403)


def owners_only(view):
    """Connections change only by the dealership's owners; editors read, and are told why."""
    return role_required(Action.CHANGE_CONNECTIONS, refuse=_owners_only_refused)(view)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def _with_meta_csp(response: HttpResponse, *, pictures: list[str] = ()) -> HttpResponse:
    """Let this page's forms go on to Meta's dialogs, and show Meta's profile pictures.

    The policy's ``form-action 'self'`` also applies to where a form's redirect
    leads, so the Connect buttons would be blocked on their way to the dialog.
    """
    dialogs = {_origin(settings.FACEBOOK_OAUTH_URL), _origin(settings.INSTAGRAM_OAUTH_URL)}
    update = {"form-action": sorted(o for o in dialogs if o)}
    images = sorted({_origin(url) for url in pictures if url} - {""})
    if images:
        update["img-src"] = images
    response._csp_update = update
    return response


def _redirect_uri(request: HttpRequest, provider: str) -> str:
    return request.build_absolute_uri(reverse(f"social:{provider}_callback"))


@require_GET
@role_required(Action.VIEW)
def connections_page(request: HttpRequest) -> HttpResponse:
    context = connections.page_state(organization=request.organization, user=request.user)
    response = render(request, "marketing/connections/page.html", context)
    pictures = [
        getattr(context["account"], "page_picture_url", ""),
        getattr(context["instagram_login"], "picture_url", ""),
    ]
    return _with_meta_csp(response, pictures=pictures)


def _to_dialog(request: HttpRequest, provider: str, *, app_id: str, missing_app: str, url_of):
    """Start an attempt and send the browser to the provider's dialog with its state."""
    if not app_id:
        messages.error(request, missing_app)
        return redirect("social:connections")
    _, state = connect_state.attempt_start(
        session=request.session,
        organization=request.organization,
        user=request.user,
        provider=provider,
    )
    return redirect(url_of(redirect_uri=_redirect_uri(request, provider), state=state))


@require_POST
@owners_only
def facebook_start(request: HttpRequest) -> HttpResponse:
    rerequest = request.POST.get("rerequest") == "1"
    return _to_dialog(
        request,
        FACEBOOK,
        app_id=settings.FACEBOOK_APP_ID,
        missing_app=connections.NO_FACEBOOK_APP,
        url_of=lambda **where: connect_facebook.dialog_url(**where, rerequest=rerequest),
    )


def _dialog_answer(request: HttpRequest, provider: str):
    """The claimed attempt, or the response that ends the callback (cancel, bad state)."""
    error = request.GET.get("error", "")
    if error:
        # Spend the state, so the same answer cannot be replayed.
        with contextlib.suppress(connect_state.BadState):
            connect_state.attempt_claim(
                session=request.session,
                organization=request.organization,
                provider=provider,
                state=request.GET.get("state", ""),
            )
        if error == "access_denied" or request.GET.get("error_reason") == "user_denied":
            messages.info(request, "You cancelled the connection; nothing changed.")
        else:
            detail = request.GET.get("error_description", "") or error
            messages.error(
                request, f"Meta did not connect the account ({detail}); nothing changed."
            )
        return redirect("social:connections")
    try:
        return connect_state.attempt_claim(
            session=request.session,
            organization=request.organization,
            provider=provider,
            state=request.GET.get("state", ""),
        )
    except connect_state.BadState as refusal:
        return _refused(request, str(refusal), status=400)


def _code_of(request: HttpRequest, provider: str):
    """``(attempt, code)`` of a good answer from the dialog, or the response that ends it."""
    attempt = _dialog_answer(request, provider)
    if isinstance(attempt, HttpResponse):
        return attempt, ""
    code = request.GET.get("code", "")
    if not code:
        words = f"{provider.title()}'s answer carries no code. Nothing changed; start again."
        return _refused(request, words, status=400), ""
    return attempt, code


@require_GET
@owners_only
def facebook_callback(request: HttpRequest) -> HttpResponse:
    attempt, code = _code_of(request, FACEBOOK)
    if isinstance(attempt, HttpResponse):
        return attempt
    try:
        connections.facebook_receive(
            attempt=attempt, code=code, redirect_uri=_redirect_uri(request, "facebook")
        )
    except ConnectionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("social:connections")
    return redirect("social:facebook_pages")


@require_http_methods(["GET", "POST"])
@owners_only
def facebook_pages(request: HttpRequest) -> HttpResponse:
    attempt = connect_state.attempt_in_progress(
        session=request.session, organization=request.organization, provider=FACEBOOK
    )
    if attempt is None:
        messages.error(
            request,
            "The choice of Page expired or was already made. Start again with “Connect Facebook”.",
        )
        return redirect("social:connections")
    try:
        picker = connections.page_picker(attempt=attempt)
    except ConnectionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("social:connections")
    if request.method == "POST":
        try:
            account = connections.facebook_choose(
                attempt=attempt,
                picker=picker,
                page_id=request.POST.get("page_id", ""),
                user=request.user,
                session=request.session,
            )
        except ConnectionRefused as refusal:
            response = render(
                request,
                "marketing/connections/pages.html",
                {**picker, "error": str(refusal)},
                status=400,
            )
            return _with_meta_csp(response, pictures=[p.picture_url for p in picker["pages"]])
        messages.success(request, connections.connected_words(account=account))
        return redirect("social:connections")
    response = render(request, "marketing/connections/pages.html", picker)
    return _with_meta_csp(response, pictures=[p.picture_url for p in picker["pages"]])


@require_POST
@owners_only
def facebook_disconnect(request: HttpRequest) -> HttpResponse:
    note = connections.facebook_disconnect(organization=request.organization)
    messages.success(request, f"Facebook disconnected. {note}".strip())
    return redirect("social:connections")


@require_POST
@owners_only
def instagram_start(request: HttpRequest) -> HttpResponse:
    return _to_dialog(
        request,
        INSTAGRAM,
        app_id=settings.INSTAGRAM_APP_ID,
        missing_app=connections.NO_INSTAGRAM_APP,
        url_of=connect_instagram.dialog_url,
    )


@require_GET
@owners_only
def instagram_callback(request: HttpRequest) -> HttpResponse:
    attempt, code = _code_of(request, INSTAGRAM)
    if isinstance(attempt, HttpResponse):
        return attempt
    try:
        login = connections.instagram_receive(
            attempt=attempt,
            code=code,
            redirect_uri=_redirect_uri(request, "instagram"),
            user=request.user,
            session=request.session,
        )
    except ConnectionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("social:connections")
    messages.success(request, f"Connected: Instagram @{login.username} by Instagram Login.")
    return redirect("social:connections")


@require_POST
@owners_only
def instagram_disconnect(request: HttpRequest) -> HttpResponse:
    note = connections.instagram_disconnect(organization=request.organization)
    messages.success(request, f"Instagram Login disconnected. {note}".strip())
    return redirect("social:connections")


@require_POST
@owners_only
def check_now(request: HttpRequest) -> HttpResponse:
    for line in connections.check_now(organization=request.organization):
        messages.info(request, line)
    return redirect("social:connections")
