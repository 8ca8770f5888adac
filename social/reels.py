"""Facebook Page Reels: start, upload to the rupload host, finish; then the status checks.

Reels Publishing API (https://developers.facebook.com/docs/video-api/guides/reels-publishing):
1. ``POST /{page-id}/video_reels`` ``upload_phase=start`` answers ``video_id`` and
   ``upload_url`` (on rupload.facebook.com);
2. ``POST {upload_url}`` with ``Authorization: OAuth <token>`` and either the header
   ``file_url: <public url>`` ("hosted file") or the bytes as the body with ``offset``
   and ``file_size`` headers ("local file");
3. ``POST /{page-id}/video_reels`` ``upload_phase=finish``, ``video_id``,
   ``video_state=PUBLISHED``, ``description``: this is what publishes;
then ``GET /{video-id}?fields=status`` until ``video_status`` is ready (its
``publishing_phase`` complete). Only step 3 makes anything public, so only it runs
under ``claim.begin_send``; the video id is saved at step 1 so that a finish whose
answer was lost can be settled by asking Meta (``settling.refresh_media_destinations``).

Meta allows 30 API-published Reels per Page in a moving 24 hours, "enforced on the
POST /{page_id}/video_reels endpoint", and recommends apps enforce it too (same
page, "Rate Limit"): we count ours before sending and wait for room.
"""

import contextlib
import datetime
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from publishing.publisher import (
    LostClaim,
    PublishError,
    PublishInProgress,
    PublishResult,
    PublishUnconfirmed,
)

from . import selectors, services
from .graph import GraphError, Kind
from .models import SocialAccount

DAY = datetime.timedelta(hours=24)


def reel_url(video_id: str) -> str:
    return f"https://www.facebook.com/reel/{video_id}"


def _wait_words(seconds: float) -> str:
    hours = seconds / 3600
    if hours >= 1:
        return f"about {math.ceil(hours)} hour{'s' if math.ceil(hours) > 1 else ''}"
    return f"about {max(1, math.ceil(seconds / 60))} minutes"


class ReelsMixin:
    """For FacebookPublisher: needs ``self.claim``, ``self._send`` and ``self.check_due``."""

    def _reels_room(self, post, account) -> None:
        """Hold a place in the Page's 24-hour window, or refuse in words (back to pending).

        One Page's count and its new place are taken under a lock on its account row,
        so two workers cannot both take the 30th place.
        """
        with transaction.atomic():
            SocialAccount.objects.select_for_update().filter(pk=account.pk).exists()
            now = timezone.now()
            sent = selectors.reels_sent_since(
                page_id=account.page_id, since=now - DAY, excluding=post.pk
            )
            limit = settings.FACEBOOK_REELS_PER_24H
            if len(sent) < limit:
                self.claim.save_progress(
                    fb_reel=True, fb_reel_page=account.page_id, fb_reel_sent_at=now.isoformat()
                )
                return
        wait = max(60.0, (sent[-limit] + DAY - now).total_seconds())
        raise PublishError(
            f"This Page has published {len(sent)} Reels through us in the last 24 hours, "
            f"Meta's limit is {limit}; the Reel goes out when the window has room again, in "
            f"{_wait_words(wait)}.",
            permanent=False,
            retry_after=wait,
            retry_budget=("retries_daily_limit", settings.SOCIAL_DAILY_LIMIT_MAX_WAITS),
        )

    def _give_back_place(self) -> None:
        """Nothing went out: this Reel no longer counts against the Page's window."""
        with contextlib.suppress(LostClaim):
            self.claim.save_progress(fb_reel_sent_at="")

    def _reel(self, post, media, account, client, url) -> PublishResult:
        path = f"{account.page_id}/video_reels"
        self._reels_room(post, account)
        self._finish_sent = False
        try:
            return self._reel_phases(post, media, account, client, url, path)
        except PublishInProgress:
            raise
        except GraphError as error:
            if error.kind != Kind.UNKNOWN_OUTCOME:  # Meta answered: no Reel went out
                self._give_back_place()
            raise
        except Exception:
            if not self._finish_sent:  # e.g. the file could not be read: nothing went out
                self._give_back_place()
            raise

    def _reel_phases(self, post, media, account, client, url, path) -> PublishResult:
        try:
            start = client.post(path, upload_phase="start")
            video_id = str(start["video_id"])
            upload_url = str(start.get("upload_url") or "") or (
                f"{settings.FACEBOOK_RUPLOAD_URL.rstrip('/')}/video-upload/"
                f"{settings.FACEBOOK_GRAPH_VERSION}/{video_id}"
            )
            # Known from here: a finish whose answer is lost is asked about by this id.
            self.claim.save_progress(fb_started_video_id=video_id)
            size = media.lead_file.file.size
            if url:  # hosted file: Meta downloads it
                # offset and file_size too: the host refuses a file_url upload without them
                # ("Header Offset not convertable to unsigned long").
                headers = {"file_url": url, "offset": "0", "file_size": str(size)}
                client.rupload(upload_url, headers=headers)
            else:  # local storage: Meta cannot reach the file, send its bytes
                headers = {"offset": "0", "file_size": str(size)}
                with media.lead_file.file.open("rb") as handle:
                    client.rupload(upload_url, headers=headers, data=handle)
        except GraphError as error:
            if error.kind == Kind.UNKNOWN_OUTCOME:  # start and upload publish nothing
                raise GraphError(error.message, kind=Kind.TRANSIENT) from None
            raise
        description = services.compose_message(media=media, network="facebook")
        self._finish_sent = True
        answer = self._send(
            post,
            account,
            lambda: client.post(
                path,
                upload_phase="finish",
                video_id=video_id,
                video_state="PUBLISHED",
                description=description,
            ),
        )
        if "duplicate" in answer:
            return self._result(post, client, answer, None)
        self.claim.end_send(fb_video_id=video_id, checks=0)
        raise PublishInProgress(
            "Facebook is publishing the Reel.", check_after=settings.SOCIAL_STATUS_CHECK_SECONDS
        )

    def _reel_status(self, post, account, client, video_id) -> PublishResult:
        """Ready, or its publishing phase complete: posted. An error phase fails it."""
        status = client.get(video_id, fields="status").get("status") or {}
        video_status = str(status.get("video_status", ""))
        publishing = status.get("publishing_phase") or {}
        self.claim.save_progress(fb_video_status=video_status)
        failed = [
            phase
            for phase in ("uploading_phase", "processing_phase", "publishing_phase")
            if (status.get(phase) or {}).get("status") == "error"
        ]
        if video_status == "error" or failed:
            errors = [
                str(e.get("message"))
                for phase in failed
                for e in (status[phase].get("errors") or [])
                if isinstance(e, dict) and e.get("message")
            ]
            self.claim.save_progress(fb_video_id="", fb_reel_sent_at="")  # a retry starts over
            detail = f" Facebook says: {' '.join(errors)}" if errors else ""
            raise PublishError(f"Facebook could not publish the Reel.{detail}")
        if video_status == "ready" or publishing.get("status") == "complete":
            self._first_comment(post, client, video_id)
            return PublishResult(external_id=video_id, external_url=reel_url(video_id))
        if self.check_due(post) > settings.SOCIAL_MAX_STATUS_CHECKS:
            raise PublishUnconfirmed(
                "Facebook is still processing the Reel; it appears on the Page once ready. "
                "Press Refresh later, or check the Page."
            )
        raise PublishInProgress(
            "Facebook is publishing the Reel.", check_after=settings.SOCIAL_STATUS_CHECK_SECONDS
        )
