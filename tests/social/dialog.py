"""Going through the fake Meta's consent page over real HTTP, as a browser would."""

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import requests


def consent(
    dialog_url: str, *, allow: bool = True, untick: tuple[str, ...] = (), pages=None
) -> str:
    """Open the dialog, tick or untick, press Allow or Cancel; answer where Meta sends us back.

    The answer is the callback's path and query (for Django's test client), with
    the URL fragment Meta appends dropped, as browsers do not send it.
    """
    page = requests.get(dialog_url, timeout=5)
    assert page.status_code == 200, page.text
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    fields: list[tuple[str, str]] = []
    for name, value in re.findall(
        r'<input type="checkbox" name="(\w+)" value="([^"]+)"', page.text
    ):
        if name == "scope" and value in untick:
            continue
        if name == "page" and pages is not None and value not in pages:
            continue
        fields.append((name, value))
    fields.append(("allow", "1") if allow else ("cancel", "1"))
    answer = requests.post(
        urljoin(dialog_url, action), data=fields, allow_redirects=False, timeout=5
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"].split("#", 1)[0]
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"
