import datetime

from django.conf import settings
from django.core import checks

from .versions import GRAPH_API_VERSIONS, NEWEST, WARN_BEFORE, retirement


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


@checks.register(checks.Tags.compatibility, deploy=True)
def graph_version_check(app_configs, today: datetime.date | None = None, **kwargs):
    """Warn within 90 days of the configured Graph API version's retirement, or after it."""
    if settings.SOCIAL_PUBLISHER != "graph":
        return []
    version = settings.FACEBOOK_GRAPH_VERSION
    today = today or datetime.date.today()
    if version not in GRAPH_API_VERSIONS:
        return [
            checks.Warning(
                f"FACEBOOK_GRAPH_VERSION {version} is not a Graph API version we know.",
                hint=f"Use {NEWEST}, or add the version to social/versions.py.",
                id="social.W002",
            )
        ]
    retires = retirement(version)
    if retires is None or retires - today > WARN_BEFORE:
        return []
    when = "retired" if retires <= today else "retires"
    return [
        checks.Warning(
            f"Graph API {version} {when} on {retires:%B %-d, %Y}: Meta then stops answering it.",
            hint=f"Set FACEBOOK_GRAPH_VERSION={NEWEST} after checking Meta's changelog.",
            id="social.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def meta_app_secret_check(app_configs, **kwargs):
    """An app id without its secret cannot exchange codes, check tokens or sign proofs."""
    errors = []
    pairs = [
        ("FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET", "social.E002"),
        ("INSTAGRAM_APP_ID", "INSTAGRAM_APP_SECRET", "social.E003"),
    ]
    for app_id, secret, code in pairs:
        if getattr(settings, app_id) and not getattr(settings, secret):
            errors.append(
                checks.Error(
                    f"{app_id} is set but {secret} is empty: connecting accounts, checking "
                    "tokens (debug_token), appsecret_proof and Meta's signed requests need it.",
                    hint=f"Set {secret} to the app secret from Meta's app dashboard.",
                    id=code,
                )
            )
    return errors
