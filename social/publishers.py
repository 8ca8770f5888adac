"""Publishers for Facebook and Instagram: one class per destination, chosen in settings.

``settings.PUBLISHERS`` maps a destination to a class path (like
EMAIL_BACKEND); ``SOCIAL_PUBLISHER`` chooses "graph" (these classes) or
"sandbox". Each ``publish(post)`` runs under the post's claim (see
media_content/publishing.py) and either answers a PublishResult or raises.
"""

import contextlib
import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings

from media_content.models import MediaContent, ScheduledPost
from media_content.processing.facebook_video import facebook_video_way
from media_content.publisher_api import (
    Claim,
    PublishError,
    PublishInProgress,
    PublishResult,
    PublishUnconfirmed,
)

from . import multi, services
from .crypto import TokenUnreadable
from .first_comment import send_first_comment
from .graph import GraphClient, GraphError, Kind
from .models import SocialAccount
from .reels import ReelsMixin

logger = logging.getLogger(__name__)


class SandboxPublisher:
    """Records what would have been posted and answers made-up ids; nothing leaves the machine."""

    label = "sandbox"

    def publish(self, post: ScheduledPost, claim: Claim) -> PublishResult:
        self.claim = claim
        media = post.media_content
        record = {
            "sandbox": True,
            "destination": post.destination,
            "message": services.compose_message(media=media, network=post.destination)
            if media and post.destination in ("facebook", "instagram")
            else post.title,
            "media_url": media.media_url if media else "",
            "item_urls": [item.media_url for item in media.items()] if media else [],
        }
        self.claim.save_progress(**record)
        logger.info("Sandbox: post %s recorded for %s, nothing sent.", post.pk, post.destination)
        return PublishResult(
            external_id=f"sandbox_{secrets.token_hex(8)}",
            note="Sandbox: recorded, not sent to Meta.",
        )


def to_publish_error(
    error: GraphError, *, account: SocialAccount, network: str = "Facebook", media_url: str = ""
) -> Exception:
    """Map a classified Graph error onto the publishing outcome it calls for."""
    if error.kind in (Kind.TOKEN, Kind.PERMISSION):
        services.account_mark_needs_reconnect(account=account, message=error.message)
        return PublishError(error.message, permanent=True)
    if error.kind == Kind.DAILY_LIMIT:
        return PublishError(
            error.message,
            permanent=False,
            retry_after=max(error.retry_after or 0, settings.SOCIAL_DAILY_LIMIT_WAIT_SECONDS),
            retry_budget=("retries_daily_limit", settings.SOCIAL_DAILY_LIMIT_MAX_WAITS),
        )
    if error.kind == Kind.POLICY:
        return PublishError(
            error.message,
            permanent=False,
            retry_after=max(error.retry_after or 0, settings.SOCIAL_BLOCKED_WAIT_SECONDS),
            retry_budget=("retries_blocked", 1),
        )
    if error.kind == Kind.MEDIA_UNREACHABLE:
        host = urlsplit(media_url).hostname or "our file host"
        words = (
            f"{network} could not download the file from {host}. Check that {host} is "
            "reachable from the internet."
        )
        return PublishError(
            error.describe(words),
            permanent=False,
            retry_after=error.retry_after,
            retry_budget=("retries_media_fetch", settings.SOCIAL_MEDIA_FETCH_MAX_RETRIES),
        )
    if error.retryable:
        return PublishError(error.message, permanent=False, retry_after=error.retry_after)
    if error.kind == Kind.UNKNOWN_OUTCOME:
        return PublishUnconfirmed(error.message)
    if error.kind == Kind.NOT_READY:
        return PublishInProgress(error.message, check_after=settings.SOCIAL_STATUS_CHECK_SECONDS)
    return PublishError(error.message, permanent=True)


