"""Read-only preview links: a signed, expiring, revocable URL showing one post as each network will.

The URL carries a signed ``(id, nonce)``; the row says until when it works and
whether it was revoked. The page it opens shows that post only, nothing else of
the dealership, and needs no sign-in.
"""

import datetime
import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from dealer_media.tenancy.models import Membership
from dealer_media.tenancy.roles import Action, require

from . import captions
from .models import MediaContent, PreviewLink

PREVIEW_DAYS = 7
MAX_PREVIEW_DAYS = 30
_SALT = "media_content.preview"


class PreviewInvalid(Exception):
    """The link cannot be used; ``str()`` says why."""


def preview_token(link: PreviewLink) -> str:
    return signing.dumps({"p": link.pk, "n": link.nonce}, salt=_SALT, compress=True)


def preview_link_create(
    *, by: Membership, media: MediaContent, days: int = PREVIEW_DAYS
) -> PreviewLink:
    require(by, Action.SHARE_PREVIEW)
    if not 1 <= days <= MAX_PREVIEW_DAYS:
        raise ValidationError({"days": f"A preview link lasts 1 to {MAX_PREVIEW_DAYS} days."})
    return PreviewLink.objects.create(
        organization_id=media.organization_id,
        media=media,
        nonce=secrets.token_hex(16),
        created_by=by.user if by.user_id else None,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def preview_link_revoke(*, by: Membership, link: PreviewLink) -> None:
    require(by, Action.SHARE_PREVIEW)
    PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def preview_links(*, media: MediaContent) -> QuerySet[PreviewLink]:
    return media.preview_links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def preview_from_token(token: str) -> PreviewLink:
    """The working link the token names, or ``PreviewInvalid`` saying why not."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=datetime.timedelta(days=MAX_PREVIEW_DAYS))
    except signing.BadSignature:
        raise PreviewInvalid("This preview link is not valid or has expired.") from None
    link = (
        PreviewLink.objects.select_related("media", "media__organization")
        .filter(pk=data.get("p"))
        .first()
    )
    if link is None or not secrets.compare_digest(link.nonce, str(data.get("n"))):
        raise PreviewInvalid("This preview link is not valid or has expired.")
    if link.revoked_at is not None:
        raise PreviewInvalid("This preview link was withdrawn by the dealership.")
    if link.expires_at <= timezone.now():
        raise PreviewInvalid("This preview link has expired. Ask the dealership for a new one.")
    return link


def network_previews(*, media: MediaContent) -> list[dict]:
    """What each chosen network shows: its text (Instagram cut after 125 characters) and files."""
    from .ribbons import ribbon_for

    items = media.items()
    files = [{"url": item.media_url, "is_video": item.media_type == "video"} for item in items]
    ribbon = ribbon_for(media)
    if ribbon is not None:  # the cover goes out with its ribbon drawn on it
        files[0] = {"url": ribbon.url, "is_video": False, "ribbon": media.ribbon_text}
    previews = []
    if media.post_to_facebook:
        previews.append(
            {
                "network": "facebook",
                "label": "Facebook",
                "text": captions.caption_for(media=media, network="facebook"),
                "files": files,
            }
        )
    if media.post_to_instagram:
        text = captions.caption_for(media=media, network="instagram")
        previews.append(
            {
                "network": "instagram",
                "label": "Instagram",
                "text": text[:125],
                "more": text[125:],
                "files": files,
            }
        )
    if media.post_to_banner:
        previews.append(
            {
                "network": "banner",
                "label": "Website banner",
                "text": media.title,
                "link": media.link_url,
                "files": files[:1],
            }
        )
    return previews
