"""The Team page (/marketing/team) and the invitation link. Thin: ``team.py`` does the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import team
from .models import Invitation, Membership
from .roles import Action, request_membership, role_required

ROLE_HELP = {
    Membership.Role.OWNER: "Everything, including connections, the team and the settings.",
    Membership.Role.EDITOR: "Creates, edits, schedules and publishes posts; manages banners.",
    Membership.Role.CONTRIBUTOR: "Uploads and drafts, and submits for approval; sees "
    "everything else read-only.",
}


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email")
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial="contributor")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class NewAccountForm(forms.Form):
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        elif first:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(username=self.email, email=self.email)
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return redirect("team")


@require_GET
@role_required(Action.VIEW)
def team_page(request: HttpRequest) -> HttpResponse:
    """Members and open invitations; owners also get the forms to change them."""
    return _render_team(request, InviteForm())


def _render_team(request: HttpRequest, form: InviteForm, status: int = 200) -> HttpResponse:
    organization = request.organization
    members = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__username")
    )
    invitations = Invitation.objects.for_org(organization).filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )
    return render(
        request,
        "marketing/team.html",
        {
            "members": members,
            "invitations": invitations,
            "form": form,
            "roles": Membership.Role.choices,
            "role_help": ROLE_HELP,
            "me": request_membership(request),
        },
        status=status,
    )


@require_POST
@role_required(Action.MANAGE_TEAM)
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = team.invitation_create(
                by=request_membership(request),
                base_url=_base_url(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works once, for 7 days.",
            )
            return redirect("team")
    return _render_team(request, form, status=400)


def _invitation_or_404(request: HttpRequest, pk: int) -> Invitation:
    invitation = Invitation.objects.for_org(request.organization).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation in this dealership.")
    return invitation


def _member_or_404(request: HttpRequest, pk: int) -> Membership:
    membership = (
        Membership.objects.filter(organization=request.organization, pk=pk)
        .select_related("user", "organization")
        .first()
    )
    if membership is None:
        raise Http404("No such member in this dealership.")
    return membership


@require_POST
@role_required(Action.MANAGE_TEAM)
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation_or_404(request, pk)
    try:
        team.invitation_resend(
            by=request_membership(request), invitation=invitation, base_url=_base_url(request)
        )
    except ValidationError as error:
        return _refused(request, error)
    messages.success(request, f"Sent the invitation to {invitation.email} again, for 7 days.")
    return redirect("team")


@require_POST
@role_required(Action.MANAGE_TEAM)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation_or_404(request, pk)
    try:
        team.invitation_revoke(by=request_membership(request), invitation=invitation)
    except ValidationError as error:
        return _refused(request, error)
    messages.success(request, f"Withdrew the invitation of {invitation.email}.")
    return redirect("team")


@require_POST
@role_required(Action.MANAGE_TEAM)
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _member_or_404(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, ValidationError("Choose Owner, Editor or Contributor."))
    try:
        team.membership_change_role(
            by=request_membership(request), membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        return _refused(request, error)
    messages.success(
        request, f"{membership.user.get_username()} is now {membership.get_role_display()}."
    )
    return redirect("team")


@require_POST
@role_required(Action.MANAGE_TEAM)
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _member_or_404(request, pk)
    try:
        team.membership_remove(by=request_membership(request), membership=membership)
    except ValidationError as error:
        return _refused(request, error)
    messages.success(
        request,
        f"{membership.user.get_username()} no longer belongs to {request.organization.name}.",
    )
    if membership.user_id == request.user.pk:
        return redirect("media_content:library")
    return redirect("team")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: set a password, or join with the account the email already has."""
    try:
        invitation = team.invitation_from_token(token)
    except team.InvitationInvalid as error:
        return _invalid(request, error)
    existing = team.existing_account(email=invitation.email)
    signed_in = request.user if request.user.is_authenticated else None
    context = {"invitation": invitation, "existing": existing, "signed_in": signed_in}
    if existing is not None:
        if signed_in is None:
            context["login_url"] = f"{reverse('login')}?next={request.path}"
        elif signed_in.pk != existing.pk:
            context["other_account"] = True
        elif request.method == "POST":
            try:
                membership = team.invitation_accept(invitation=invitation, user=signed_in)
            except team.InvitationInvalid as error:
                return _invalid(request, error)
            return _welcome(request, membership)
        return render(request, "registration/invitation.html", context)
    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # no account is left behind by a link used meanwhile
                user = team.account_for_invitation(
                    invitation=invitation, password=form.cleaned_data["password1"]
                )
                membership = team.invitation_accept(invitation=invitation, user=user)
        except ValidationError as error:
            form.add_error(None, error)
        except team.InvitationInvalid as error:
            return _invalid(request, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _welcome(request, membership)
    context["form"] = form
    return render(
        request,
        "registration/invitation.html",
        context,
        status=400 if form.is_bound else 200,
    )


def _invalid(request: HttpRequest, error: Exception) -> HttpResponse:
    return render(request, "registration/invitation.html", {"problem": str(error)}, status=410)


def _welcome(request: HttpRequest, membership: Membership) -> HttpResponse:
    from .middleware import SESSION_KEY

    request.session[SESSION_KEY] = membership.organization_id
    messages.success(
        request,
        f"Welcome to {membership.organization.name}. You are now acting for it as "
        f"{membership.get_role_display().lower()}.",
    )
    return redirect("media_content:library")
