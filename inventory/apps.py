from django.apps import AppConfig


class InventoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
        from .catalogs import receivers as catalog_receivers  # noqa: F401
