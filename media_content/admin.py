"""Media items in the admin: the portal's rules and services, per dealership and role.

The form is ``admin_forms.MediaContentAdminForm``; saving, deleting and the
actions go through the same services as the portal (``services``, ``lifecycle``,
``approval``), and the checks shown are the post's, as the portal and the
publisher judge it.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join

from dealer_media.tenancy.admin_bases import TenantModelAdmin, role_action
from dealer_media.tenancy.roles import Action
from library.form_fields import uploaded_file_path
from library.processing import ProcessingFailed
from library.processing import services as processing

from . import lifecycle, selectors, services
from .admin_forms import CREATE_FIELDS, PER_NETWORK_FIELDS, MediaContentAdminForm, save_edit
from .delivery_inline import ScheduledPostInline
from .instagram_copies import request_instagram_copy
from .models import Destination, MediaContent

# The file details the admin shows for each file of a post (``file_details``).
FILE_DETAILS = (
    ("original_filename", "Original name"),
    ("content_type", "Content type"),
    ("size_bytes", "Bytes"),
    ("sha256", "SHA-256"),
    ("width", "Width"),
    ("height", "Height"),
    ("duration", "Seconds"),
    ("container", "Container"),
    ("video_codec", "Video codec"),
    ("audio_codec", "Audio codec"),
    ("frame_rate", "Frames/s"),
    ("bit_rate", "Bits/s"),
)


@admin.register(MediaContent)
class MediaContentAdmin(TenantModelAdmin):
    change_action = Action.EDIT_POSTS
    form = MediaContentAdminForm
    list_display = [
        "thumbnail_preview",
        "title",
        "organization",
        "media_type",
        "status",
        "processing_state",
        "destination_list",
        "scheduled_post_time",
        "created_at",
    ]
    list_display_links = ["thumbnail_preview", "title"]
    list_filter = [
        "organization",
        "status",
        "post_to_facebook",
        "post_to_instagram",
        "post_to_banner",
    ]
    search_fields = ["title", "description", "files__original_filename"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "media_type",
        "ribbon_error",
        "thumbnail_preview",
        "processing_state",
        "checks_by_destination",
        "file_details",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organization",
                    "title",
                    "description",
                    "link_url",
                    "file",
                    "thumbnail_preview",
                    "media_type",
                    "status",
                    "processing_state",
                ]
            },
        ),
        (
            "Per-network text",
            {
                "classes": ["collapse"],
                "description": "Empty captions mean the title, description and link.",
                "fields": list(PER_NETWORK_FIELDS),
            },
        ),
        (
            "Destinations and time",
            {
                "fields": [
                    "post_to_facebook",
                    "post_to_instagram",
                    "post_to_banner",
                    "instagram_fit",
                    "ribbon_text",
                    "ribbon_error",
                    "scheduled_post_time",
                    "banner_end_date",
                    "checks_by_destination",
                ]
            },
        ),
        (
            "File details",
            {
                "classes": ["collapse"],
                "fields": [
                    "file_details",
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    inlines = [ScheduledPostInline]
    actions = ["publish_now", "retry_failed", "archive", "process_again", "make_instagram_copy"]

    @admin.display(description="Thumbnail")
    def thumbnail_preview(self, media: MediaContent) -> str:
        url = media.thumbnail_url or (
            media.media_url if media.media_type == MediaContent.MediaType.IMAGE else ""
        )
        if not url:
            return "—"
        # The picture is the link to the item: its alt text names it.
        return format_html(
            '<img src="{}" alt="{}" width="80" height="60" class="admin-thumbnail">',
            url,
            media.title or f"Item {media.pk}",
        )

    @admin.display(description="Processing")
    def processing_state(self, media: MediaContent) -> str:
        """The cover's processing, as the library's row shows it."""
        file = media.lead_file
        if file is None:
            return "—"
        label = file.get_processing_status_display()
        if file.processing_status == MediaContent.ProcessingStatus.FAILED:
            return format_html("{}: {}", label, file.processing_error)
        return label

    @admin.display(description="Ribbon error")
    def ribbon_error(self, media: MediaContent) -> str:
        """Why the ribbon could not be drawn: it is drawn on the cover, so the cover's reason."""
        file = media.lead_file
        return (file.ribbon_error if file is not None else "") or "—"

    @admin.display(description="Files")
    def file_details(self, media: MediaContent) -> str:
        """What processing learnt about each file, in the post's order (a post may have several)."""
        rows = [
            (place, *(getattr(file, name) or "—" for name, _ in FILE_DETAILS))
            for place, file in enumerate(media.files_in_order(), start=1)
        ]
        if not rows:
            return "—"
        cells = "".join("<td>{}</td>" for _ in range(len(FILE_DETAILS) + 1))
        return format_html(
            "<table><thead><tr><th>#</th>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th>{}</th>", ((label,) for _, label in FILE_DETAILS)),
            format_html_join("", f"<tr>{cells}</tr>", rows),
        )

    @admin.display(description="Checks per destination")
    def checks_by_destination(self, media: MediaContent) -> str:
        if not media.pk:
            return "—"
        rows = []
        for destination, result in selectors.media_destination_checks(media=media).items():
            problems = (
                [("error", m) for m in result["errors"]]
                + [("warning", m) for m in result["warnings"]]
                + [("in progress", m) for m in result["preparing"]]
            )
            if not problems:
                problems = [("ok", "No problems found.")]
            rows.append(
                format_html(
                    "<p><strong>{}</strong></p><ul>{}</ul>",
                    Destination(destination).label,
                    format_html_join("", "<li>{}: {}</li>", problems),
                )
            )
        return format_html_join("", "{}", ((row,) for row in rows))

    @admin.display(description="Destinations")
    def destination_list(self, media: MediaContent) -> str:
        return ", ".join(d.title() for d in media.destinations) or "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Through the portal's services; a refusal they raise leaves nothing saved, in words."""
        if not change:
            self._create(request, obj, form)
            return
        try:
            with transaction.atomic():
                notes = save_edit(form=form, base_url=request.build_absolute_uri("/"))
        except ValidationError as error:
            request._media_refused = True
            reasons = " ".join(error.messages)
            self.message_user(request, f"Nothing was saved. {reasons}", messages.ERROR)
            return
        for note in notes:
            self.message_user(request, note, messages.INFO)
        obj.refresh_from_db()

    def log_change(self, request, obj, message):
        if getattr(request, "_media_refused", False):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if getattr(request, "_media_refused", False):
            return HttpResponseRedirect(request.path)  # the form again, with the reason
        return super().response_change(request, obj)

    def _create(self, request, obj: MediaContent, form) -> None:
        """A new item through ``media_create``, as in the portal (staff may keep duplicates)."""
        uploaded = form.cleaned_data["file"]
        with uploaded_file_path(uploaded) as path:
            media = services.media_create(
                organization=obj.organization,
                created_by=request.user,
                path=path,
                original_filename=uploaded.original_name,
                sniffed=uploaded.sniffed,
                details=services.MediaDetails(
                    **{name: getattr(obj, name) for name in CREATE_FIELDS}
                ),
                allow_duplicate=True,
            )
        obj.pk = media.pk
        if form.cleaned_data.get("status") == MediaContent.Status.SCHEDULED:
            self._schedule_new(request, media, when=form.cleaned_data.get("scheduled_post_time"))
        obj.refresh_from_db()

    def _schedule_new(self, request, media: MediaContent, *, when) -> None:
        """Scheduling refused (a destination's checks, a banner date) keeps the new item a draft."""
        if when is None:
            self.message_user(
                request, "Saved as a draft: a scheduled item needs a time.", messages.WARNING
            )
            return
        try:
            with transaction.atomic():
                lifecycle.media_reschedule(media=media, when=when)
        except ValidationError as error:
            reasons = " ".join(error.messages)
            self.message_user(
                request, f"Saved as a draft, not scheduled. {reasons}", messages.ERROR
            )

    def delete_model(self, request, obj):
        """As the portal's delete: pending posts cancelled, files removed after the commit."""
        with transaction.atomic():
            services.media_delete(media=obj)

    def delete_queryset(self, request, queryset):
        """The "delete selected" action, item by item through the same service."""
        with transaction.atomic():
            for media in queryset:
                services.media_delete(media=media)

    @admin.action(description="Publish now to the chosen destinations")
    @role_action(Action.PUBLISH)
    def publish_now(self, request, queryset):
        posts = self._send_each(
            request, queryset, lambda media: len(lifecycle.media_publish_now(media=media))
        )
        self.message_user(request, f"{posts} post(s) queued for publishing.", messages.SUCCESS)

    @admin.action(description="Retry failed destinations")
    def retry_failed(self, request, queryset):
        retried = self._send_each(
            request, queryset, lambda media: lifecycle.media_retry_failed(media=media)
        )
        self.message_user(request, f"{retried} failed post(s) queued again.", messages.SUCCESS)

    def _send_each(self, request, queryset, send) -> int:
        """Run ``send`` per item; an item whose checks refuse it is named with the reason."""
        total = 0
        for media in queryset:
            try:
                total += send(media)
            except ValidationError as error:
                reasons = " ".join(error.messages)
                self.message_user(request, f"“{media.title}” not sent. {reasons}", messages.ERROR)
        return total

    @admin.action(description="Archive")
    def archive(self, request, queryset):
        count = 0
        for media in queryset:
            lifecycle.media_archive(media=media)
            count += 1
        self.message_user(request, f"{count} item(s) archived.", messages.SUCCESS)

    @admin.action(description="Process the files again")
    def process_again(self, request, queryset):
        count = 0
        for media in queryset:
            for file in media.files_in_order():
                processing.request_processing(media=file)
                count += 1
        self.message_user(request, f"{count} file(s) queued for processing.", messages.SUCCESS)

    @admin.action(description="Make an Instagram-ready JPEG copy")
    def make_instagram_copy(self, request, queryset):
        """Sent to the worker through the dealer's own service (the item's fit), never made here."""
        asked, refused = 0, []
        for media in queryset:
            try:
                request_instagram_copy(media=media)
                asked += 1
            except ProcessingFailed as error:
                refused.append(f"{media.title}: {error.message}")
        if asked:
            self.message_user(
                request, f"{asked} Instagram-ready copy(ies) being made.", messages.SUCCESS
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)
