from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BannersConfig(AppConfig):
    name = "banners"
    verbose_name = "Website banners"

    def ready(self) -> None:
        from .models import Banner
        from .signals import banner_changed, banner_saved

        post_save.connect(banner_changed, sender=Banner, dispatch_uid="banners_cache_save")
        post_save.connect(banner_saved, sender=Banner, dispatch_uid="banners_display")
        post_delete.connect(banner_changed, sender=Banner, dispatch_uid="banners_cache_delete")
