from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def encryption_key_check(app_configs, **kwargs):
    """Outside DEBUG, tokens cannot be stored without FIELD_ENCRYPTION_KEY: say so at deploy."""
    if settings.SOCIAL_PUBLISHER == "graph" and not settings.FIELD_ENCRYPTION_KEY:
        return [
            checks.Error(
                "FIELD_ENCRYPTION_KEY is empty: Page tokens cannot be stored.",
                hint="Set it to a Fernet key (Fernet.generate_key()).",
                id="social.E001",
            )
        ]
    return []
