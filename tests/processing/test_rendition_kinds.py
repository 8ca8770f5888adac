"""The registry of rendition kinds: each kind once, a spec names its kind, the processing
modules import one another without a circle and nothing of the posts, and what a post's
delivery needs per destination comes from the kinds (a photo, a video, a carousel, with
and without ribbon)."""

import ast
import dataclasses
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from library.models import MediaFile
from library.processing.rendition_kinds import (
    RenditionKind,
    kind_named,
    kind_of_spec,
    kinds,
    register,
    unregister,
)
from media_content import ribbons
from media_content.models import Destination, MediaContent
from media_content.renditions_wanted import post_follow_choices, required_renditions
from tests.factories import MediaContentFactory, MediaFileFactory

from .media import image_bytes

pytestmark = pytest.mark.django_db

LIBRARY = Path(__file__).resolve().parents[2] / "library"
PROCESSING = LIBRARY / "processing"
EVERY_DESTINATION = [destination.value for destination in Destination]


def _tall_png_file(organization, **fields) -> MediaFile:
    """A PNG taller than 4:5: Instagram refuses it, its Instagram-ready copy does not."""
    data = image_bytes(1000, 2000, fmt="PNG")
    return MediaFileFactory(
        organization=organization,
        file=ContentFile(data, name="tall.png"),
        container="PNG",
        content_type="image/png",
        width=1000,
        height=2000,
        size_bytes=len(data),
        **fields,
    )


def _needs(media: MediaContent) -> dict[str, list[tuple[int, str]]]:
    return {
        destination: required_renditions(media, destination) for destination in EVERY_DESTINATION
    }


# --- The registry -----------------------------------------------------------------------


def test_each_kind_is_registered_once_under_its_name():
    assert [kind.name for kind in kinds()] == ["display", "catalog", "instagram", "ribbon"]
    ribbon = kind_named("ribbon")
    assert ribbon is ribbons.RIBBON

    register(ribbon)  # the same kind again (its module imported twice) changes nothing
    with pytest.raises(ValueError, match="registered already"):
        register(dataclasses.replace(ribbon, waiting="Another ribbon."))
    with pytest.raises(ValueError, match="could not be told apart"):
        register(dataclasses.replace(ribbon, name="banner-ribbon", prefix="ribbon-big-"))
    assert [kind.name for kind in kinds()] == ["display", "catalog", "instagram", "ribbon"]
    assert kind_named("ribbon") is ribbon


def test_a_spec_names_its_kind():
    assert kind_of_spec("display").name == "display"
    assert kind_of_spec("catalog-1200").name == "catalog"
    assert kind_of_spec("instagram-pad").name == "instagram"
    assert kind_of_spec("instagram-crop").name == "instagram"
    assert kind_of_spec("ribbon-just-arrived-0123456789ab").name == "ribbon"
    assert kind_of_spec("thumbnail") is None


def test_the_kinds_say_which_deliveries_send_them_and_where_a_failure_is_noted():
    copy, ribbon = kind_named("instagram"), kind_named("ribbon")
    assert [d for d in EVERY_DESTINATION if copy.serves(d)] == ["instagram"]
    assert [d for d in EVERY_DESTINATION if ribbon.serves(d)] == EVERY_DESTINATION
    assert not any(
        kind_named(name).serves(d) for name in ("display", "catalog") for d in EVERY_DESTINATION
    )
    assert (copy.error_field, ribbon.error_field) == ("instagram_copy_error", "ribbon_error")


def _imports(path: Path) -> list[ast.ImportFrom]:
    """The module's ``from`` imports, at the top or inside functions, but not those only a
    type checker reads (``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text())
    checked_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
        for child in block.body
        for node in ast.walk(child)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and id(node) not in checked_only
    ]


def _processing_imports() -> dict[str, set[str]]:
    """Each processing module's imports of its siblings."""
    modules = {path.stem: path for path in PROCESSING.glob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in _imports(path):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif (node.module or "").startswith("library.processing."):
                found.add(node.module.split(".")[2])
        graph[name] = {other for other in found if other in modules and other != name}
    return graph


def test_no_import_circle_among_the_processing_modules():
    graph = _processing_imports()
    assert graph["rendition_kinds"] == set()  # the registry sits below every kind
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())


def test_the_file_library_imports_nothing_of_the_posts():
    """Posts register their kinds into the library's registry; the library names no post."""
    found = [
        f"{path.relative_to(LIBRARY.parent)}:{node.lineno}"
        for path in LIBRARY.rglob("*.py")
        if "migrations" not in path.parts
        for node in _imports(path)
        if node.level == 0 and (node.module or "").split(".")[0] == "media_content"
    ]
    assert found == []