class GraphPublisher:
    """What Facebook and Instagram share: the account, its client, and error mapping."""

    label = "graph"
    destination_name = "Facebook"

    def publish(self, post: ScheduledPost, claim: Claim) -> PublishResult:
        self.claim = claim
        media = post.media_content
        if media is None:
            raise PublishError("The media item was deleted before it could be published.")
        account = self.usable_account(post.organization_id)
        try:
            client = GraphClient(account.get_token(), network=self.destination_name)
        except TokenUnreadable as error:
            services.account_mark_needs_reconnect(account=account, message=str(error))
            raise PublishError(str(error)) from None
        try:
            return self.run(post, media, account, client)
        except GraphError as error:
            raise to_publish_error(
                error,
                account=account,
                network=self.destination_name,
                media_url=services.public_media_url(media=media) or "",
            ) from None

    def usable_account(self, organization_id: int) -> SocialAccount:
        account = services.account_for(organization=organization_id)
        if account is None or not account.has_token:
            raise PublishError(
                "No Facebook Page is connected for this dealership; staff can connect one "
                "in the admin."
            )
        if account.status == SocialAccount.Status.DISABLED:
            raise PublishError(
                "Posting to Facebook and Instagram is turned off for this dealership."
            )
        if account.status == SocialAccount.Status.NEEDS_RECONNECT:
            raise PublishError(
                "The Facebook connection of this dealership must be reconnected by staff "
                f"before anything can be posted. {account.last_error}".strip()
            )
        if account.token_expired:
            message = "The Facebook Page token has expired; staff must reconnect the Page."
            services.account_mark_needs_reconnect(account=account, message=message)
            raise PublishError(message)
        return account

    def run(self, post, media, account, client) -> PublishResult:
        raise NotImplementedError

    def _first_comment(self, post: ScheduledPost, client: GraphClient, object_id: str) -> None:
        """Right after the post went out: its first comment, once; never fails the post."""
        if post.media_content is not None:
            send_first_comment(
                media=post.media_content,
                state=post.external_state,
                client=client,
                object_id=object_id,
                save=lambda **state: self.claim.save_progress(**state),
            )

    def check_due(self, post: ScheduledPost) -> int:
        """Count a status check; past the bound the caller gives up."""
        checks = int(post.external_state.get("checks", 0)) + 1
        self.claim.save_progress(checks=checks)
        return checks


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
        if not media.file:
            return self._feed(post, account, client, message, media.link_url)
        if media.media_type == MediaContent.MediaType.VIDEO and facebook_video_way(media).reel:
            return self._reel(post, media, account, client, url)
        if media.media_type == MediaContent.MediaType.VIDEO:
            return self._video(post, media, account, client, url)
        return self._photo(post, media, account, client, message, url)

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

    def _photo(self, post, media, account, client, message, url) -> PublishResult:
        path = f"{account.page_id}/photos"
        # Alt text on Page photos: alt_text_custom (Page photos reference).
        extra = {"alt_text_custom": media.alt_text} if media.alt_text.strip() else {}
        if url:
            answer = self._send(
                post, account, lambda: client.post(path, url=url, message=message, **extra)
            )
        else:  # local storage: send the bytes (Meta cannot fetch them)
            with media.file.open("rb") as handle:
                content = handle.read()
            files = {"source": (media.original_filename or "photo.jpg", content)}
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
        url = f"https://www.facebook.com/{object_id}"
        with contextlib.suppress(GraphError):  # the post is out; a missing link is no failure
            url = client.get(str(object_id), fields="permalink_url").get("permalink_url") or url
        return PublishResult(external_id=str(object_id), external_url=url)

    def _video(self, post, media, account, client, url) -> PublishResult:
        path = f"{account.page_id}/videos"
        info = {
            "title": media.title,
            "description": services.compose_message(media=media, network="facebook"),
        }
        if url and media.file.size <= settings.FACEBOOK_VIDEO_URL_MAX_BYTES:
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
        size = media.file.size
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
        with media.file.open("rb") as handle:
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


