"""A fake Meta for connecting accounts: the Facebook dialog and tokens, and Instagram Login.

It extends the fake Graph API (``FakeGraph``) on the same 127.0.0.1 server:

- ``/{version}/dialog/oauth`` is a consent page (HTML) showing the signed-in
  person's Pages to tick and the permissions asked, with Allow and Cancel. It
  checks ``client_id`` and that ``redirect_uri`` is one the app registered, and
  sends the browser back there with ``code`` and the same ``state``, or
  ``error=access_denied``. Unticking a permission declines it.
- ``/{version}/oauth/access_token`` exchanges a code (once, with the app secret
  and the same redirect_uri) for a short-lived User token, and that for a
  long-lived one (``fb_exchange_token``).
- User tokens read ``/me``, ``/me/permissions`` (and DELETE it: the grant and
  every token of it are gone), ``/me/accounts`` (the ticked Pages, each with
  its Page token, tasks and Instagram account) and ``/me/businesses`` with
  ``owned_pages``/``client_pages``. ``debug_token`` tells each kind apart.
- Instagram Login lives under three prefixes standing for its three hosts:
  ``/ig-www/oauth/authorize`` (consent), ``/ig-api/oauth/access_token`` (POST,
  code to short-lived token) and ``/ig-graph/...`` (``access_token`` with
  ``ig_exchange_token``, ``refresh_access_token``, ``/{version}/me`` and the
  content publishing flow, which takes Instagram tokens only).
"""

import html
import itertools
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from .fake_graph import ALL_SCOPES, FakeGraph, Reply, Request, graph_error

APP_ID = "4242"
APP_SECRET = "fake-app-secret-0123456789"
IG_APP_ID = "5353"
IG_APP_SECRET = "fake-instagram-secret-9876543210"
IG_SCOPES = (
    "instagram_business_basic",
    "instagram_business_content_publish",
    "instagram_business_manage_comments",
)


@dataclass
class FakePage:
    id: str
    name: str
    instagram_id: str = ""
    instagram_username: str = ""
    tasks: tuple = ("ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE")


@dataclass
class FakePerson:
    user_id: str
    name: str
    pages: list[FakePage] = field(default_factory=list)
    # Business Manager: business id -> (name, Pages reached through it)
    businesses: dict[str, tuple[str, list[FakePage]]] = field(default_factory=dict)


@dataclass
class FakeInstagramAccount:
    user_id: str
    username: str


