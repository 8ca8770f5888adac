"""Meta's error codes, in one table: what each means for a post, in words, with its source.

``social.graph.classify`` looks an error object up here by (code, subcode)
first, then by code alone; what no row names falls back on the HTTP status.
Words carry ``{network}`` ("Facebook" or "Instagram"): an Instagram error says
Instagram. The publishers (``social.publishers.to_publish_error``) turn a kind
into an outcome: retry, wait, fail, or mark the account for reconnecting.
"""

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    TOKEN = "token"  # noqa: S105 - a kind of error, not a secret
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    PERMISSION = "permission"
    DUPLICATE = "duplicate"
    NOT_READY = "not_ready"
    POLICY = "policy"  # temporarily blocked: one long wait, then fail
    RESTRICTED = "restricted"  # the account is restricted: fail in words, never retry
    DAILY_LIMIT = "daily_limit"  # Instagram's 24-hour publishing quota: wait for room
    MEDIA_UNREACHABLE = "media_unreachable"  # Meta could not fetch our URL: a few tries
    REJECTED = "rejected"
    # The request may have reached Meta but no answer says what happened: whether it
    # took effect is unknown. Never retried blindly.
    UNKNOWN_OUTCOME = "unknown_outcome"


ERROR_HANDLING = "https://developers.facebook.com/docs/graph-api/guides/error-handling"
RATE_LIMITING = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting"
IG_ERROR_CODES = (
    "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/"
    "error-codes"
)


@dataclass(frozen=True)
class MetaError:
    kind: Kind
    source: str
    words: str = ""  # overrides the kind's words (WORDS)


# Keys: (code, subcode) matches exactly; (None, subcode) an Instagram subcode under any
# code; (code, None) any subcode of the code. Looked up in that order.
ERROR_TABLE: dict[tuple[int | None, int | None], MetaError] = {
    # Code 4 with 2207051 is Instagram's "activity restricted", not an app rate limit.
    (None, 2207051): MetaError(
        Kind.RESTRICTED,
        IG_ERROR_CODES,
        "Instagram has restricted this account's activity because it suspects spam, so "
        "nothing was posted. Open the Instagram app to review the restriction, then send "
        "the post again.",
    ),
    (None, 2207001): MetaError(
        Kind.RESTRICTED,
        IG_ERROR_CODES,
        "Instagram flagged this post as spam and did not publish it.",
    ),
    (None, 2207050): MetaError(
        Kind.RESTRICTED,
        IG_ERROR_CODES,
        "Instagram says this professional account is restricted or inactive, so nothing was "
        "posted. Open the Instagram app to resolve it, then send the post again.",
    ),
    (None, 2207042): MetaError(
        Kind.DAILY_LIMIT,
        IG_ERROR_CODES,
        "Instagram's limit of posts by apps in 24 hours is reached for this account; the "
        "post waits and goes out when the window has room again.",
    ),
    # Subcode 1404078: the Page has not completed Page Publishing Authorization. An admin
    # of the Page must complete it, then the Page is reconnected.
    (None, 1404078): MetaError(
        Kind.PERMISSION,
        "https://developers.facebook.com/docs/instagram-platform/content-publishing "
        "(Limitations: Page Publishing Authorization)",
        "Facebook requires Page Publishing Authorization for this Page before anything can "
        "be posted.",
    ),
    (None, 2207027): MetaError(Kind.NOT_READY, IG_ERROR_CODES),
    (None, 2207052): MetaError(Kind.MEDIA_UNREACHABLE, IG_ERROR_CODES),
    (None, 2207077): MetaError(Kind.MEDIA_UNREACHABLE, IG_ERROR_CODES),
    (None, 2207082): MetaError(Kind.TRANSIENT, IG_ERROR_CODES),
    (9004, None): MetaError(Kind.MEDIA_UNREACHABLE, IG_ERROR_CODES),
    (190, None): MetaError(Kind.TOKEN, ERROR_HANDLING),
    (102, None): MetaError(Kind.TOKEN, ERROR_HANDLING),
    (506, None): MetaError(Kind.DUPLICATE, ERROR_HANDLING),
    (368, None): MetaError(Kind.POLICY, ERROR_HANDLING),
    (1, None): MetaError(Kind.TRANSIENT, ERROR_HANDLING),
    (2, None): MetaError(Kind.TRANSIENT, ERROR_HANDLING),
    (-1, None): MetaError(Kind.TRANSIENT, IG_ERROR_CODES),
    (-2, None): MetaError(Kind.TRANSIENT, IG_ERROR_CODES),
    (3, None): MetaError(Kind.PERMISSION, ERROR_HANDLING),
    # #10 is a missing permission; #200 also answers a User token where a Page token is
    # needed: both need the Page reconnected.
    (10, None): MetaError(Kind.PERMISSION, ERROR_HANDLING),
    **{(code, None): MetaError(Kind.PERMISSION, ERROR_HANDLING) for code in range(200, 300)},
    **{
        (code, None): MetaError(Kind.RATE_LIMITED, RATE_LIMITING)
        for code in (4, 17, 32, 613, 341, *range(80000, 80015))
    },
}

WORDS = {
    Kind.TOKEN: "The Facebook connection of this dealership has expired or was revoked; "
    "an owner must reconnect it on the Connections page.",
    Kind.RATE_LIMITED: "{network} is limiting how often we may post right now; "
    "we will try again later.",
    Kind.TRANSIENT: "{network} had a temporary problem; we will try again.",
    Kind.PERMISSION: "The connection to {network} lacks the permission {permission}, needed "
    "to post; the Page must be reconnected with it granted.",
    Kind.DUPLICATE: "{network} says the same post was just published.",
    Kind.NOT_READY: "{network} has not finished preparing the media yet.",
    Kind.POLICY: "{network} has temporarily blocked posting from this account.",
    Kind.RESTRICTED: "{network} has restricted this account, so nothing was posted.",
    Kind.DAILY_LIMIT: "{network}'s daily limit of posts by apps is reached; the post waits "
    "for room.",
    Kind.MEDIA_UNREACHABLE: "{network} could not download the file from {host}.",
    Kind.REJECTED: "{network} refused the post.",
    Kind.UNKNOWN_OUTCOME: "{network} did not say whether the post was published.",
}

# The permission each network needs to publish, as Meta's Pages API and Instagram
# content publishing references name it.
PUBLISH_PERMISSION = {"Facebook": "pages_manage_posts", "Instagram": "instagram_content_publish"}


def lookup(code: int | None, subcode: int | None) -> MetaError | None:
    if code is None:
        return None
    for key in ((code, subcode), (None, subcode), (code, None)):
        if key[1] is None and key[0] is None:
            continue
        entry = ERROR_TABLE.get(key)
        if entry is not None:
            return entry
    return None
