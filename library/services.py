"""What happens to a file of the library itself (the posts side decides when it may go)."""

from django.db import transaction
from django.db.models import Q

from .models import MediaFile


@transaction.atomic
def file_remove(*, file: MediaFile) -> None:
    """Delete the row now and its stored files after the commit.

    A banner made from the file shares its stored names: those stay while it does.
    """
    from django.apps import apps

    Banner = apps.get_model("banners", "Banner")
    names = {f.name for f in (file.file, file.thumbnail) if f}
    shared = Banner.objects.filter(Q(image__in=names) | Q(thumbnail__in=names))
    for banner in shared.only("image", "thumbnail"):
        names -= {banner.image.name, banner.thumbnail.name}
    storage = file.file.storage
    file.delete()
    for name in names:
        transaction.on_commit(lambda name=name: storage.delete(name))
