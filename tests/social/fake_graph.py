"""A fake Graph API over real HTTP on 127.0.0.1 (wsgiref in a thread, ephemeral port).

It keeps every request it receives and answers like Meta: ids for posts, the
Instagram container flow, publishing limits, multi-id reads (``GET /?ids=``, refused
whole when one id cannot be read; ``delete_post`` makes one so), and, when told to,
errors with Meta's error object and usage headers, a slow answer, or a held answer.

Scripting: ``fake.script("POST", "/photos", Reply(...), Reply(...))`` queues
replies for requests whose path ends with the suffix; each is used once, then
the default answer applies again (``fake.script("POST", "/comments", graph_error(...))``
makes a first comment fail). ``Reply(raw=b"")`` answers a bare body (a
proxy's 504 carries no Graph error object), and ``Reply(done=True)`` carries out
the request first, as Meta does when only its answer is lost. What Meta made
public is kept in ``published``.

Time is ``time.time()``, so ``time_machine`` moves the fake too: Instagram's publishing
quota is a moving window of the publishes in its ``quota_duration`` (``fill_ig_quota``
puts publishes made elsewhere in it), and a container left unpublished expires after 24
hours, as Meta documents.
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

TOKEN_HEADER = "HTTP_AUTHORIZATION"
# What a token granted everything in the Connections dialog carries (debug_token scopes).
ALL_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "publish_video",
    "business_management",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
)
PUBLISHING_EDGES = {"photos", "feed", "videos", "video_reels", "media", "media_publish", "comments"}
# What a proxy in front of Meta answers when it gives up waiting: no Graph error object.
PROXY_504 = b"<html><body><h1>504 Gateway Time-out</h1></body></html>"


@dataclass
class Reply:
    status: int = 200
    body: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    hold: threading.Event | None = None  # answer only once this is set
    raw: bytes | None = None  # a bare body instead of JSON (e.g. a proxy's 504 page)
    done: bool = False  # carry the request out, then answer this instead of the result


def graph_error(
    code: int,
    message: str = "An error happened",
    *,
    status: int = 400,
    subcode: int | None = None,
    transient: bool = False,
    user_msg: str = "",
    headers: dict | None = None,
    error_data: dict | None = None,
) -> Reply:
    error = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "is_transient": transient,
        "fbtrace_id": f"Atrace{code}",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_msg:
        error["error_user_msg"] = user_msg
    if error_data:
        error["error_data"] = error_data
    return Reply(status=status, body={"error": error}, headers=headers or {})


@dataclass
class Request:
    method: str
    path: str
    params: dict
    authorization: str
    body: bytes
    headers: dict = field(default_factory=dict)  # lower-case names, as the client sent them


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class FakeGraph:
    def __init__(self):
        self.requests: list[Request] = []
        self.scripts: list[tuple[str, str, list[Reply]]] = []
        self.phase_scripts: dict[str, list[Reply]] = {}
        self.received = threading.Event()
        self.lock = threading.Lock()
        self.ids = itertools.count(1000)
        self.published: list[tuple[str, str]] = []  # (edge, id) of what went public
        # Instagram containers: id -> {"status_code", "caption", "media_id"}; and the
        # account's published media, newest last (GET /{ig-user-id}/media lists them).
        self.containers: dict[str, dict] = {}
        self.ig_media: list[dict] = []
        self.video_polls_in_progress = 1  # status reads of a video container before FINISHED
        self.sessions: dict[str, dict] = {}  # resumable video uploads: size, bytes received
        # Page Reels: video id -> {"uploaded", "published", "polls_left"}; status reads of a
        # published Reel answer "processing" polls_left times, then ready.
        self.reels: dict[str, dict] = {}
        self.reel_polls_processing = 1
        # Tokens Meta knows: token -> "page", "user", "app" or "instagram" (an Instagram
        # Login token, good on the Instagram host only). Empty: any bearer is a Page token.
        self.tokens: dict[str, str] = {}
        # What debug_token says of a token beyond its kind: scopes, user_id, profile_id,
        # is_valid/error, expires_at, data_access_expires_at (debug_token reference).
        self.token_info: dict[str, dict] = {}
        # With an app secret, every call must carry appsecret_proof ("Require App Secret").
        self.app_secret = ""
        # Public URL prefixes Meta fetches, mapped to where this machine serves them.
        self.url_map: dict[str, str] = {}
        self.fetched: list[tuple[str, int]] = []
        self.comments: list[tuple[str, str]] = []  # (object id, message) of comments made
        # Photos uploaded with published=false (Page photos reference): not public until a
        # feed post attaches them (attached_media); the feed posts made, with what they carry.
        self.unpublished_photos: set[str] = set()
        self.feed_posts: list[dict] = []
        # Carousel children whose media URL contains one of these fail (status ERROR).
        self.failing_children: list[str] = []
        # Instagram's publishing limit (IG User content_publishing_limit): the config, and
        # when each publish counted against it happened (time.time()), oldest first.
        self.ig_quota_config = {"quota_total": 50, "quota_duration": 86400}
        self.ig_publish_times: list[float] = []
        # Page videos (``/videos``): video id -> {"finished", "polls_left"}; status reads of a
        # finished video answer "processing" polls_left times, then ready. A video named in
        # ``video_failures`` reads as failed in that phase, with Meta's message.
        self.videos: dict[str, dict] = {}
        self.video_polls_processing = 0
        self.video_failures: dict[str, tuple[str, str]] = {}
        self.page = {"id": "111", "name": "Sunrise Motors", "ig": "17841400000000001"}
        self.server = make_server(
            "127.0.0.1", 0, self.app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeGraph":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- telling it what to answer ---------------------------------------------
    def script(self, method: str, suffix: str, *replies: Reply) -> None:
        with self.lock:
            self.scripts.append((method, suffix, list(replies)))

    def script_phase(self, phase: str, *replies: Reply) -> None:
        """Replies for the resumable video upload's ``upload_phase`` (start, transfer, finish)."""
        with self.lock:
            self.phase_scripts.setdefault(phase, []).extend(replies)

    @property
    def ig_quota(self) -> dict:
        """What ``GET /{ig-user-id}/content_publishing_limit`` answers now."""
        duration = self.ig_quota_config["quota_duration"]
        with self.lock:
            now = time.time()
            usage = sum(1 for t in self.ig_publish_times if now - t < duration)
        return {"quota_usage": usage, "config": dict(self.ig_quota_config)}

    @ig_quota.setter
    def ig_quota(self, quota: dict) -> None:
        """Set the config, and ``quota_usage`` publishes made elsewhere just now."""
        self.ig_quota_config = dict(quota["config"])
        with self.lock:
            self.ig_publish_times = []
        self.fill_ig_quota(quota.get("quota_usage", 0))

    def fill_ig_quota(self, count: int, *, at: float | None = None) -> None:
        """``count`` publishes at ``at`` (default now) count against the account's window."""
        when = time.time() if at is None else at
        with self.lock:
            self.ig_publish_times = sorted([*self.ig_publish_times, *[when] * count])

    def fail_video(self, video_id: str, message: str, *, phase: str = "processing_phase") -> None:
        """Meta gives up on this video or Reel: its status reads ``error`` in ``phase``."""
        with self.lock:
            self.video_failures[video_id] = (phase, message)

    def calls(self, method: str | None = None, suffix: str = "") -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and r.path.endswith(suffix)
            ]

    # --- the WSGI app ----------------------------------------------------------
    def app(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        content_type = environ.get("CONTENT_TYPE", "")
        if body and content_type.startswith("application/x-www-form-urlencoded"):
            params.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        elif body and content_type.startswith("multipart/form-data"):
            params.update(_multipart_fields(body, content_type))
        headers = {
            key[5:].lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        request = Request(method, path, params, environ.get(TOKEN_HEADER, ""), body, headers)
        with self.lock:
            self.requests.append(request)
            reply = self._scripted(method, path)
            phase = self.phase_scripts.get(params.get("upload_phase", ""))
            if reply is None and phase:
                reply = phase.pop(0)
        self.received.set()
        if reply is None or reply.done:
            result = self._default(request)
            reply = reply or result
        if reply.hold is not None:
            reply.hold.wait(30)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw is not None:
            headers = {"Content-Type": "text/html", **reply.headers}
            start_response(f"{reply.status} X", list(headers.items()))
            return [reply.raw]
        headers = [("Content-Type", "application/json"), *list(reply.headers.items())]
        start_response(f"{reply.status} X", headers)
        return [json.dumps(reply.body).encode()]

    def _scripted(self, method: str, path: str) -> Reply | None:
        for script_method, suffix, replies in self.scripts:
            if script_method == method and path.endswith(suffix) and replies:
                return replies.pop(0)
        return None

    def _default(self, request: Request) -> Reply:
        if request.path.startswith("/video-upload/"):
            return self._rupload(request)
        token = request.authorization.removeprefix("Bearer ")
        if not request.authorization.startswith("Bearer ") or (
            self.tokens and (token not in self.tokens or self.tokens[token] == "instagram")
        ):
            return graph_error(190, "Invalid OAuth access token", status=401, subcode=467)
        refused = self.proof_refused(request, token)
        if refused is not None:
            return refused
        path = request.path.split("/", 2)[-1]  # drop the version
        parts = path.split("/")
        if request.method == "GET" and parts == ["debug_token"]:
            return self._debug_token(request.params.get("input_token", ""))
        if request.method == "GET":
            return self._read(request, parts)
        if self.tokens.get(token) == "user" and parts[-1] in PUBLISHING_EDGES:
            # What Meta answers a User token on a Page's publishing edges.
            return graph_error(
                200,
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission",
                status=403,
            )
        new_id = str(next(self.ids))
        edge = parts[-1]
        if edge in ("photos", "media") or (edge == "videos" and "file_url" in request.params):
            url = request.params.get("url") or request.params.get("image_url")
            url = url or request.params.get("video_url") or request.params.get("file_url")
            if url and not self._fetch(url):
                return self._unfetchable(edge, url)
        if edge == "photos":
            if request.params.get("published") == "false":
                with self.lock:
                    self.unpublished_photos.add(new_id)
                return Reply(body={"id": new_id})
            with self.lock:
                self.published.append(("photos", new_id))
            return Reply(body={"id": new_id, "post_id": f"{parts[0]}_{new_id}"})
        if edge == "feed":
            return self._feed(request, f"{parts[0]}_{new_id}")
        if edge == "videos":
            return self._video(request, new_id)
        if edge == "video_reels":
            return self._reel(request, parts[0], new_id)
        if edge == "media" and request.params.get("is_carousel_item") == "true":
            return self._carousel_child(request, f"c{new_id}")
        if edge == "media" and request.params.get("media_type") == "CAROUSEL":
            return self._carousel(request, f"c{new_id}")
        if edge == "media":
            is_video = request.params.get("media_type") in ("REELS", "VIDEO")
            with self.lock:
                self.containers[f"c{new_id}"] = {
                    # Meta prepares a video for a while; an image is ready at once.
                    "status_code": "IN_PROGRESS" if is_video else "FINISHED",
                    "polls_left": self.video_polls_in_progress if is_video else 0,
                    "caption": request.params.get("caption", ""),
                    "media_id": None,
                    "created": time.time(),
                }
            return Reply(body={"id": f"c{new_id}"})
        if edge == "media_publish":
            return self._media_publish(request.params.get("creation_id", ""), f"m{new_id}")
        if edge == "comments":
            return self._comment(parts[0], request.params.get("message", ""), new_id)
        return Reply(body={"id": new_id})

    def proof_refused(self, request: Request, token: str) -> Reply | None:
        """Meta's answers when the app requires appsecret_proof and it is missing or wrong."""
        if not self.app_secret:
            return None
        proof = request.params.get("appsecret_proof", "")
        if not proof:
            return graph_error(100, "API calls from the server require an appsecret_proof argument")
        expected = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(proof, expected):
            return graph_error(100, "Invalid appsecret_proof provided in the API argument")
        return None

    def _debug_token(self, input_token: str) -> Reply:
        """``GET /debug_token``: the kind, validity and scopes of a token (reference page)."""
        kind = self.tokens.get(input_token) if self.tokens else "page"
        info = dict(self.token_info.get(input_token, {}))
        if kind is None or kind == "instagram":
            data = {
                "is_valid": False,
                "scopes": [],
                "error": {"code": 190, "message": "Invalid OAuth access token.", "subcode": 467},
            }
            return Reply(body={"data": data})
        data = {
            "app_id": "4242",
            "application": "Dealer Media",
            "type": kind.upper(),
            "is_valid": True,
            "expires_at": 0,
            "data_access_expires_at": int(time.time()) + 90 * 86400,
            "scopes": list(ALL_SCOPES),
            "user_id": "10001",
        }
        if kind == "page":
            data["profile_id"] = self.page["id"]
        data.update(info)
        return Reply(body={"data": data})

    def _comment(self, object_id: str, message: str, new_id: str) -> Reply:
        """``POST /{object-id}/comments``: only on something published, and only with text."""
        with self.lock:
            known = any(
                object_id == published or object_id.endswith(f"_{published}")
                for _, published in self.published
            )
            if not known:
                # What Meta answers for an id it does not know (Graph API errors, code 100/33).
                return graph_error(
                    100,
                    f"Unsupported post request. Object with ID '{object_id}' does not exist",
                    subcode=33,
                )
            if not message.strip():
                return graph_error(100, "(#100) The parameter message is required")
            self.comments.append((object_id, message))
        # Facebook comment ids are "{object}_{comment}"; Instagram's are plain numbers.
        comment_id = new_id if object_id.startswith("m") else f"{object_id}_{new_id}"
        return Reply(body={"id": comment_id})

    def _read(self, request: Request, parts: list[str]) -> Reply:
        fields = request.params.get("fields", "")
        if parts == [""] and "ids" in request.params:
            return self._read_ids(request.params["ids"].split(","), fields)
        if parts[-1] == "content_publishing_limit":
            # Only the fields asked for, as Graph answers (quota_usage, config).
            quota = self.ig_quota
            asked = [f for f in fields.split(",") if f in quota] or list(quota)
            return Reply(body={"data": [{f: quota[f] for f in asked}]})
        if "instagram_business_account" in fields:
            return Reply(
                body={
                    "id": parts[0],
                    "name": self.page["name"],
                    "instagram_business_account": {"id": self.page["ig"]},
                }
            )
        if fields == "username":
            return Reply(body={"id": parts[0], "username": "sunrisemotors"})
        if "status_code" in fields:
            with self.lock:
                container = self.containers.get(parts[0], {"status_code": "FINISHED"})
                code = _expire(container)
                if code == "IN_PROGRESS":
                    container["polls_left"] -= 1
                    if container["polls_left"] < 0:
                        container["status_code"] = code = "FINISHED"
            return Reply(body={"id": parts[0], "status_code": code})
        if parts[-1] == "media" and len(parts) == 2:
            listed = [
                {k: m[k] for k in ("id", "caption", "permalink", "timestamp")}
                for m in reversed(self.ig_media)
            ]
            return Reply(body={"data": listed[: int(request.params.get("limit") or 25)]})
        if fields == "status" and parts[0] in self.video_failures:
            return Reply(body={"id": parts[0], "status": self._failed_status(parts[0])})
        if fields == "status" and parts[0] in self.reels:
            return Reply(body={"id": parts[0], "status": self._reel_status(parts[0])})
        if fields == "status" and parts[0] in self.videos:
            return Reply(body={"id": parts[0], "status": self._video_status(parts[0])})
        if fields == "status":
            return Reply(body={"id": parts[0], "status": {"video_status": "ready"}})
        if fields == "permalink":
            return Reply(body={"id": parts[0], "permalink": f"https://instagram.test/p/{parts[0]}"})
        if fields == "permalink_url":
            return Reply(
                body={"id": parts[0], "permalink_url": f"https://facebook.test/{parts[0]}"}
            )
        return Reply(body={"id": parts[0]})

    def _read_ids(self, ids: list[str], fields: str) -> Reply:
        """``GET /?ids=a,b&fields=…`` (Multiple ID Read Requests): one node per id, keyed by
        it. Meta refuses the whole request when one id cannot be read (a post deleted, or
        never there), naming it; at most 50 ids."""
        if len(ids) > 50:
            return graph_error(100, "(#100) Too many IDs. Maximum: 50.")
        with self.lock:
            media = {m["id"]: m for m in self.ig_media}
            published = [object_id for _, object_id in self.published]
        nodes = {}
        for object_id in ids:
            known = any(object_id == done or object_id.endswith(f"_{done}") for done in published)
            if object_id in media:
                node = {"id": object_id, "permalink": media[object_id]["permalink"]}
            elif known:
                node = {"id": object_id, "permalink_url": f"https://facebook.test/{object_id}"}
            else:
                return graph_error(
                    803, f"(#803) Some of the aliases you requested do not exist: {object_id}"
                )
            asked = {"id", *fields.split(",")} if fields else set(node)
            nodes[object_id] = {k: v for k, v in node.items() if k in asked}
        return Reply(body=nodes)

    def delete_post(self, object_id: str) -> None:
        """The Page deletes a post (or an account its media): reads of it fail from now."""
        with self.lock:
            self.published = [
                (edge, done)
                for edge, done in self.published
                if not (object_id == done or object_id.endswith(f"_{done}"))
            ]
            self.ig_media = [m for m in self.ig_media if m["id"] != object_id]

    def _fetch(self, url: str) -> bool:
        """Download what Meta is asked to fetch, as Meta does; False when it cannot be had."""
        for public, local in self.url_map.items():
            if url.startswith(public):
                url = local + url[len(public) :]
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - test URLs
                body = answer.read()
        except (OSError, ValueError):
            return False
        with self.lock:
            self.fetched.append((url, len(body)))
        return bool(body)

    @staticmethod
    def _unfetchable(edge: str, url: str) -> Reply:
        if edge == "media":  # Instagram (content publishing error codes)
            return graph_error(
                9004, "The media could not be fetched from this URI", subcode=2207052
            )
        if edge == "videos":
            return graph_error(389, "Unable to fetch video file from URL.")
        return graph_error(324, "Missing or invalid image file")

    def _video(self, request: Request, new_id: str) -> Reply:
        """``/videos`` by URL, or the resumable start, transfer and finish, checked like Meta."""
        phase = request.params.get("upload_phase")
        if phase is None:
            with self.lock:
                self.published.append(("videos", f"v{new_id}"))
                self.videos[f"v{new_id}"] = self._new_video(finished=True)
            return Reply(body={"id": f"v{new_id}"})
        if phase == "start":
            size = int(request.params["file_size"])
            session = f"s{new_id}"
            with self.lock:
                self.sessions[session] = {"size": size, "received": 0, "video_id": f"v{new_id}"}
                self.videos[f"v{new_id}"] = self._new_video(finished=False)
            return Reply(
                body={
                    "upload_session_id": session,
                    "video_id": f"v{new_id}",
                    "start_offset": "0",
                    "end_offset": str(min(size, 1024)),
                }
            )
        with self.lock:
            session = self.sessions.get(request.params.get("upload_session_id", ""))
        if session is None:
            return graph_error(100, "Invalid upload session id", subcode=1363019)
        if phase == "transfer":
            chunk = request.params.get("video_file_chunk", b"")
            if int(request.params.get("start_offset", -1)) != session["received"]:
                return graph_error(
                    6000,
                    "There was a problem uploading your video file",
                    subcode=1363037,
                    error_data={
                        "start_offset": session["received"],
                        "end_offset": min(session["size"], session["received"] + 1024),
                    },
                )
            session["received"] += len(chunk)
            received = session["received"]
            return Reply(
                body={
                    "start_offset": str(received),
                    "end_offset": str(min(session["size"], received + 1024)),
                }
            )
        if phase == "finish":
            if session["received"] != session["size"]:
                return graph_error(6000, "The video file is incomplete", subcode=1363040)
            with self.lock:
                self.published.append(("videos", session["video_id"]))
                self.videos[session["video_id"]].update(finished=True, published_at=time.time())
            return Reply(body={"success": True})
        return graph_error(100, f"Unknown upload_phase {phase}")

    # --- Page Reels (Reels Publishing API) --------------------------------------
    def _reel(self, request: Request, page_id: str, new_id: str) -> Reply:
        """start answers an upload URL on this server; finish wants the upload done first."""
        phase = request.params.get("upload_phase")
        if phase == "start":
            video_id = f"r{new_id}"
            with self.lock:
                self.reels[video_id] = {
                    "uploaded": False,
                    "published": False,
                    "polls_left": self.reel_polls_processing,
                }
            version = request.path.split("/")[1]
            return Reply(
                body={
                    "video_id": video_id,
                    "upload_url": f"{self.url}/video-upload/{version}/{video_id}",
                }
            )
        if phase != "finish":
            return graph_error(100, f"Unknown upload_phase {phase}")
        video_id = request.params.get("video_id", "")
        with self.lock:
            reel = self.reels.get(video_id)
            if reel is None:
                return graph_error(100, "Invalid video_id", subcode=1363019)
            if not reel["uploaded"]:
                return graph_error(6000, "Video Upload Is Missing", subcode=1363130)
            if request.params.get("video_state") != "PUBLISHED":
                return Reply(body={"success": True})  # a draft: nothing public
            if reel["published"]:
                return graph_error(6000, "The video was already published", subcode=1363032)
            reel["published"] = True
            reel["published_at"] = time.time()
            reel["description"] = request.params.get("description", "")
            self.published.append(("video_reels", video_id))
        return Reply(body={"success": True})

    def _rupload(self, request: Request) -> Reply:
        """The upload host: ``OAuth`` token; a ``file_url`` it downloads, or the bytes."""
        token = request.authorization.removeprefix("OAuth ")
        if not request.authorization.startswith("OAuth ") or (
            self.tokens and self.tokens.get(token) != "page"
        ):
            return _rupload_error("AuthError", "Invalid OAuth access token.", status=401)
        video_id = request.path.rstrip("/").split("/")[-1]
        with self.lock:
            reel = self.reels.get(video_id)
        if reel is None:
            return _rupload_error("NotFound", "No upload session for this video.", status=404)
        file_url = request.headers.get("file_url")
        if file_url:
            if not self._fetch(file_url):
                return _rupload_error("FetchError", f"Could not download {file_url}.")
        else:
            size = request.headers.get("file_size", "")
            if request.headers.get("offset") != "0" or not size.isdigit():
                return _rupload_error(
                    "ParameterValidationError",
                    "HeaderValuePredicate: Header Offset not convertable to unsigned long",
                )
            if len(request.body) != int(size) or not request.body:
                return _rupload_error(
                    "PartialRequestError", f"Got {len(request.body)} of {size} bytes."
                )
        with self.lock:
            reel["uploaded"] = True
        return Reply(body={"success": True})

    def _reel_status(self, video_id: str) -> dict:
        """A Reel's ``status``: ``video_status`` and its uploading, processing and publishing
        phases (Reels Publishing API, "Get the status"), each ``not_started``,
        ``in_progress``, ``complete`` or ``error``."""
        with self.lock:
            reel = self.reels[video_id]
            uploading = {"status": "complete" if reel["uploaded"] else "in_progress"}
            if not reel["published"]:
                return {
                    "video_status": "upload_complete" if reel["uploaded"] else "uploading",
                    "uploading_phase": uploading,
                    "processing_phase": {"status": "not_started"},
                    "publishing_phase": {"status": "not_started"},
                }
            reel["polls_left"] -= 1
            if reel["polls_left"] >= 0:
                return {
                    "video_status": "processing",
                    "uploading_phase": uploading,
                    "processing_phase": {"status": "in_progress"},
                    "publishing_phase": {"status": "not_started"},
                }
        return _published_status(reel["published_at"])

    def _new_video(self, *, finished: bool) -> dict:
        return {"finished": finished, "polls_left": self.video_polls_processing}

    def _video_status(self, video_id: str) -> dict:
        """A Page video's ``status``: uploading until its finish, then processing, then ready."""
        with self.lock:
            video = self.videos[video_id]
            if not video["finished"]:
                return {
                    "video_status": "uploading",
                    "uploading_phase": {"status": "in_progress"},
                    "processing_phase": {"status": "not_started"},
                    "publishing_phase": {"status": "not_started"},
                }
            video["polls_left"] -= 1
            if video["polls_left"] >= 0:
                return {
                    "video_status": "processing",
                    "uploading_phase": {"status": "complete"},
                    "processing_phase": {"status": "in_progress"},
                    "publishing_phase": {"status": "not_started"},
                }
        return _published_status(video.get("published_at") or time.time())

    def _failed_status(self, video_id: str) -> dict:
        """What Meta reads of a video it gave up on: ``error``, and the phase's errors."""
        with self.lock:
            failed_phase, message = self.video_failures[video_id]
        status = {
            "video_status": "error",
            "uploading_phase": {"status": "complete"},
            "processing_phase": {"status": "complete"},
            "publishing_phase": {"status": "not_started"},
        }
        status[failed_phase] = {
            "status": "error",
            "errors": [{"code": 1363008, "message": message}],
        }
        return status

    def _feed(self, request: Request, post_id: str) -> Reply:
        """A Page post; ``attached_media[i]`` must name photos uploaded unpublished."""
        attached = []
        index = 0
        while f"attached_media[{index}]" in request.params:
            try:
                fbid = str(json.loads(request.params[f"attached_media[{index}]"])["media_fbid"])
            except (ValueError, KeyError, TypeError):
                return graph_error(100, f"(#100) attached_media[{index}] is not valid")
            with self.lock:
                known = fbid in self.unpublished_photos
            if not known:
                return graph_error(
                    100, f"(#100) attached_media[{index}] must be an unpublished photo"
                )
            attached.append(fbid)
            index += 1
        with self.lock:
            self.unpublished_photos.difference_update(attached)
            self.published.append(("feed", post_id))
            self.feed_posts.append(
                {"id": post_id, "message": request.params.get("message", ""), "attached": attached}
            )
        return Reply(body={"id": post_id})

    def _carousel_child(self, request: Request, container_id: str) -> Reply:
        """A carousel item's container: an image is ready at once, a video after some polls."""
        is_video = request.params.get("media_type") == "VIDEO"
        url = request.params.get("video_url" if is_video else "image_url", "")
        failing = any(marker in url for marker in self.failing_children)
        with self.lock:
            self.containers[container_id] = {
                "status_code": "ERROR" if failing else ("IN_PROGRESS" if is_video else "FINISHED"),
                "polls_left": self.video_polls_in_progress if is_video else 0,
                "caption": "",
                "media_id": None,
                "kind": "child",
                "url": url,
                "created": time.time(),
            }
        return Reply(body={"id": container_id})

    def _carousel(self, request: Request, container_id: str) -> Reply:
        """``media_type=CAROUSEL``: 2 to 10 children, each an existing, FINISHED child."""
        children = [c for c in request.params.get("children", "").split(",") if c]
        if not 2 <= len(children) <= 10:
            return graph_error(100, "The carousel must have 2 to 10 children", subcode=2207004)
        with self.lock:
            for child in children:
                container = self.containers.get(child)
                if container is None or container.get("kind") != "child":
                    return graph_error(100, f"Invalid child {child}", subcode=2207008)
                if container["status_code"] != "FINISHED":
                    return graph_error(9007, "Media ID is not available", subcode=2207027)
            self.containers[container_id] = {
                "status_code": "FINISHED",
                "polls_left": 0,
                "caption": request.params.get("caption", ""),
                "media_id": None,
                "kind": "carousel",
                "children": children,
                "created": time.time(),
            }
        return Reply(body={"id": container_id})

    def _media_publish(self, creation_id: str, media_id: str) -> Reply:
        """Meta publishes a FINISHED container once; unfinished or published ones are refused."""
        with self.lock:
            container = self.containers.get(creation_id)
            if container is None:
                return graph_error(100, "Invalid parameter", subcode=2207008)
            if container.get("kind") == "child":  # a carousel item is published by its parent
                return graph_error(100, "Invalid parameter", subcode=2207008)
            code = _expire(container)
            if code == "EXPIRED":
                return graph_error(
                    -2,
                    "The media you are trying to access has expired. Please try to upload again.",
                    subcode=2207020,
                )
            if code != "FINISHED":
                return graph_error(9007, "Media ID is not available", subcode=2207027)
            now = time.time()
            duration = self.ig_quota_config["quota_duration"]
            used = sum(1 for t in self.ig_publish_times if now - t < duration)
            if used >= self.ig_quota_config["quota_total"]:
                return daily_limit_error()
            container.update(status_code="PUBLISHED", media_id=media_id)
            self.ig_publish_times.append(now)
            self.published.append(("media_publish", media_id))
            self.ig_media.append(
                {
                    "id": media_id,
                    "caption": container["caption"],
                    "permalink": f"https://instagram.test/p/{media_id}",
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
                }
            )
        return Reply(body={"id": media_id})


def daily_limit_error() -> Reply:
    """Instagram's answer once the account's 24-hour publishing limit is reached: HTTP 400,
    code 9, subcode 2207042 (IG error codes: "The app user has reached their daily
    publishing limit. Advise the app's user to try again the following day.")."""
    words = (
        "You reached maximum number of posts that is allowed to be published by Content "
        "Publishing API."
    )
    return graph_error(9, words, subcode=2207042, user_msg=words)


def _expire(container: dict) -> str:
    """A container not published within 24 hours expires (content publishing guide)."""
    created = container.get("created")
    if (
        created is not None
        and container["status_code"] in ("IN_PROGRESS", "FINISHED")
        and time.time() - created > 86400
    ):
        container["status_code"] = "EXPIRED"
    return container["status_code"]


def _published_status(published_at: float) -> dict:
    """Ready, and published: every phase complete, ``publish_status`` published."""
    return {
        "video_status": "ready",
        "uploading_phase": {"status": "complete"},
        "processing_phase": {"status": "complete"},
        "publishing_phase": {
            "status": "complete",
            "publish_status": "published",
            "publish_time": int(published_at),
        },
    }


def _rupload_error(kind: str, message: str, *, status: int = 400) -> Reply:
    """The rupload host's error shape: no Graph error object, a ``debug_info``."""
    return Reply(
        status=status, body={"debug_info": {"retriable": False, "type": kind, "message": message}}
    )


def _multipart_fields(body: bytes, content_type: str) -> dict:
    boundary = content_type.split("boundary=")[-1].encode()
    fields = {}
    for part in body.split(b"--" + boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, _, value = part.partition(b"\r\n\r\n")
        value = value.removesuffix(b"\r\n")
        found = re.search(rb'\bname="([^"]+)"', head)
        if not found:
            continue
        name = found.group(1).decode()
        fields[name] = value if b"filename=" in head else value.decode()
    return fields
