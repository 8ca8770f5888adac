from django.contrib import admin, messages
from django.utils.html import format_html

from dealer_media.tenancy.admin import TenantAdminMixin

from . import services
from .models import MediaContent, ScheduledPost


class ScheduledPostInline(admin.TabularInline):
    model = ScheduledPost
    fk_name = "media_content"
    extra = 0
    can_delete = False
    fields = [
        "destination",
        "scheduled_time",
        "status",
        "attempts",
        "posted_at",
        "external_link",
        "last_error",
    ]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Published post")
    def external_link(self, post: ScheduledPost) -> str:
        if post.external_url:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                post.external_url,
                post.external_id,
            )
        return post.external_id or "—"


@admin.register(MediaContent)
class MediaContentAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = [
        "thumbnail_preview",
        "title",
        "organization",
        "media_type",
        "status",
        "destination_list",
        "scheduled_post_time",
        "created_at",
    ]
    list_display_links = ["thumbnail_preview", "title"]
    list_filter = [
        "organization",
        "media_type",
        "status",
        "post_to_facebook",
        "post_to_instagram",
        "post_to_banner",
    ]
    search_fields = ["title", "description", "original_filename"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "thumbnail_preview",
        "original_filename",
        "content_type",
        "size_bytes",
        "sha256",
        "width",
        "height",
        "duration",
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
                ]
            },
        ),
        (
            "Destinations and time",
            {
                "fields": [
                    "post_to_facebook",
                    "post_to_instagram",
                    "post_to_banner",
                    "scheduled_post_time",
                ]
            },
        ),
        (
            "File details",
            {
                "classes": ["collapse"],
                "fields": [
                    "original_filename",
                    "content_type",
                    "size_bytes",
                    "sha256",
                    "width",
                    "height",
                    "duration",
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    inlines = [ScheduledPostInline]
    actions = ["publish_now", "retry_failed", "archive"]

    @admin.display(description="Thumbnail")
    def thumbnail_preview(self, media: MediaContent) -> str:
        url = media.thumbnail_url or (
            media.media_url if media.media_type == MediaContent.MediaType.IMAGE else ""
        )
        if not url:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="80" height="60" style="object-fit:cover;border-radius:4px">',
            url,
        )

    @admin.display(description="Destinations")
    def destination_list(self, media: MediaContent) -> str:
        return ", ".join(d.title() for d in media.destinations) or "—"

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish now to the chosen destinations")
    def publish_now(self, request, queryset):
        posts = sum(len(services.media_publish_now(media=media)) for media in queryset)
        self.message_user(request, f"{posts} post(s) queued for publishing.", messages.SUCCESS)

    @admin.action(description="Retry failed destinations")
    def retry_failed(self, request, queryset):
        retried = sum(services.media_retry_failed(media=media) for media in queryset)
        self.message_user(request, f"{retried} failed post(s) queued again.", messages.SUCCESS)

    @admin.action(description="Archive")
    def archive(self, request, queryset):
        count = 0
        for media in queryset:
            services.media_archive(media=media)
            count += 1
        self.message_user(request, f"{count} item(s) archived.", messages.SUCCESS)


@admin.register(ScheduledPost)
class ScheduledPostAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "organization",
        "destination",
        "status",
        "scheduled_time",
        "posted_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["organization", "destination", "status"]
    search_fields = ["title", "external_id", "last_error"]
    list_select_related = ["organization"]
    readonly_fields = [
        "organization",
        "media_content",
        "title",
        "destination",
        "status",
        "external_id",
        "external_url",
        "attempts",
        "last_error",
        "claimed_at",
        "posted_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "organization",
        "media_content",
        "title",
        "destination",
        "scheduled_time",
        "status",
        "external_id",
        "external_url",
        "attempts",
        "last_error",
        "claimed_at",
        "posted_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False
