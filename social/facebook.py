"""The Facebook Page publisher: photo, photo set, video or Reel, text and link."""

import logging

from django.conf import settings

from media_content.facebook_video import facebook_video_way
from media_content.models import MediaContent
from publishing.publisher import (
    PublishError,
    PublishInProgress,
    PublishResult,
    PublishUnconfirmed,
)

from . import multi, permalinks, services
from .graph import GraphError, Kind
from .graph_publisher import GraphPublisher
from .reels import ReelsMixin

# Videos go by URL (file_url) up to this size, through the resumable
# start/transfer/finish upload above it or when Meta cannot reach the file. About
# 1 GB by URL, the figure commonly given for file_url; chunked uploads allow about 10 GB.
VIDEO_URL_MAX_BYTES = 1024**3

logger = logging.getLogger(__name__)


class FacebookPublisher(ReelsMixin, GraphPublisher):
    """A Page post: photo by URL or upload, a Reel (social/reels.py), video by URL or
    resumable upload, or text and link."""

    def run(self, post, media, account, client) -> PublishResult:
        state = post.external_state
        if state.get("fb_video_id") and state.get("fb_reel"):
            return self._reel_status(post, account, client, state["fb_video_id"])
        if state.get("fb_video_id"):
            return self._video_status(post, account, client, state["fb_video_id"])
        message = services.compose_message(media=media, network="facebook")
        items = media.items()
        if len(items) > 1:
            return multi.facebook_photo_set(self, post, items, account, client, message)
        url = services.public_media_url(media=media)
        if not items or not items[0].file:
            return self._feed(post, account, client, message, media.link_url)
        if media.media_type == MediaContent.MediaType.VIDEO and facebook_video_way(items[0]).reel:
            return self._reel(post, media, account, client, url)
        if media.media_type == MediaContent.MediaType.VIDEO:
            return self._video(post, media, account, client, url)
        return self._photo(post, media, account, client, message)

    def _send(self, post, account, call):
        """A request that publishes: stamp the post first; a 506 duplicate is not a failure."""
        self.claim.begin_send()
        try:
            return call()
        except GraphError as error:
            if error.kind == Kind.DUPLICATE:
                return {"duplicate": error.message}
            if error.kind != Kind.UNKNOWN_OUTCOME:
                self.claim.end_send()  # Meta answered: nothing was published
            raise

    def _photo(self, post, media, account, client, message) -> PublishResult:
        path = f"{account.page_id}/photos"
        photo, url = services.facebook_photo(media=media)  # with its ribbon, if the post has one
        # Alt text on Page photos: alt_text_custom (Page photos reference).
        extra = {"alt_text_custom": media.alt_text} if media.alt_text.strip() else {}
        if url:
            answer = self._send(
                post, account, lambda: client.post(path, url=url, message=message, **extra)
            )
        else:  # local storage: send the bytes (Meta cannot fetch them)
            with photo.open("rb") as handle:
                content = handle.read()
            file = media.lead_file
            name = "photo.jpg" if photo.name != file.file.name else file.original_filename
            files = {"source": (name or "photo.jpg", content)}
            answer = self._send(
                post, account, lambda: client.post(path, files=files, message=message, **extra)
            )
        return self._result(post, client, answer, answer.get("post_id") or answer.get("id"))

    def _feed(self, post, account, client, message, link) -> PublishResult:
        data = {"message": message, **({"link": link} if link else {})}
        answer = self._send(post, account, lambda: client.post(f"{account.page_id}/feed", **data))
        return self._result(post, client, answer, answer.get("id"))

    def _result(self, post, client, answer, object_id) -> PublishResult:
        if "duplicate" in answer:
            return PublishResult(
                external_id="",
                note=f"{answer['duplicate']} It was not sent again.",
            )
        self._first_comment(post, client, str(object_id))
        # Meta's answer names the post, and facebook.com/{post id} leads to it: no read now.
        # Its permalink is read later, with other posts of the Page (``permalinks``).
        return PublishResult(
            external_id=str(object_id),
            external_url=f"https://www.facebook.com/{object_id}",
            state=permalinks.LINK_WANTED,
        )

    def _video(self, post, media, account, client, url) -> PublishResult:
        path = f"{account.page_id}/videos"
        info = {
            "title": media.title,
            "description": services.compose_message(media=media, network="facebook"),
        }
        if url and media.lead_file.file.size <= VIDEO_URL_MAX_BYTES:
            answer = self._send(
                post, account, lambda: client.post(path, video=True, file_url=url, **info)
            )
        else:
            answer = self._resumable_upload(post, media, account, client, path, info)
        if "duplicate" in answer:
            return self._result(post, client, answer, None)
        self.claim.end_send(fb_video_id=str(answer["id"]), checks=0)
        raise PublishInProgress(
            "Facebook is processing the video.", check_after=settings.SOCIAL_STATUS_CHECK_SECONDS
        )

    def _resumable_upload(self, post, media, account, client, path, info) -> dict:
        """start → transfer chunks → finish (graph-video). Only ``finish`` publishes."""
        size = media.lead_file.file.size
        try:
            start = client.post(path, video=True, upload_phase="start", file_size=str(size))
        except GraphError as error:
            if error.kind == Kind.UNKNOWN_OUTCOME:  # an upload session is not public
                raise GraphError(error.message, kind=Kind.TRANSIENT) from None
            raise
        session_id = start["upload_session_id"]
        # The video's id is known from here: if the finish answer is lost, the post is
        # unconfirmed and the refresh asks Meta about this id (services.refresh_...).
        self.claim.save_progress(
            fb_upload_session=session_id, fb_started_video_id=start["video_id"]
        )
        offset, end = int(start["start_offset"]), int(start["end_offset"])
        with media.lead_file.file.open("rb") as handle:
            while offset < end:
                handle.seek(offset)
                chunk = handle.read(end - offset)
                try:
                    answer = client.post(
                        path,
                        video=True,
                        upload_phase="transfer",
                        upload_session_id=session_id,
                        start_offset=str(offset),
                        files={"video_file_chunk": ("chunk", chunk)},
                    )
                except GraphError as error:
                    # Meta says where to resume (subcode 1363037, error_data offsets).
                    if error.subcode == 1363037 and "start_offset" in error.data:
                        offset, end = int(error.data["start_offset"]), int(error.data["end_offset"])
                        continue
                    if error.kind == Kind.UNKNOWN_OUTCOME:  # a chunk is not public: retry later
                        raise GraphError(error.message, kind=Kind.TRANSIENT) from None
                    raise
                offset, end = int(answer["start_offset"]), int(answer["end_offset"])
        answer = self._send(
            post,
            account,
            lambda: client.post(
                path, video=True, upload_phase="finish", upload_session_id=session_id, **info
            ),
        )
        if "duplicate" in answer:
            return answer
        return {"id": start["video_id"], **answer}

    def _video_status(self, post, account, client, video_id) -> PublishResult:
        """``GET /{video-id}?fields=status``: ready is posted; processing waits; others fail."""
        status = (client.get(video_id, fields="status").get("status")) or {}
        video_status = status.get("video_status", "")
        self.claim.save_progress(fb_video_status=video_status)
        if video_status == "ready":
            self._first_comment(post, client, video_id)
            return PublishResult(
                external_id=video_id,
                external_url=f"https://www.facebook.com/{account.page_id}/videos/{video_id}",
            )
        if video_status in ("processing", "uploading", ""):
            if self.check_due(post) > settings.SOCIAL_MAX_STATUS_CHECKS:
                raise PublishUnconfirmed(
                    "Facebook is still processing the video; it appears on the Page once "
                    "ready. Press Refresh later, or check the Page."
                )
            raise PublishInProgress(
                "Facebook is processing the video.",
                check_after=settings.SOCIAL_STATUS_CHECK_SECONDS,
            )
        self.claim.save_progress(fb_video_id="")  # a retry uploads the video again
        raise PublishError(f"Facebook could not process the video (status “{video_status}”).")
