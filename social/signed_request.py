"""Meta's ``signed_request``: base64url(signature) "." base64url(JSON), HMAC-SHA256 with the secret.

https://developers.facebook.com/docs/facebook-login/guides/advanced/oidc-token/#signed-request
(and "Data Deletion Request Callback"). A request whose signature does not
verify is refused before anything is read from its payload.
"""

import base64
import hashlib
import hmac
import json


class BadSignedRequest(Exception):
    """Not a signed_request of our app; ``str()`` says why, in words."""


def _decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def parse(signed_request: str, *, secret: str) -> dict:
    if not secret:
        raise BadSignedRequest("This installation has no app secret to verify Meta's request.")
    signature_part, dot, payload_part = (signed_request or "").partition(".")
    if not dot or not signature_part or not payload_part:
        raise BadSignedRequest("The signed_request is missing or not in Meta's format.")
    try:
        signature = _decode(signature_part)
    except (ValueError, TypeError):
        raise BadSignedRequest("The signed_request could not be decoded.") from None
    expected = hmac.new(secret.encode(), payload_part.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise BadSignedRequest("The signed_request's signature does not match our app secret.")
    try:
        payload = json.loads(_decode(payload_part))
    except (ValueError, TypeError, RecursionError):  # RecursionError: deeply nested JSON
        raise BadSignedRequest("The signed_request could not be decoded.") from None
    if not isinstance(payload, dict) or str(payload.get("algorithm", "")).upper() != "HMAC-SHA256":
        raise BadSignedRequest("The signed_request does not use HMAC-SHA256.")
    return payload


def sign(payload: dict, *, secret: str) -> str:
    """What Meta sends; for the tests and for support tooling."""
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return f"{signature}.{body}"
