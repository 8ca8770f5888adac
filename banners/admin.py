"""Banner admin: thumbnails, active toggle, date range, and drag-and-drop ordering.

Ordering is per dealership (django-ordered-model's ``order_with_respect_to``), so
rows can be dragged only when the list shows one dealership: a staff user of a
single dealership always, otherwise after choosing one in the filter.
"""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from dealer_media.tenancy.admin_bases import TenantModelAdmin
from dealer_media.tenancy.roles import Action
from library.form_fields import CheckedFileField

from . import services
from .models import Banner
from .services import banners_reorder

ORGANIZATION_FILTER = "organization__id__exact"
# What ``banner_create`` and ``banner_update`` take, as the portal's banner page sends them.
SERVICE_FIELDS = ("title", "image", "link_url", "start_date", "end_date", "is_active")
MAX_REORDER_IDS = 1000


class BannerAdminForm(forms.ModelForm):
    # The library's content check, as on the portal's banner page (banners/forms.py).
    image = CheckedFileField(images_only=True)

    class Meta:
        model = Banner
        fields = [
            "organization",
            "title",
            "image",
            "link_url",
            "start_date",
            "end_date",
            "is_active",
            "media_content",
        ]


class BannerChangeListForm(forms.ModelForm):
    """The list's "active" tick box, named after its banner for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "is_active" in self.fields:
            self.fields["is_active"].widget.attrs["aria-label"] = (
                f"Show “{self.instance.title}” on the website"
            )


@admin.register(Banner)
class BannerAdmin(TenantModelAdmin):
    """Banners by hand; saved and deleted through the portal's services (``banners.services``)."""

    change_action = Action.MANAGE_BANNERS
    form = BannerAdminForm
    change_list_template = "admin/banners/banner/change_list.html"
    list_display = [
        "thumbnail_preview",
        "title",
        "organization",
        "date_range",
        "is_active",
        "sort_order",
    ]
    list_display_links = ["thumbnail_preview", "title"]
    list_editable = ["is_active"]
    list_filter = ["organization", "is_active"]
    search_fields = ["title", "link_url"]
    list_select_related = ["organization"]
    list_per_page = 200
    ordering = ["organization", "sort_order"]
    fields = BannerAdminForm.Meta.fields
    # Set when a library item goes to the website (``banner_from_media``), not by hand.
    readonly_fields = ["media_content"]

    def save_model(self, request, obj, form, change):
        edited = [name for name in SERVICE_FIELDS if name in form.cleaned_data]
        if change:
            changes = {
                name: form.cleaned_data[name] for name in edited if name in form.changed_data
            }
            saved = services.banner_update(banner=obj, **changes)
        else:
            saved = services.banner_create(
                organization=obj.organization, **{name: form.cleaned_data[name] for name in edited}
            )
        obj.pk, obj.sort_order, obj.image = saved.pk, saved.sort_order, saved.image
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.banner_delete(banner=obj)

    def delete_queryset(self, request, queryset):
        for banner in queryset:
            services.banner_delete(banner=banner)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=BannerChangeListForm, **kwargs)

    # --- Reordering -------------------------------------------------------------
    def reorder_state(self, request: HttpRequest) -> dict:
        """Which dealership the list can be reordered for, or why it cannot."""
        if hasattr(request, "_banner_reorder_state"):
            return request._banner_reorder_state
        state: dict = {"organization": None, "url": "", "reason": ""}
        allowed = self.changeable_organizations(request)
        chosen = request.GET.get(ORGANIZATION_FILTER)
        organization = None
        if chosen and chosen.isdigit():
            organization = allowed.filter(pk=chosen).first()
        elif not request.user.is_superuser:
            mine = list(allowed[:2])
            organization = mine[0] if len(mine) == 1 else None
        if not self.has_change_permission(request):
            state["reason"] = "You may not change banners, so you cannot reorder them."
        elif organization is None:
            state["reason"] = (
                "To reorder banners by dragging, first choose one dealership in the "
                "“By organization” filter on the right: the order is kept per dealership."
            )
        elif "o" in request.GET:
            state["reason"] = (
                "The list is sorted by a column. Remove the sorting to reorder banners by dragging."
            )
        else:
            state["organization"] = organization
            state["url"] = reverse("admin:banners_banner_reorder", args=[organization.pk])
        request._banner_reorder_state = state
        return state

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if self.reorder_state(request)["url"]:
            columns.insert(0, "move_controls")
        return columns

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "banner_reorder": self.reorder_state(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        reorder = path(
            "reorder/<int:organization_id>/",
            self.admin_site.admin_view(self.reorder_view),
            name="banners_banner_reorder",
        )
        return [reorder, *super().get_urls()]

    def reorder_view(self, request: HttpRequest, organization_id: int) -> JsonResponse:
        """POST a JSON array of banner ids: their new order, saved at once."""
        return require_POST(self._reorder)(request, organization_id)

    def _reorder(self, request: HttpRequest, organization_id: int) -> JsonResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        organization = self.changeable_organizations(request).filter(pk=organization_id).first()
        if organization is None:
            # Another dealership's banners: as if it did not exist.
            return JsonResponse({"error": "No such dealership."}, status=404)
        try:
            banner_ids = json.loads(request.body or b"null")
        except ValueError:
            banner_ids = None
        if (
            not isinstance(banner_ids, list)
            or not banner_ids
            or len(banner_ids) > MAX_REORDER_IDS
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in banner_ids)
        ):
            return JsonResponse(
                {"error": "Send the banners' ids in their new order, as a JSON list of numbers."},
                status=400,
            )
        try:
            order = banners_reorder(organization=organization, banner_ids=banner_ids, partial=True)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        return JsonResponse({"organization": organization.pk, "order": order})

    # --- Columns ----------------------------------------------------------------
    @admin.display(description="Order")
    def move_controls(self, banner: Banner) -> str:
        return format_html(
            '<span class="sort-handle" data-sort-id="{}" title="Drag to reorder" aria-hidden="true">⠿</span>'
            '<button type="button" class="sort-up" aria-label="Move “{}” up">↑</button>'
            '<button type="button" class="sort-down" aria-label="Move “{}” down">↓</button>',
            banner.pk,
            banner.title,
            banner.title,
        )

    @admin.display(description="Image")
    def thumbnail_preview(self, banner: Banner) -> str:
        if not banner.thumbnail_url:
            return "—"
        # The picture is the link to the banner: its alt text names it.
        return format_html(
            '<img src="{}" alt="{}" width="96" height="40" class="admin-thumbnail">',
            banner.thumbnail_url,
            banner.title or f"Banner {banner.pk}",
        )

    @admin.display(description="Shown")
    def date_range(self, banner: Banner) -> str:
        start = banner.start_date.strftime("%b %-d, %Y") if banner.start_date else "Always"
        end = banner.end_date.strftime("%b %-d, %Y") if banner.end_date else "no end"
        return f"{start} – {end}"
