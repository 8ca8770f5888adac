"""The kinds of rendition a file can have, each registered once by the module that owns it.

As Wagtail registers its image operations: ``renditions`` registers the display
size and the catalog copy; the posts register theirs (``media_content.instagram_copies``
the Instagram-ready copy, ``media_content.ribbons`` the ribbon on a post's cover), so
the file library knows no post while a kind says which posts want it. A spec names
its kind by its prefix (``instagram-pad`` is an Instagram-ready copy,
``ribbon-sold-<digest>`` a ribbon). Whoever makes, waits for or asks for renditions
goes through the registry and names no kind: ``renditions.rendition_get_or_create``
makes any registered spec, and the publishing engine waits for what
``media_content.renditions_wanted`` says a delivery needs.

This module imports no other processing module, so every one of them can
register into it without an import circle; the posts' types are named for the type
checker only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from library.models import MediaFile
    from media_content.models import MediaContent
    from media_content.post_files import PostItem


def _always(file: "MediaFile", spec: str) -> bool:
    return True


def _none_wanted(post: "MediaContent", items: list["PostItem"]) -> list[tuple["PostItem", str]]:
    return []


@dataclass(frozen=True)
class RenditionKind:
    """One kind of rendition: how to recognise, make, want, follow and judge it.

    ``prefix``: every spec of the kind starts with it (no two kinds' prefixes overlap).
    ``make(file, spec)``: the JPEG bytes and their size; raises ``ProcessingFailed``
    (in words) when it cannot be made.
    ``still_asked(file, spec)``: a post still asks for it; checked before making and
    again under the file's row lock before keeping, so a rendition asked for before a
    change is never kept.
    ``destinations``: the deliveries that send it instead of the file: a set of
    destinations, or None for every one (and it is made whatever the post chose).
    ``wanted(post, items)``: the post's processed items that need it, each with its spec.
    ``follow(media=post)``: after the post or its files changed, remove the stale ones
    and ask the worker for those missing.
    ``error_field``: the file's field where the worker says why it could not make it.
    Words: ``waiting`` while a delivery waits for it; ``late`` (``{minutes}``,
    ``{post}``) once the wait is over; ``failed`` (``{error}``, ``{post}``) when it
    could not be made.
    ``ask_again_while_waiting``: ask the worker again at each wait, as what it shows
    may have changed since it was asked for (a ribbon's text or colour).
    """

    name: str
    prefix: str
    make: Callable[["MediaFile", str], tuple[bytes, tuple[int, int]]]
    still_asked: Callable[["MediaFile", str], bool] = _always
    destinations: frozenset[str] | None = frozenset()
    wanted: Callable[["MediaContent", list["PostItem"]], list[tuple["PostItem", str]]] = (
        _none_wanted
    )
    follow: Callable[..., Any] | None = None
    error_field: str = ""
    waiting: str = ""
    late: str = ""
    failed: str = ""
    ask_again_while_waiting: bool = False

    def matches(self, spec: str) -> bool:
        return spec.startswith(self.prefix)

    def serves(self, destination: str) -> bool:
        """A delivery to ``destination`` sends this rendition instead of the file."""
        return self.destinations is None or destination in self.destinations

    def chosen_by(self, post: "MediaContent") -> bool:
        """The post asks for it: it goes to one of the kind's destinations (or any kind)."""
        return self.destinations is None or bool(self.destinations & set(post.destinations))

    def error_of(self, file: Any) -> str:
        """Why the worker could not make it for ``file``, or ""."""
        return getattr(file, self.error_field, "") if self.error_field else ""

    def late_words(self, post: "MediaContent", *, minutes: int) -> str:
        return self.late.format(post=post, minutes=minutes)

    def failed_words(self, post: "MediaContent", *, error: str) -> str:
        return self.failed.format(post=post, error=error)


_KINDS: dict[str, RenditionKind] = {}


def register(kind: RenditionKind) -> RenditionKind:
    """Add ``kind`` under its name; a second kind of that name or prefix is a mistake."""
    if _KINDS.get(kind.name) is kind:
        return kind
    if kind.name in _KINDS:
        raise ValueError(f"A rendition kind named {kind.name!r} is registered already.")
    for other in _KINDS.values():
        if other.prefix.startswith(kind.prefix) or kind.prefix.startswith(other.prefix):
            raise ValueError(
                f"The specs of {kind.name!r} ({kind.prefix!r}) and {other.name!r} "
                f"({other.prefix!r}) could not be told apart."
            )
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests that register a kind of their own take it out again)."""
    _KINDS.pop(name, None)


def kinds() -> list[RenditionKind]:
    """Every registered kind, in the order they were registered."""
    return list(_KINDS.values())


def kind_named(name: str) -> RenditionKind:
    return _KINDS[name]


def kind_of_spec(spec: str) -> RenditionKind | None:
    """The kind whose specs start like ``spec``, or None for a spec no kind makes."""
    return next((kind for kind in _KINDS.values() if kind.matches(spec)), None)
