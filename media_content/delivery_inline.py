"""A post's deliveries, read-only, on its admin change form."""

from django.contrib import admin
from django.utils.html import format_html

from dealer_media.tenancy.admin_bases import TenantInline
from media_content.models import ScheduledPost


class ScheduledPostInline(TenantInline, admin.TabularInline):
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