class FakeMeta(FakeGraph):
    def __init__(self):
        super().__init__()
        self.app_id, self.app_secret_value = APP_ID, APP_SECRET
        self.redirect_uris: set[str] = set()
        self.person = FakePerson(
            user_id="10001",
            name="Dana Dealer",
            pages=[
                FakePage("111", "Sunrise Motors", "17841400000000001", "sunrisemotors"),
                FakePage("333", "Sunrise Service Center"),
                FakePage("444", "Fan page (read only)", tasks=("ANALYZE",)),
            ],
        )
        self.instagram_account = FakeInstagramAccount("17841499999999999", "sunrise_direct")
        self.codes: dict[str, dict] = {}
        self.grants: dict[str, dict] = {}  # user token -> {"granted", "declined", "pages"}
        self.ig_tokens: dict[str, dict] = {}  # Instagram Login token -> {"long", "expires"}
        self.serial = itertools.count(1)
        self.tokens[f"{APP_ID}|{APP_SECRET}"] = "app"
        self.revoked_users: list[str] = []

    # --- routing ------------------------------------------------------------------
    def _default(self, request: Request) -> Reply:
        path = request.path
        if path.startswith("/pictures/"):  # profile pictures, as Meta's CDN serves them
            return Reply(raw=PICTURE, headers={"Content-Type": "image/png"})
        if path.startswith("/ig-www/"):
            return self._ig_consent(request)
        if path.startswith("/ig-api/"):
            return self._ig_code_exchange(request)
        if path.startswith("/ig-graph/"):
            return self._ig_graph(request)
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[1:3] == ["dialog", "oauth"]:
            return self._consent(request, confirm=parts[3:] == ["confirm"])
        if parts[1:] == ["oauth", "access_token"]:
            return self._fb_token_exchange(request)
        token = request.authorization.removeprefix("Bearer ")
        kind = self.tokens.get(token)
        if kind in ("user", "app") and len(parts) >= 2:
            answer = self._user_edges(request, token, parts[1:])
            if answer is not None:
                return answer
        return super()._default(request)

    # --- Facebook Login -----------------------------------------------------------
    def _consent(self, request: Request, *, confirm: bool) -> Reply:
        p = request.params
        if p.get("client_id") != self.app_id:
            return _page(400, "Invalid App ID: the app does not exist.")
        if p.get("redirect_uri") not in self.redirect_uris:
            return _page(
                400,
                "URL blocked: this redirect failed because the redirect URI is not "
                "whitelisted in the app's Client OAuth Settings.",
            )
        if not confirm:
            asked = (p.get("scope") or ",".join(ALL_SCOPES)).split(",")
            return _page(200, self._consent_form(p, asked, version=request.path.split("/")[1]))
        answer = parse_qs(request.body.decode()) if request.body else {}
        redirect_uri, state = p["redirect_uri"], p.get("state", "")
        if "allow" not in answer:
            query = {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
                "state": state,
            }
            return _redirect(f"{redirect_uri}?{urlencode(query)}")
        asked = p.get("asked", "").split(",")
        granted = [s for s in asked if s in answer.get("scope", [])]
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {
                "redirect_uri": redirect_uri,
                "granted": granted,
                "declined": [s for s in asked if s not in granted],
                "pages": answer.get("page", []),
                "used": False,
            }
        return _redirect(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}#_=_")

    def _consent_form(self, params: dict, asked: list[str], *, version: str) -> str:
        kept = {k: v for k, v in params.items() if k in ("client_id", "redirect_uri", "state")}
        kept["asked"] = ",".join(asked)
        action = html.escape(f"/{version}/dialog/oauth/confirm?{urlencode(kept)}")
        pages = "".join(
            f'<li><label><input type="checkbox" name="page" value="{page.id}" checked> '
            f"{html.escape(page.name)}</label></li>"
            for page in self.person.pages
        )
        scopes = "".join(
            f'<li><label><input type="checkbox" name="scope" value="{s}" checked> {s}</label></li>'
            for s in asked
        )
        return (
            f"<h1>Dealer Media is requesting access</h1><p>Signed in as {self.person.name}</p>"
            f'<form method="post" action="{action}"><h2>Pages</h2><ul>{pages}</ul>'
            f"<h2>Permissions</h2><ul>{scopes}</ul>"
            '<button type="submit" name="allow" value="1">Allow</button>'
            '<button type="submit" name="cancel" value="1">Cancel</button></form>'
        )

    def _fb_token_exchange(self, request: Request) -> Reply:
        p = request.params
        if p.get("client_id") != self.app_id or p.get("client_secret") != self.app_secret_value:
            return graph_error(101, "Error validating application. Invalid application ID.")
        if p.get("grant_type") == "fb_exchange_token":
            short = p.get("fb_exchange_token", "")
            grant = self.grants.get(short)
            if grant is None or not grant.get("short"):
                return graph_error(190, "Invalid OAuth access token.", status=400)
            return Reply(body=self._issue_user_token(dict(grant, short=False), expires=5183944))
        code = p.get("code", "")
        with self.lock:
            entry = self.codes.get(code)
            if entry is None or entry["used"]:
                return graph_error(100, "This authorization code has been used.", subcode=36009)
            if entry["redirect_uri"] != p.get("redirect_uri"):
                return graph_error(
                    100,
                    "Error validating verification code. Please make sure your "
                    "redirect_uri is identical to the one you used in the OAuth dialog request",
                    subcode=36008,
                )
            entry["used"] = True
        return Reply(body=self._issue_user_token(dict(entry, short=True), expires=3600))

    def _issue_user_token(self, grant: dict, *, expires: int) -> dict:
        token = f"EAAuser{next(self.serial)}x{secrets.token_hex(12)}"
        with self.lock:
            self.tokens[token] = "user"
            self.grants[token] = grant
            self.token_info[token] = {
                "user_id": self.person.user_id,
                "scopes": grant["granted"],
                "expires_at": int(time.time()) + expires,
            }
        return {"access_token": token, "token_type": "bearer", "expires_in": expires}

    def _page_token(self, user_token: str, page: FakePage) -> str:
        token = f"EAApage{page.id}x{user_token[-8:]}"
        grant = self.grants[user_token]
        with self.lock:
            self.tokens[token] = "page"
            self.token_info[token] = {
                "user_id": self.person.user_id,
                "profile_id": page.id,
                "scopes": grant["granted"],
                "expires_at": 0,
            }
            self.grants.setdefault(token, {**grant, "page_of": user_token})
        return token

    def _page_row(self, user_token: str, page: FakePage) -> dict:
        row = {
            "id": page.id,
            "name": page.name,
            "tasks": list(page.tasks),
            "access_token": self._page_token(user_token, page),
            "picture": {"data": {"url": f"{self.url}/pictures/{page.id}.png"}},
        }
        if page.instagram_id:
            row["instagram_business_account"] = {
                "id": page.instagram_id,
                "username": page.instagram_username,
            }
        return row

    def _user_edges(self, request: Request, token: str, parts: list[str]) -> Reply | None:
        refused = self.proof_refused(request, token)
        if refused is not None:
            return refused
        grant = self.grants.get(token, {})
        user_id = self.person.user_id
        if (
            request.method == "DELETE"
            and parts[-1] == "permissions"
            and parts[0] in ("me", user_id)
        ):
            self.revoke_user(user_id)
            return Reply(body={"success": True})
        if self.tokens.get(token) != "user":
            return None
        ticked = set(grant.get("pages", []))
        if parts == ["me"]:
            return Reply(body={"id": user_id, "name": self.person.name})
        if parts == ["me", "permissions"]:
            rows = [{"permission": s, "status": "granted"} for s in grant.get("granted", [])]
            rows += [{"permission": s, "status": "declined"} for s in grant.get("declined", [])]
            return Reply(body={"data": rows})
        if parts == ["me", "accounts"]:
            if "pages_show_list" not in grant.get("granted", []):
                return graph_error(
                    10, "(#10) This endpoint requires the 'pages_show_list' permission"
                )
            pages = [p for p in self.person.pages if p.id in ticked]
            return Reply(body={"data": [self._page_row(token, p) for p in pages], "paging": {}})
        if parts == ["me", "businesses"]:
            if "business_management" not in grant.get("granted", []):
                return graph_error(
                    200, "(#200) Requires business_management permission to manage the object"
                )
            rows = [{"id": b, "name": name} for b, (name, _) in self.person.businesses.items()]
            return Reply(body={"data": rows})
        if len(parts) == 2 and parts[1] in ("owned_pages", "client_pages"):
            _name, pages = self.person.businesses.get(parts[0], ("", []))
            chosen = pages if parts[1] == "owned_pages" else []
            return Reply(body={"data": [self._page_row(token, p) for p in chosen]})
        return None

    def revoke_user(self, user_id: str) -> None:
        """The person's grant is gone: every user and Page token made from it stops working."""
        with self.lock:
            for token, kind in list(self.tokens.items()):
                if kind in ("user", "page") and token in self.grants:
                    del self.tokens[token]
            self.revoked_users.append(user_id)

    def invalidate(self, token: str, *, subcode: int = 460, message: str = "") -> None:
        """What a password change does to a token: debug_token says invalid, calls answer 190."""
        with self.lock:
            self.token_info[token] = {
                **self.token_info.get(token, {}),
                "is_valid": False,
                "error": {
                    "code": 190,
                    "subcode": subcode,
                    "message": message
                    or "The session has been invalidated because the user changed their password.",
                },
            }

    # --- Instagram Login ----------------------------------------------------------
    def _ig_consent(self, request: Request) -> Reply:
        p = request.params
        if request.path != "/ig-www/oauth/authorize" and not request.path.startswith(
            "/ig-www/oauth/authorize/confirm"
        ):
            return _page(404, "Not found")
        if p.get("client_id") != IG_APP_ID:
            return _page(400, "Invalid platform app")
        if p.get("redirect_uri") not in self.redirect_uris:
            return _page(400, "Invalid redirect_uri")
        if not request.path.endswith("/confirm"):
            kept = {k: p[k] for k in ("client_id", "redirect_uri", "state", "scope") if k in p}
            action = html.escape(f"/ig-www/oauth/authorize/confirm?{urlencode(kept)}")
            return _page(
                200,
                f"<h1>Allow Dealer Media to access @{self.instagram_account.username}?</h1>"
                f'<form method="post" action="{action}">'
                '<button type="submit" name="allow" value="1">Allow</button>'
                '<button type="submit" name="cancel" value="1">Cancel</button></form>',
            )
        answer = parse_qs(request.body.decode()) if request.body else {}
        if "allow" not in answer:
            query = {
                "error": "access_denied",
                "error_reason": "user_denied",
                "state": p.get("state", ""),
            }
            return _redirect(f"{p['redirect_uri']}?{urlencode(query)}")
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {
                "redirect_uri": p["redirect_uri"],
                "granted": [s for s in p.get("scope", "").split(",") if s in IG_SCOPES],
                "used": False,
                "instagram": True,
            }
        return _redirect(
            f"{p['redirect_uri']}?{urlencode({'code': code, 'state': p.get('state', '')})}#_"
        )

    def _ig_code_exchange(self, request: Request) -> Reply:
        p = request.params
        if request.method != "POST" or request.path != "/ig-api/oauth/access_token":
            return _ig_error(400, "Unsupported request")
        if p.get("client_id") != IG_APP_ID or p.get("client_secret") != IG_APP_SECRET:
            return _ig_error(400, "Invalid client_secret")
        with self.lock:
            entry = self.codes.get(p.get("code", ""))
            if entry is None or entry["used"] or not entry.get("instagram"):
                return _ig_error(400, "This authorization code has been used")
            if (
                entry["redirect_uri"] != p.get("redirect_uri")
                or p.get("grant_type") != "authorization_code"
            ):
                return _ig_error(400, "Error validating verification code")
            entry["used"] = True
        token = f"IGshort{next(self.serial)}x{secrets.token_hex(10)}"
        with self.lock:
            self.ig_tokens[token] = {
                "long": False,
                "expires": time.time() + 3600,
                "scopes": entry["granted"],
            }
        row = {
            "access_token": token,
            "user_id": self.instagram_account.user_id,
            "permissions": ",".join(entry["granted"]),
        }
        return Reply(body={"data": [row]})

    def _ig_graph(self, request: Request) -> Reply:
        p = request.params
        path = request.path.removeprefix("/ig-graph")
        if path == "/access_token":
            if (
                p.get("grant_type") != "ig_exchange_token"
                or p.get("client_secret") != IG_APP_SECRET
            ):
                return _ig_error(400, "Invalid client_secret or grant_type")
            short = self.ig_tokens.get(p.get("access_token", ""))
            if short is None or short["long"]:
                return _ig_error(400, "Invalid OAuth access token", code=190)
            return Reply(body=self._ig_long_lived(short["scopes"]))
        if path == "/refresh_access_token":
            entry = self.ig_tokens.get(p.get("access_token", ""))
            if p.get("grant_type") != "ig_refresh_token" or entry is None or not entry["long"]:
                return _ig_error(400, "Invalid OAuth access token", code=190)
            if entry["expires"] < time.time():
                return _ig_error(
                    400, "Error validating access token: Session has expired", code=190
                )
            return Reply(body=self._ig_long_lived(entry["scopes"]))
        token = request.authorization.removeprefix("Bearer ")
        entry = self.ig_tokens.get(token)
        if entry is None or not entry["long"] or entry["expires"] < time.time():
            return graph_error(
                190, "Invalid OAuth access token - Cannot parse access token", status=400
            )
        if self.tokens.get(token) != "instagram":
            return graph_error(190, "Invalid OAuth access token", status=400)
        if p.get("appsecret_proof") and not _proof_ok(p["appsecret_proof"], token, IG_APP_SECRET):
            return graph_error(100, "Invalid appsecret_proof provided in the API argument")
        parts = path.strip("/").split("/")[1:]  # drop the version
        if parts == ["me"]:
            return Reply(
                body={
                    "id": "app-scoped-99",
                    "user_id": self.instagram_account.user_id,
                    "username": self.instagram_account.username,
                    "profile_picture_url": f"{self.url}/pictures/ig.png",
                }
            )
        # The content publishing flow, as on the Facebook host, with Instagram's token.
        inner = Request(
            request.method,
            "/v0/" + "/".join(parts),
            p,
            "Bearer " + token,
            request.body,
            request.headers,
        )
        with self.lock:
            saved = self.tokens, self.app_secret
            self.tokens, self.app_secret = {}, ""  # checked above, with Instagram's rules
        try:
            return super()._default(inner)
        finally:
            with self.lock:
                self.tokens, self.app_secret = saved

    def _ig_long_lived(self, scopes: list[str]) -> dict:
        token = f"IGlong{next(self.serial)}x{secrets.token_hex(12)}"
        with self.lock:
            self.ig_tokens[token] = {
                "long": True,
                "expires": time.time() + 5183944,
                "scopes": scopes,
            }
            self.tokens[token] = "instagram"
        return {"access_token": token, "token_type": "bearer", "expires_in": 5183944}


def _picture() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


PICTURE = _picture()


def _proof_ok(proof: str, token: str, secret: str) -> bool:
    import hashlib
    import hmac

    return hmac.compare_digest(
        proof, hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    )


def _page(status: int, body: str) -> Reply:
    return Reply(
        status=status,
        raw=f"<!doctype html><html><body>{body}</body></html>".encode(),
        headers={},
    )


def _redirect(location: str) -> Reply:
    return Reply(status=302, raw=b"", headers={"Location": location})


def _ig_error(status: int, message: str, *, code: int = 400) -> Reply:
    # Instagram's OAuth hosts answer {"error_type", "code", "error_message"}.
    return Reply(
        status=status, body={"error_type": "OAuthException", "code": code, "error_message": message}
    )
