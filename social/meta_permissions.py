"""The permissions we ask Meta for, each with what it is for, in one place.

Names checked against Meta's permissions reference
(https://developers.facebook.com/docs/permissions, read 2026-12-01) and, for
Instagram Login, "Business Login for Instagram"
(https://developers.facebook.com/documentation/instagram-platform/instagram-api-with-instagram-login/business-login):
the ``instagram_business_*`` scopes replaced ``business_*`` on 2025-01-27.
A person can untick any of them in the dialog, so the callback reads what was
granted (``/me/permissions``) and names what is missing.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    name: str
    purpose: str  # what the dealer gets from it, in their words
    required: bool = True  # without it we cannot post at all


FACEBOOK_LOGIN = [
    Permission("pages_show_list", "list the Pages you manage, so you can pick one"),
    Permission("pages_read_engagement", "read the Page's name, picture and posts"),
    Permission("pages_manage_posts", "publish photos, videos and posts on the Page"),
    Permission("pages_manage_engagement", "post the first comment under a post", required=False),
    Permission("publish_video", "publish videos and Reels on the Page", required=False),
    Permission(
        "business_management",
        "reach Pages your business owns through Meta Business Manager",
        required=False,
    ),
    Permission("instagram_basic", "read the linked Instagram account's username"),
    Permission("instagram_content_publish", "publish photos, carousels and Reels on Instagram"),
    Permission("instagram_manage_comments", "post the first comment on Instagram", required=False),
]

INSTAGRAM_LOGIN = [
    Permission("instagram_business_basic", "read your Instagram account's username and picture"),
    Permission(
        "instagram_business_content_publish", "publish photos, carousels and Reels on Instagram"
    ),
    Permission(
        "instagram_business_manage_comments",
        "post the first comment on Instagram",
        required=False,
    ),
]

# What a Page token needs for each destination (checked on debug_token's scopes).
NEEDED_FOR = {
    "facebook": ("pages_show_list", "pages_read_engagement", "pages_manage_posts"),
    "instagram": ("instagram_basic", "instagram_content_publish"),
}

BY_NAME = {p.name: p for p in [*FACEBOOK_LOGIN, *INSTAGRAM_LOGIN]}


def scope(permissions: list[Permission]) -> str:
    return ",".join(p.name for p in permissions)


def missing(granted: list[str], permissions: list[Permission]) -> list[Permission]:
    """The required permissions not granted, in the order we ask for them."""
    have = set(granted)
    return [p for p in permissions if p.required and p.name not in have]


def describe(names: list[str]) -> str:
    """“pages_manage_posts (publish photos, videos and posts on the Page)”, joined in words."""
    parts = [f"{n} ({BY_NAME[n].purpose})" if n in BY_NAME else n for n in names]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