class InstagramPublisher(GraphPublisher):
    """The container flow: check the quota, create, wait until FINISHED, media_publish."""

    destination_name = "Instagram"

    def run(self, post, media, account, client) -> PublishResult:
        if not account.instagram_account_id:
            raise PublishError(
                "No Instagram professional account is linked to the dealership's Facebook Page."
            )
        state = post.external_state
        items = media.items()
        if not state.get("container_id") and len(items) > 1:
            caption = services.compose_message(media=media, network="instagram")
            multi.instagram_carousel(self, post, items, account, client, caption)
        elif not state.get("container_id"):
            self._create_container(post, media, account, client)
        return self._wait_and_publish(post, account, client, post.external_state["container_id"])

    def _create_container(self, post, media, account, client) -> None:
        url = services.instagram_media_url(media=media)
        if not url:
            raise PublishError(
                "Instagram fetches the file from the internet itself, and this server keeps "
                "media on its own disk, which Instagram cannot reach. Store media on S3 "
                "(MEDIA_STORAGE=s3) to post to Instagram."
            )
        ig = account.instagram_account_id
        self._check_quota(client, ig)
        caption = services.compose_message(media=media, network="instagram")
        if media.media_type == MediaContent.MediaType.VIDEO:
            # media_type=VIDEO is retired; single videos are Reels (content publishing guide).
            data = {"media_type": "REELS", "video_url": url, "caption": caption}
        else:
            data = {"image_url": url, "caption": caption}
            if media.alt_text.strip():  # image containers only (IG User Media reference)
                data["alt_text"] = media.alt_text
        try:
            answer = client.post(f"{ig}/media", **data)
        except GraphError as error:
            if error.kind == Kind.UNKNOWN_OUTCOME:
                # A container is never public (it expires unpublished after 24 hours):
                # creating another one is safe.
                raise GraphError(error.message, kind=Kind.TRANSIENT) from None
            raise
        self.claim.save_progress(container_id=str(answer["id"]), checks=0)

    def _check_quota(self, client, ig: str) -> None:
        """Meta's moving 24-hour publishing quota, read (never assumed): ``quota_total`` as given.

        https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
        """
        answer = client.get(f"{ig}/content_publishing_limit", fields="config,quota_usage")
        data = (answer.get("data") or [{}])[0]
        usage = data.get("quota_usage") or 0
        config = data.get("config") or {}
        total = config.get("quota_total")
        if total is not None and usage >= total:
            raise PublishError(
                f"Instagram allows {total} posts by apps per 24 hours and this account has "
                "reached it; we will try again later.",
                permanent=False,
                retry_after=min(float(config.get("quota_duration") or 86400) / 24, 3600.0),
            )

    def _wait_and_publish(self, post, account, client, container_id) -> PublishResult:
        status = client.get(container_id, fields="status_code,status")
        code = status.get("status_code", "")
        self.claim.save_progress(container_status=code)
        if code == "IN_PROGRESS":
            if self.check_due(post) > settings.SOCIAL_MAX_STATUS_CHECKS:
                self.claim.save_progress(container_id="")
                raise PublishError(
                    "Instagram took too long to prepare the media; retry to try again."
                )
            raise PublishInProgress(
                "Instagram is preparing the media.",
                check_after=settings.SOCIAL_STATUS_CHECK_SECONDS,
            )
        if code == "ERROR":
            self.claim.save_progress(container_id="")
            detail = status.get("status") or ""
            raise PublishError(
                "Instagram could not use the media (for Reels: MP4 with H.264 video and AAC "
                f"audio, 3 seconds to 15 minutes; images: JPEG). {detail}".strip()
            )
        if code == "EXPIRED":
            self.claim.save_progress(container_id="")
            raise PublishError(
                "Instagram discarded the prepared post because it was not published within "
                "24 hours; retry to prepare it again."
            )
        if code == "PUBLISHED":
            return PublishResult(
                external_id="", note="Instagram reports this post is already published."
            )
        if code != "FINISHED":
            raise PublishError(f"Instagram answered an unknown container state “{code}”.")
        ig = account.instagram_account_id
        self.claim.begin_send()
        try:
            answer = client.post(f"{ig}/media_publish", creation_id=container_id)
        except GraphError as error:
            if error.kind != Kind.UNKNOWN_OUTCOME:
                self.claim.end_send()
            if error.kind == Kind.NOT_READY and (
                self.check_due(post) > settings.SOCIAL_MAX_STATUS_CHECKS
            ):
                raise PublishError(
                    "Instagram kept saying the media was not ready; retry to try again. "
                    f"{error.message}"
                ) from None
            raise
        media_id = str(answer["id"])
        self._first_comment(post, client, media_id)
        url = ""
        with contextlib.suppress(GraphError):  # published; the link can be read later
            url = client.get(media_id, fields="permalink").get("permalink", "")
        return PublishResult(external_id=media_id, external_url=url)
