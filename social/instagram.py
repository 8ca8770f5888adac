"""The Instagram publisher: the container flow (image, Reel, carousel), then media_publish."""

import logging

from django.conf import settings
from django.utils import timezone

from media_content.models import MediaContent
from publishing.publisher import (
    PublishError,
    PublishInProgress,
    PublishResult,
)

from . import instagram_limit, multi, permalinks, services
from .graph import GraphError, Kind
from .graph_publisher import GraphPublisher
from .selectors import IG_WAITING_FOR_ROOM

logger = logging.getLogger(__name__)


class InstagramPublisher(GraphPublisher):
    """The container flow: check the quota, create, wait until FINISHED, media_publish.

    After a 2207042 (the 24-hour limit) the quota is read again before ``media_publish``
    is retried, and the post waits until the window has room (``instagram_limit``).
    """

    destination_name = "Instagram"
    gate_words = "this Instagram account"

    def gate_object_id(self, account) -> str:
        return account.instagram_account_id

    def connection_for(self, organization_id: int):
        """Instagram Login when the dealership has one; else the account linked to its Page."""
        return services.instagram_login_for(organization=organization_id) or super().connection_for(
            organization_id
        )

    def run(self, post, media, account, client) -> PublishResult:
        if not account.instagram_account_id:
            raise PublishError(
                "No Instagram professional account is linked to the dealership's Facebook Page; "
                "link one in the Page's settings, or connect Instagram by Instagram Login."
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
        self._check_quota(client, ig, post)
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

    def _check_quota(self, client, ig: str, post) -> None:
        """Go on only when Meta's moving 24-hour window has room for this post; else wait.

        The quota is read (never assumed): ``quota_total`` as given. A post already waiting
        for room never goes on without a read showing room: a failed read waits too.
        https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
        """
        waiting = bool(post.external_state.get(IG_WAITING_FOR_ROOM))
        try:
            quota = instagram_limit.read_quota(client, ig)
        except GraphError as error:
            if not waiting or error.kind in (Kind.TOKEN, Kind.PERMISSION):
                raise
            raise instagram_limit.unread(error=error) from None
        wait = instagram_limit.room_or_wait(post=post, quota=quota)
        if wait is not None:
            self.claim.save_progress(**{IG_WAITING_FOR_ROOM: timezone.now().isoformat()})
            raise wait
        if waiting:
            self.claim.save_progress(**{IG_WAITING_FOR_ROOM: ""})

    def _refused_for_the_limit(self, post, client, ig: str, refused: GraphError) -> PublishError:
        """Meta answered 2207042: nothing was published. Read the quota and wait for room;
        never publish again at once (a retry reads the quota again first)."""
        self.claim.save_progress(**{IG_WAITING_FOR_ROOM: timezone.now().isoformat()})
        try:
            quota = instagram_limit.read_quota(client, ig)
        except GraphError as error:
            if error.kind in (Kind.TOKEN, Kind.PERMISSION):
                raise
            return instagram_limit.unread(error=error, refused=refused)
        return instagram_limit.room_or_wait(post=post, quota=quota, refused=refused)

    def _wait_and_publish(self, post, account, client, container_id) -> PublishResult:
        status = client.get(container_id, fields="status_code,status")
        code = status.get("status_code", "")
        if code != "FINISHED":  # a finished one is recorded by the send's own write, below
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
            if post.external_state.get(IG_WAITING_FOR_ROOM):
                # It expired while the post waited for room (up to a day): a container is
                # never public, so a new one is made, the quota read first.
                self.claim.save_progress(children={}, children_finished=[])
                raise PublishInProgress("Preparing the post for Instagram again.", check_after=0)
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
        if post.external_state.get(IG_WAITING_FOR_ROOM):  # refused for the limit before
            self.claim.save_progress(container_status=code)
            self._check_quota(client, ig, post)
        self.claim.begin_send(container_status=code)
        try:
            answer = client.post(f"{ig}/media_publish", creation_id=container_id)
        except GraphError as error:
            if error.kind != Kind.UNKNOWN_OUTCOME:
                self.claim.end_send()
            if error.kind == Kind.DAILY_LIMIT:
                raise self._refused_for_the_limit(post, client, ig, error) from None
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
        # Only a read tells the permalink (its short code is not the media id): it is read
        # later, with the account's other new posts (``permalinks``).
        return PublishResult(external_id=media_id, state=permalinks.LINK_WANTED)
