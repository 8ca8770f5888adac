from django.contrib import admin
from django.utils.html import format_html

from dealer_media.tenancy.admin import TenantAdminMixin

from .models import Banner


@admin.register(Banner)
class BannerAdmin(TenantAdminMixin, admin.ModelAdmin):
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
    ordering = ["organization", "sort_order"]
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

    @admin.display(description="Image")
    def thumbnail_preview(self, banner: Banner) -> str:
        if not banner.thumbnail_url:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="96" height="40" style="object-fit:cover;border-radius:4px">',
            banner.thumbnail_url,
        )

    @admin.display(description="Shown")
    def date_range(self, banner: Banner) -> str:
        start = banner.start_date.strftime("%b %-d, %Y") if banner.start_date else "Always"
        end = banner.end_date.strftime("%b %-d, %Y") if banner.end_date else "no end"
        return f"{start} – {end}"
