from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: the scoped user admin and sign-in throttling (django-axes)."""

    name = "dealer_media.accounts"
    label = "accounts"
    verbose_name = "Accounts"
