"""Connecting a Page, composing what is posted, and the media URL Meta fetches."""

import ipaddress
import logging
from urllib.parse import urlparse

from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from library.models import MediaFile
from media_content.models import MediaContent, PostItem

from .graph import GraphClient
from .models import InstagramLogin, MetaConnection, SocialAccount

# How long presigned media URLs given to Meta stay valid (Meta fetches them within minutes).
MEDIA_URL_LIFETIME_SECONDS = 6 * 3600

logger = logging.getLogger(__name__)


def compose_message(*, media: MediaContent, network: str) -> str:
    """The text posted on ``network``: its own caption, else title, description and link."""
    from media_content.captions import caption_for

    return caption_for(media=media, network=network)


def _is_public_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return address.is_global


def public_media_url(*, media: MediaContent) -> str | None:
    """A URL of the media file that Meta's servers can fetch, or None.

    With S3 this is a presigned URL valid for MEDIA_URL_LIFETIME_SECONDS
    (Meta fetches it within minutes of container creation). Files on the local
    disk are served under a relative or local MEDIA_URL, which Meta cannot reach.
    """
    file = _file_of(media)
    return _public_file_url(file.file.name) if file is not None and file.file else None


def _file_of(media: MediaContent | PostItem) -> MediaFile | None:
    """What goes out: an item's own file, or a post's cover (its first file)."""
    return media.media_file if isinstance(media, PostItem) else media.lead_file


def ribbon_file(*, media: MediaContent) -> FieldFile | None:
    """The cover with its ribbon ("Just arrived"...), when the post asks for one and it is drawn.

    The publishers wait until it is (``publishing``), so a post with a ribbon
    never goes out without it.
    """
    from media_content.ribbons import ribbon_for

    ribbon = ribbon_for(media) if media.ribbon_text else None
    return ribbon.file if ribbon is not None else None


def facebook_photo(*, media: MediaContent, cover: bool = True) -> tuple[FieldFile, str | None]:
    """The photo Facebook gets (the ribbon's picture on the ``cover``, else the file) and
    its public URL. Only a post's cover (its lead) carries the ribbon."""
    photo = (ribbon_file(media=media) if cover else None) or _file_of(media).file
    return photo, _public_file_url(photo.name)


def instagram_media_url(*, media: MediaContent, cover: bool = True) -> str | None:
    """What Instagram fetches: the ribbon's picture (drawn on the Instagram-ready shape),
    else the Instagram-ready JPEG copy when there is one, else the file.

    The checks tell the dealer that the copy is posted instead of the original
    (a PNG, or a photo outside 4:5..1.91:1), so it must be what is sent.
    """
    from media_content.instagram_copies import instagram_copy

    if media.media_type == MediaContent.MediaType.IMAGE:
        copy = ribbon_file(media=media) if cover else None
        if copy is None:
            found = instagram_copy(media)
            copy = found.file if found is not None else None
        if copy is not None:
            return _public_file_url(copy.name)
    return public_media_url(media=media)


def _public_file_url(name: str) -> str | None:
    try:
        url = default_storage.url(name, expire=MEDIA_URL_LIFETIME_SECONDS)
    except TypeError:  # storages without presigning (FileSystemStorage)
        url = default_storage.url(name)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not _is_public_host(parsed.hostname or ""):
        return None
    return url


def verify_page(*, page_id: str, token: str) -> dict:
    """Ask the Graph API who the Page is and which Instagram account is linked to it.

    ``GET /{page-id}?fields=id,name,instagram_business_account`` then the
    Instagram username. Raises GraphError (message in words) when Meta refuses.
    """
    client = GraphClient(token)
    page = client.get(page_id, fields="id,name,instagram_business_account")
    found = {
        "page_id": str(page.get("id") or page_id),
        "page_name": page.get("name", ""),
        "instagram_account_id": "",
        "instagram_username": "",
    }
    instagram = page.get("instagram_business_account") or {}
    if instagram.get("id"):
        found["instagram_account_id"] = str(instagram["id"])
        profile = client.get(found["instagram_account_id"], fields="username")
        found["instagram_username"] = profile.get("username", "")
    return found


def account_apply_verification(*, account: SocialAccount, found: dict) -> SocialAccount:
    for name, value in found.items():
        setattr(account, name, value)
    account.status = SocialAccount.Status.CONNECTED
    account.last_error = ""
    account.verified_at = timezone.now()
    return account


def account_mark_needs_reconnect(*, account: MetaConnection, message: str) -> None:
    """A dead token (code 190): stop using the account until an owner reconnects it."""
    from .health import mark_needs_reconnect

    mark_needs_reconnect(connection=account, reason=message)


def account_for(*, organization: Organization | int) -> SocialAccount | None:
    return SocialAccount.objects.for_org(organization).first()


def instagram_login_for(*, organization: Organization | int) -> InstagramLogin | None:
    return InstagramLogin.objects.for_org(organization).first()


def instagram_connection(*, organization: Organization | int) -> MetaConnection | None:
    """The one Instagram connection: Instagram Login if there is one, else the Page's."""
    login = instagram_login_for(organization=organization)
    if login is not None:
        return login
    account = account_for(organization=organization)
    return account if account is not None and account.instagram_account_id else None


def sandbox_active() -> bool:
    from publishing.publisher import get_publisher

    return any(
        getattr(get_publisher(destination), "label", "") == "sandbox"
        for destination in ("facebook", "instagram")
    )


def media_storage_is_public() -> bool:
    """Whether files in the default storage get URLs Meta can fetch (S3, or a public MEDIA_URL)."""
    try:
        url = default_storage.url("probe.jpg")
    except Exception:
        return False
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and _is_public_host(parsed.hostname or "")
