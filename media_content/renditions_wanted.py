"""Which renditions of its files a post needs, per destination, from the registry of kinds.

The publishing engine waits for them without naming any kind: a delivery waits
while a rendition it sends (``required_renditions``) is neither made nor failed
(``renditions_pending``), and one the worker could not make stops it in its
kind's words (``renditions_failed``). The worker makes them (``processing``),
asked through ``post_follow_choices`` when the post or its files change.
"""

from dataclasses import dataclass

from library.models import Rendition
from library.processing.rendition_kinds import RenditionKind, kinds

from .models import MediaContent
from .post_files import PostItem


@dataclass(frozen=True)
class WantedRendition:
    """One rendition a delivery sends: of which kind, of which item (its place), which spec."""

    kind: RenditionKind
    item: PostItem
    place: int  # 1 is the cover
    spec: str
    of_several: bool  # the post has several items: words name the item

    @property
    def file_id(self) -> int:
        return self.item.media_file.pk

    @property
    def error(self) -> str:
        """Why the worker could not make it, or ""."""
        return self.kind.error_of(self.item.media_file)

    def late_words(self, *, minutes: int) -> str:
        return self.kind.late_words(self.item.post, minutes=minutes)

    def failed_words(self) -> str:
        words = self.kind.failed_words(self.item.post, error=self.error)
        return f"“{self.item.title}” (item {self.place}): {words}" if self.of_several else words


def wanted_renditions(post: MediaContent, destination: str) -> list[WantedRendition]:
    """The renditions the delivery of ``post`` to ``destination`` sends instead of files."""
    items = post.items()
    if not items:
        return []
    places = {item.media_file.pk: place for place, item in enumerate(items, start=1)}
    several = len(items) > 1
    return [
        WantedRendition(
            kind=kind, item=item, place=places[item.media_file.pk], spec=spec, of_several=several
        )
        for kind in kinds()
        if kind.serves(destination) and kind.chosen_by(post)
        for item, spec in kind.wanted(post, items)
    ]


def required_renditions(post: MediaContent, destination: str) -> list[tuple[int, str]]:
    """``(file id, spec)`` pairs the delivery to ``destination`` sends instead of originals."""
    return [(wanted.file_id, wanted.spec) for wanted in wanted_renditions(post, destination)]


def _not_made(post: MediaContent, destination: str) -> list[WantedRendition]:
    wanted = wanted_renditions(post, destination)
    if not wanted:
        return []
    made = set(
        Rendition.objects.filter(
            media_id__in={w.file_id for w in wanted}, spec__in={w.spec for w in wanted}
        ).values_list("media_id", "spec")
    )
    return [w for w in wanted if (w.file_id, w.spec) not in made]


def renditions_pending(post: MediaContent, destination: str) -> list[WantedRendition]:
    """The renditions the delivery sends that the worker has still to make (none failed)."""
    return [w for w in _not_made(post, destination) if not w.error]


def renditions_failed(post: MediaContent, destination: str) -> list[WantedRendition]:
    """The renditions the delivery sends that the worker could not make."""
    return [w for w in _not_made(post, destination) if w.error]


def ask_again(wanted: list[WantedRendition]) -> None:
    """Ask the worker again for these renditions (after the commit), in case a task was lost."""
    from library.processing.renditions import request_rendition

    for rendition in wanted:
        request_rendition(file_id=rendition.file_id, spec=rendition.spec)


def post_follow_choices(*, post: MediaContent) -> None:
    """Ask the worker for the renditions the post's choices need (after the commit)."""
    for kind in kinds():
        if kind.follow is not None:
            kind.follow(media=post)
