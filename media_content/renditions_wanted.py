"""Which renditions of its files a post needs, per destination, as data.

The engine waits for ``required_renditions(post, destination)`` generically;
the worker makes them (``processing``), and asks for them through
``post_follow_choices`` when the post or its files change.
"""

from .models import Destination, MediaContent


def required_renditions(post: MediaContent, destination: str) -> list[tuple[int, str]]:
    """``(file id, spec)`` pairs the delivery to ``destination`` sends instead of originals."""
    from .processing.checks import copy_would_fix
    from .processing.renditions import instagram_spec
    from .processing.ribbons import ribbon_spec

    wanted: list[tuple[int, str]] = []
    items = post.items()
    if not items:
        return wanted
    if destination == Destination.INSTAGRAM:
        spec = instagram_spec(post.instagram_fit)
        for item in items:
            if item.media_type == "image" and item.is_processed and copy_would_fix(item):
                wanted.append((item.media_file.pk, spec))
    cover = ribbon_spec(post)
    if cover and items[0].is_processed:
        wanted.append((items[0].media_file.pk, cover))
    return wanted


def post_follow_choices(*, post: MediaContent) -> None:
    """Ask the worker for the renditions the post's choices need (after the commit)."""
    from .processing.services import instagram_copy_follow_choice, ribbon_follow_choice

    instagram_copy_follow_choice(media=post)
    ribbon_follow_choice(media=post)