def test_following_a_post_asks_every_kind_in_order(sunrise):
    followed = []
    extra = RenditionKind(
        name="test-follow",
        prefix="test-follow-",
        make=lambda file, spec: (b"", (1, 1)),
        follow=lambda *, media: followed.append(media.pk),
    )
    register(extra)
    try:
        media = MediaContentFactory(organization=sunrise)
        post_follow_choices(post=media)
    finally:
        unregister(extra.name)
    assert followed == [media.pk]
    assert "test-follow" not in [kind.name for kind in kinds()]


# --- What a delivery needs, per destination ------------------------------------------------


def test_a_photo_instagram_takes_as_it_is_needs_nothing(sunrise):
    media = MediaContentFactory(
        organization=sunrise, post_to_facebook=True, post_to_instagram=True, post_to_banner=True
    )
    assert _needs(media) == {destination: [] for destination in EVERY_DESTINATION}


def test_a_png_for_instagram_needs_its_copy_of_the_fit_on_instagram_only(sunrise):
    png = _tall_png_file(sunrise)
    media = MediaContentFactory(
        organization=sunrise,
        files=[png],
        post_to_facebook=True,
        post_to_instagram=True,
        instagram_fit="crop",
    )
    assert _needs(media) == {
        "facebook": [],
        "instagram": [(png.pk, "instagram-crop")],
        "banner": [],
    }
    media.post_to_instagram = False  # no Instagram chosen: no copy is asked for or waited for
    assert required_renditions(media, "instagram") == []


def test_a_photo_with_a_ribbon_needs_it_on_every_destination(sunrise):
    media = MediaContentFactory(
        organization=sunrise, ribbon_text="Just arrived", post_to_facebook=True
    )
    spec = ribbons.ribbon_spec(media)
    assert spec.startswith("ribbon-just-arrived-")
    cover = media.lead_file.pk
    assert _needs(media) == {destination: [(cover, spec)] for destination in EVERY_DESTINATION}


def test_a_png_with_a_ribbon_needs_its_copy_and_its_ribbon_on_instagram(sunrise):
    png = _tall_png_file(sunrise)
    media = MediaContentFactory(
        organization=sunrise,
        files=[png],
        ribbon_text="SOLD",
        post_to_facebook=True,
        post_to_instagram=True,
    )
    ribbon = ribbons.ribbon_spec(media)
    assert _needs(media) == {
        "facebook": [(png.pk, ribbon)],
        "instagram": [(png.pk, "instagram-pad"), (png.pk, ribbon)],
        "banner": [(png.pk, ribbon)],
    }


def test_a_video_needs_no_rendition_even_with_a_ribbon(sunrise):
    media = MediaContentFactory(
        organization=sunrise,
        media_type=MediaContent.MediaType.VIDEO,
        ribbon_text="SOLD",
        post_to_facebook=True,
        post_to_instagram=True,
    )
    assert _needs(media) == {destination: [] for destination in EVERY_DESTINATION}


@pytest.mark.parametrize("ribbon_text", ["Price drop: $12,900", ""])
def test_a_carousel_needs_its_photos_copies_and_the_ribbon_on_its_cover(sunrise, ribbon_text):
    cover = MediaFileFactory(organization=sunrise, width=1080, height=1350)
    png = _tall_png_file(sunrise)
    video = MediaFileFactory(organization=sunrise, media_type=MediaFile.MediaType.VIDEO)
    media = MediaContentFactory(
        organization=sunrise,
        files=[cover, png, video],
        ribbon_text=ribbon_text,
        post_to_facebook=True,
        post_to_instagram=True,
    )
    on_cover = [(cover.pk, ribbons.ribbon_spec(media))] if ribbon_text else []
    assert _needs(media) == {
        "facebook": on_cover,
        "instagram": [(png.pk, "instagram-pad"), *on_cover],
        "banner": on_cover,
    }


def test_files_still_processing_need_nothing_yet(sunrise):
    png = _tall_png_file(sunrise, processing_status=MediaFile.ProcessingStatus.PENDING)
    media = MediaContentFactory(
        organization=sunrise,
        files=[png],
        ribbon_text="SOLD",
        post_to_facebook=True,
        post_to_instagram=True,
    )
    assert _needs(media) == {destination: [] for destination in EVERY_DESTINATION}
