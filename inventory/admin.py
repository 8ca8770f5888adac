from django.contrib import admin

from .models import ImportRun, InventorySource, Vehicle, VehicleReel


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["vin", "year", "make", "model", "price", "availability", "organization"]
    list_filter = ["availability", "state_of_vehicle", "organization"]
    search_fields = ["vin", "stock_number", "make", "model"]
    readonly_fields = ["first_seen_at", "sold_at", "updated_at", "previous_price"]


@admin.register(InventorySource)
class InventorySourceAdmin(admin.ModelAdmin):
    list_display = ["organization", "feed_url", "every_minutes", "enabled"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["organization", "started_at", "status", "added", "changed", "sold", "refused"]
    list_filter = ["status", "organization"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(VehicleReel)
class VehicleReelAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "status", "seconds", "created_at", "finished_at", "organization"]
    list_filter = ["status", "organization"]
    list_select_related = ["vehicle", "organization"]
    readonly_fields = [f.name for f in VehicleReel._meta.fields]
