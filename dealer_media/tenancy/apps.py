from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dealer_media.tenancy"
    label = "tenancy"
    verbose_name = "Dealerships"
