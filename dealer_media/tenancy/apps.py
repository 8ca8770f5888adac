from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TenancyConfig(AppConfig):
    name = "dealer_media.tenancy"
    label = "tenancy"
    verbose_name = "Dealerships"

    def ready(self) -> None:
        from .models import Organization
        from .sites import clear_site_cache

        post_save.connect(clear_site_cache, sender=Organization, dispatch_uid="tenancy_site_cache")
        post_delete.connect(
            clear_site_cache, sender=Organization, dispatch_uid="tenancy_site_cache_delete"
        )
