"""Encryption at rest for Page access tokens (Fernet, from ``cryptography``).

The key is ``settings.FIELD_ENCRYPTION_KEY`` (a urlsafe base64 Fernet key, or
several separated by commas: the first encrypts, all decrypt, so keys can be
rotated). Decision: with ``DEBUG`` on and no key, a development key is derived
from ``SECRET_KEY`` so that ``make run`` works out of the box; with ``DEBUG``
off a missing key is a configuration error, raised the moment a token is
stored or read (never silently stored in clear).

``cryptography`` is imported on first use: its Rust core and OpenSSL take about
8 MB in every process that loads them, and most web requests (uploads, pages)
never touch a token; the Celery workers that post do.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

logger = logging.getLogger(__name__)


class TokenUnreadable(Exception):
    """The stored token cannot be decrypted with the configured key(s)."""


def _development_key() -> bytes:
    digest = hashlib.sha256(f"dealer-media-field-key:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def get_fernet() -> MultiFernet:
    from cryptography.fernet import Fernet, MultiFernet

    raw = (settings.FIELD_ENCRYPTION_KEY or "").strip()
    if raw:
        try:
            return MultiFernet([Fernet(key.strip()) for key in raw.split(",") if key.strip()])
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY is not a Fernet key (32 urlsafe base64 bytes); "
                'make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from error
    if settings.DEBUG:
        return MultiFernet([Fernet(_development_key())])
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY is required to store social account tokens outside DEBUG; "
        'make one with: python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"'
    )


def encrypt(value: str) -> str:
    return get_fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return get_fernet().decrypt(value.encode()).decode()
    except InvalidToken as error:
        raise TokenUnreadable(
            "The stored Page token cannot be read with the configured encryption key."
        ) from error
