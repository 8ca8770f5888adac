from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People and signing in: the user admin scoped to dealerships."""

    name = "dealer_media.accounts"
    label = "accounts"
    verbose_name = "Accounts"
