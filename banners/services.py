"""Banner changes: making one from a library item, and the dealer's ordering."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from library.models import MediaFile, Rendition
from media_content.models import MediaContent, PostItem

from .cache import invalidate_active_banners
from .models import Banner


@transaction.atomic
def banner_from_media(
    *,
    media: MediaContent,
    start_date=None,
    end_date=None,
    image: MediaFile | PostItem | None = None,
    picture: Rendition | None = None,
) -> Banner:
    """Create, or switch on again, the website banner of a library image.

    ``image``: the item whose picture is shown (a post of several items shows its
    first image; by default the post's first file); the title and link are the
    post's (``media``). ``picture``: a rendition of that image shown instead (the
    cover with its ribbon).
    """
    image = image or media.lead_file
    if image is None or image.media_type != MediaContent.MediaType.IMAGE:
        raise ValidationError("Only images can be shown as website banners.")
    if picture is not None and picture.media_id != image.pk:
        picture = None  # a rendition of another item is not this banner's picture
    start_date = start_date or timezone.localdate(timezone=media.organization.tzinfo)
    banner = Banner.objects.for_org(media.organization_id).filter(media_content=media).first()
    if banner is None:
        banner = Banner(organization_id=media.organization_id, media_content=media)
    banner.title = media.title
    banner.link_url = media.link_url
    shown = picture.file.name if picture is not None else image.file.name
    if banner.image.name != shown:
        banner.forget_display()
    banner.image.name = shown
    banner.thumbnail.name = image.thumbnail.name
    # Setting the name skips ImageField's dimension reading; the library knows them.
    banner.image_width, banner.image_height = (
        (picture.width, picture.height) if picture is not None else (image.width, image.height)
    )
    banner.start_date = start_date
    banner.end_date = end_date
    banner.is_active = True
    banner.full_clean(exclude=["sort_order"])
    banner.save()
    return banner


@transaction.atomic
def banners_reorder(
    *, organization: Organization, banner_ids: list[int], partial: bool = False
) -> list[int]:
    """Save the dealer's order of banners, first first, and return the whole new order.

    ``banner_ids`` lists every banner of the dealership once. With ``partial`` it may
    list only some of them (a filtered or paged admin list): those banners are put
    in the given order into the places they held, and the others keep theirs.
    """
    banners = list(
        Banner.objects.for_org(organization).select_for_update().order_by("sort_order", "pk")
    )
    known = {banner.pk: banner for banner in banners}
    if len(banner_ids) != len(set(banner_ids)):
        raise ValidationError("The new order lists a banner twice.")
    if not set(banner_ids) <= set(known):
        raise ValidationError(
            "The new order names a banner this dealership does not have (deleted meanwhile, "
            "or another dealership's). Reload the page and try again."
        )
    if not partial and set(banner_ids) != set(known):
        raise ValidationError("The new order must list each of the dealership's banners once.")
    listed = set(banner_ids)
    moved = iter(banner_ids)
    new_order = [next(moved) if banner.pk in listed else banner.pk for banner in banners]
    changed = []
    for position, banner_id in enumerate(new_order):
        banner = known[banner_id]
        if banner.sort_order != position:
            banner.sort_order = position
            changed.append(banner)
    Banner.objects.bulk_update(changed, ["sort_order"])
    # bulk_update sends no signals: invalidate the website's cache here.
    invalidate_active_banners(organization.pk)
    return new_order


# --- The portal's banner page --------------------------------------------------


@transaction.atomic
def banner_create(
    *,
    organization: Organization,
    title: str,
    image,
    link_url: str = "",
    start_date=None,
    end_date=None,
    is_active: bool = True,
) -> Banner:
    """A new banner goes last in the carousel; the dealer drags it elsewhere if wanted."""
    banner = Banner(
        organization=organization,
        title=title,
        image=image,
        link_url=link_url,
        start_date=start_date,
        end_date=end_date,
        is_active=is_active,
    )
    banner.full_clean(exclude=["sort_order", "image"])
    banner.save()
    return banner


@transaction.atomic
def banner_update(*, banner: Banner, **changes) -> Banner:
    """Change what the dealer edited; a replaced image file is removed after the commit."""
    allowed = {"title", "image", "link_url", "start_date", "end_date", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    banner = Banner.objects.select_for_update().get(pk=banner.pk)
    old_image = banner.image.name
    for name, value in changes.items():
        setattr(banner, name, value)
    banner.full_clean(exclude=["sort_order", "image"])
    banner.save()
    if banner.image.name != old_image and not _file_in_use(old_image):
        storage = banner.image.storage
        transaction.on_commit(lambda: storage.delete(old_image))
    return banner


@transaction.atomic
def banner_delete(*, banner: Banner) -> None:
    """Remove a banner; its image goes too unless a library item still uses the file."""
    names = {name for name in (banner.image.name, banner.thumbnail.name) if name}
    storage = banner.image.storage
    display = banner.display.name
    banner.delete()
    if display:  # never shared
        transaction.on_commit(lambda: storage.delete(display))
    for name in names:
        if not _file_in_use(name):
            transaction.on_commit(lambda name=name: storage.delete(name))


def _file_in_use(name: str) -> bool:
    """Banners made from library items share the item's files (and a ribbon's rendition)."""
    return (
        MediaFile.objects.filter(Q(file=name) | Q(thumbnail=name)).exists()
        or Rendition.objects.filter(file=name).exists()
        or Banner.objects.filter(Q(image=name) | Q(thumbnail=name)).exists()
    )
