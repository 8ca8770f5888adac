"""The inventory in the admin: each dealership's feed settings, and the records of its imports.

Vehicles, import runs and Reels are what the feed and the worker wrote: the admin
shows them read-only (a change would be undone by the next import, and no service
edits them). The feed source is the dealership's setting, owners' as on the
portal's settings page, and saved through ``sources.source_save`` as there.
"""

from django import forms
from django.contrib import admin

from dealer_media.tenancy.admin_bases import TenantModelAdmin

from .forms import checked_feed_url
from .models import ImportRun, InventorySource, Vehicle, VehicleReel
from .sources import source_save


class ReadOnlyRecordAdmin(TenantModelAdmin):
    """Rows the feed import and the worker write; staff read them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Vehicle)
class VehicleAdmin(ReadOnlyRecordAdmin):
    list_display = ["vin", "year", "make", "model", "price", "availability", "organization"]
    list_filter = ["availability", "state_of_vehicle", "organization"]
    search_fields = ["vin", "stock_number", "make", "model"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyRecordAdmin):
    list_display = ["organization", "started_at", "status", "added", "changed", "sold", "refused"]
    list_filter = ["status", "organization"]


@admin.register(VehicleReel)
class VehicleReelAdmin(ReadOnlyRecordAdmin):
    list_display = ["vehicle", "status", "seconds", "created_at", "finished_at", "organization"]
    list_filter = ["status", "organization"]
    list_select_related = ["vehicle", "organization"]


class InventorySourceForm(forms.ModelForm):
    """The portal's check of the address, so that ``source_save`` does not refuse it."""

    feed_url = forms.URLField(
        label="Feed URL", max_length=1000, required=False, assume_scheme="https"
    )

    class Meta:
        model = InventorySource
        fields = ["organization", "feed_url", "every_minutes", "is_complete", "enabled"]

    def clean_feed_url(self) -> str:
        return checked_feed_url(self.cleaned_data["feed_url"])


@admin.register(InventorySource)
class InventorySourceAdmin(TenantModelAdmin):
    """The feed's address and schedule: owners', saved with its beat schedule."""

    form = InventorySourceForm
    list_display = ["organization", "feed_url", "every_minutes", "enabled"]
    readonly_fields = ["periodic_task"]

    def save_model(self, request, obj, form, change):
        saved = source_save(
            organization=obj.organization,
            feed_url=obj.feed_url,
            every_minutes=obj.every_minutes,
            is_complete=obj.is_complete,
            enabled=obj.enabled,
        )
        obj.pk = saved.pk
        obj.periodic_task = saved.periodic_task

    def has_delete_permission(self, request, obj=None) -> bool:
        """Switched off with "enabled" instead: deleting would leave its beat schedule running."""
        return False
