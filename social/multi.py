"""Posts of several items: a Facebook multi-photo post and an Instagram carousel.

Called by the publishers in ``publishers.py`` when the post's item has attachments
(``MediaContent.items()``). Every id Meta gives back is kept through the claim
(``save_progress``), so a retry continues where the last attempt stopped and never
uploads a photo or makes a child container twice. Only the last request publishes
(the feed post, ``media_publish``): ``claim.begin_send()`` comes first, and an
answer lost after it leaves the post unconfirmed, never sent again.
"""

import json

from django.conf import settings

from media_content.models import MediaContent, ScheduledPost
from publishing.publisher import PublishError, PublishInProgress

from . import services
from .graph import GraphError, Kind


def _not_public(error: GraphError) -> GraphError:
    """A request that makes nothing public may be sent again, whatever its answer was."""
    if error.kind == Kind.UNKNOWN_OUTCOME:
        return GraphError(error.message, kind=Kind.TRANSIENT)
    return error


def _name(item: MediaContent, place: int) -> str:
    return f"“{item.title}” (item {place})"


# --- Facebook: unpublished photos, then one feed post --------------------------------


def facebook_photo_set(publisher, post: ScheduledPost, items, account, client, message: str):
    """``POST /{page}/photos published=false`` per photo, then ``/{page}/feed`` with them.

    Graph API, Page feed reference ("attached_media": photos uploaded with
    ``published=false``) and the multi-photo post guide.
    """
    photo_ids = dict(post.external_state.get("fb_photo_ids") or {})
    path = f"{account.page_id}/photos"
    for place, item in enumerate(items, start=1):
        if str(item.pk) in photo_ids:
            continue
        if item.media_type != MediaContent.MediaType.IMAGE:
            raise PublishError(
                f"{_name(item, place)} is a video; Facebook posts several items together "
                "only as photos."
            )
        # The cover (the lead) carries the post's ribbon, if it has one.
        photo, url = services.facebook_photo(media=item, cover=place == 1)
        try:
            if url:
                answer = client.post(path, url=url, published="false")
            else:  # local storage: the bytes
                name = "photo.jpg" if photo.name != item.file.name else item.original_filename
                with photo.open("rb") as handle:
                    files = {"source": (name or "photo.jpg", handle.read())}
                answer = client.post(path, files=files, published="false")
        except GraphError as error:
            raise _not_public(error) from None
        photo_ids[str(item.pk)] = str(answer["id"])
        publisher.claim.save_progress(fb_photo_ids=photo_ids)
    data = {"message": message}
    for index, item in enumerate(items):
        data[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_ids[str(item.pk)]})
    answer = publisher._send(post, account, lambda: client.post(f"{account.page_id}/feed", **data))
    return publisher._result(post, client, answer, answer.get("id"))


# --- Instagram: a child container per item, then the CAROUSEL container ------------------


def _create_child(publisher, item: MediaContent, place: int, client, ig: str) -> str:
    url = services.instagram_media_url(media=item, cover=place == 1)
    if not url:
        raise PublishError(
            f"Instagram fetches every file from the internet itself, and {_name(item, place)} "
            "is on this server's own disk, which Instagram cannot reach."
        )
    if item.media_type == MediaContent.MediaType.VIDEO:
        data = {"media_type": "VIDEO", "video_url": url, "is_carousel_item": "true"}
    else:
        data = {"image_url": url, "is_carousel_item": "true"}
    try:
        answer = client.post(f"{ig}/media", **data)
    except GraphError as error:
        raise _not_public(error) from None  # a container is never public
    return str(answer["id"])


def instagram_carousel(publisher, post: ScheduledPost, items, account, client, caption: str):
    """Children (``is_carousel_item=true``) each polled to FINISHED, then ``CAROUSEL``.

    A child in ERROR fails the whole post, naming the item: the post never goes out
    with an item missing. Answers nothing: the caller's container flow
    (``_wait_and_publish``) then publishes the carousel container, one post of the quota.
    """
    state = post.external_state
    ig = account.instagram_account_id
    children = dict(state.get("children") or {})
    finished = set(state.get("children_finished") or [])
    if not children:
        publisher._check_quota(client, ig, post)
    for place, item in enumerate(items, start=1):
        if str(item.pk) not in children:
            children[str(item.pk)] = _create_child(publisher, item, place, client, ig)
            publisher.claim.save_progress(children=children)
    waiting = False
    for place, item in enumerate(items, start=1):
        child = children[str(item.pk)]
        if child in finished:
            continue
        code = client.get(child, fields="status_code,status").get("status_code", "")
        if code == "FINISHED":
            finished.add(child)
        elif code == "IN_PROGRESS":
            waiting = True
        else:
            publisher.claim.save_progress(children={}, children_finished=[])
            raise PublishError(
                f"Instagram could not use {_name(item, place)} (its status: {code or 'unknown'}), "
                "so the carousel was not posted: nothing went out. Replace or remove that item, "
                "then retry."
            )
    publisher.claim.save_progress(children_finished=sorted(finished))
    if waiting:
        if publisher.check_due(post) > settings.SOCIAL_MAX_STATUS_CHECKS:
            publisher.claim.save_progress(children={}, children_finished=[])
            raise PublishError("Instagram took too long to prepare the items; retry to try again.")
        raise PublishInProgress(
            "Instagram is preparing the carousel's items.",
            check_after=settings.SOCIAL_STATUS_CHECK_SECONDS,
        )
    ids = [children[str(item.pk)] for item in items]
    try:
        answer = client.post(
            f"{ig}/media", media_type="CAROUSEL", children=",".join(ids), caption=caption
        )
    except GraphError as error:
        raise _not_public(error) from None
    publisher.claim.save_progress(container_id=str(answer["id"]), checks=0)
