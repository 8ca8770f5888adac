"""The rules of the inventory settings page: save a rule, the posting times, a caption's preview."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dealer_media.tenancy.roles import Action, role_required

from . import rules
from .models import InventoryRule
from .rule_forms import BrandColourForm, PostingTimesForm, RuleForm
from .settings_page import preview_text, settings_page


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def rule_save(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in InventoryRule.Kind.values:
        raise Http404("No such rule.")
    rule = rules.rule_for(organization=request.organization, kind=kind)
    form = RuleForm(request.POST, instance=rule)
    if not form.is_valid():
        return settings_page(request, rule_forms={kind: form}, status=400)
    try:
        rules.rule_save(organization=request.organization, kind=kind, **form.cleaned_data)
    except ValidationError as refused:
        form.add_error(None, refused)
        return settings_page(request, rule_forms={kind: form}, status=400)
    messages.success(request, f"Saved the {rule.get_kind_display()} rule.")
    return redirect(reverse("inventory:settings") + f"#rule-{kind}")


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def posting_times_save(request: HttpRequest) -> HttpResponse:
    form = PostingTimesForm(request.POST)
    if not form.is_valid():
        return settings_page(request, times_form=form, status=400)
    rules.posting_times_save(organization=request.organization, times=form.cleaned_data["times"])
    messages.success(request, "Saved the posting times.")
    return redirect("inventory:settings")


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def brand_save(request: HttpRequest) -> HttpResponse:
    """The ribbons' colour; the ribbons of posts still to go out are drawn again in it."""
    organization = request.organization
    form = BrandColourForm(request.POST, instance=organization)
    if not form.is_valid():
        organization.refresh_from_db(fields=["brand_colour"])  # the form set the bad value
        return settings_page(request, brand_form=form, status=400)
    form.save()
    messages.success(request, f"Saved the ribbons' colour, {organization.brand_colour}.")
    return redirect(reverse("inventory:settings") + "#ribbons")


@require_GET
@role_required(Action.VIEW)
def caption_preview(request: HttpRequest) -> JsonResponse:
    """The caption as a real vehicle would show it, or the template's problems in words."""
    kind = request.GET.get("kind", InventoryRule.Kind.JUST_ARRIVED)
    if kind not in InventoryRule.Kind.values:
        return JsonResponse({"error": "No such rule."}, status=400)
    template = request.GET.get("template", "")[:5000]
    return JsonResponse(
        preview_text(organization=request.organization, kind=kind, template=template)
    )
