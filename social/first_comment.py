"""The first comment: posted once, right after the post went out, and never failing it.

``POST /{post-id}/comments`` on Facebook, ``POST /{ig-media-id}/comments`` on
Instagram, with ``message``. The outcome is kept in the post's
``external_state["first_comment"]`` ({"status": "posted"|"failed"|"unknown",
"error": ..., "id": ...}); its presence means "already tried", so a later run of
the same post (a staff "send again", a retry) never comments a second time. The
record is written *before* the request, so a worker that dies while it is in
flight leaves "sending", which is shown like an unknown outcome, never resent.
"""

import logging
from collections.abc import Callable

from media_content.models import MediaContent

from .graph import GraphClient, GraphError, Kind

logger = logging.getLogger(__name__)

# What Meta asks for to comment as the Page (Page comments reference) or on the
# account's own Instagram media (IG Media comments reference).
COMMENT_PERMISSION = {
    "Facebook": "pages_manage_engagement",
    "Instagram": "instagram_manage_comments",
}


def send_first_comment(
    *,
    media: MediaContent,
    state: dict,
    client: GraphClient,
    object_id: str,
    save: Callable[..., None],
) -> dict | None:
    """Comment ``media.first_comment`` on the published object, once; answer the record.

    ``save(**state)`` stores progress under the post's claim. Never raises a
    GraphError: the post is out, and the comment's fate is only shown beside it.
    """
    text = (media.first_comment or "").strip()
    if not text or not object_id or state.get("first_comment"):
        return None
    network = client.network
    save(first_comment={"status": "sending"})
    try:
        answer = client.post(f"{object_id}/comments", message=text)
    except GraphError as error:
        record = {"status": "failed", "error": _words(error, network)}
        if error.kind == Kind.UNKNOWN_OUTCOME:
            record = {
                "status": "unknown",
                "error": f"{network} did not answer after we sent it, so it may or may not "
                "be there. Check the post; it is not sent again by itself.",
            }
        logger.warning("First comment on %s %s: %s", network, object_id, record["error"])
    except Exception:  # the post is out: nothing about its comment may change that
        logger.exception("First comment on %s %s crashed.", network, object_id)
        record = {
            "status": "unknown",
            "error": "an unexpected error stopped it; our team has been told. Check the post.",
        }
    else:
        record = {"status": "posted", "id": str(answer.get("id", ""))}
    save(first_comment=record)
    return record


def _words(error: GraphError, network: str) -> str:
    if error.kind in (Kind.PERMISSION, Kind.TOKEN):
        return (
            f"{network} refused it: the connection lacks the "
            f"{COMMENT_PERMISSION.get(network, 'comment')} permission. Staff can reconnect "
            f"the Page with it. ({error.message})"
        )
    return error.message
