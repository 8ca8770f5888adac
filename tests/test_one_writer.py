"""Post status and delivery status have one writer: the lifecycle modules in ``WRITERS``.

``media_content/lifecycle.py`` (what the dealer does: schedule, cancel, retry,
archive; the post's status), ``approval_lifecycle.py`` (deliveries held for an
approver, released, sent back) and ``delivery_lifecycle.py`` (the engine's claims
and outcomes, unconfirmed deliveries settled).

Reads the code (``ast``) for writes of ``status`` on posts (``MediaContent``) and
deliveries (``ScheduledPost``): ``.update(status=...)``, ``.save(update_fields=[...
"status"...])``, an assignment to ``<post or delivery>.status``, and
``ScheduledPost.objects.create``. No other module may write them.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("media_content", "inventory", "social", "banners", "library", "dealer_media")
WRITERS = (
    "media_content/lifecycle.py",
    "media_content/approval_lifecycle.py",
    "media_content/delivery_lifecycle.py",
)
RECEIVERS = (
    "MediaContent",
    "ScheduledPost",
    "posts",
    "post",
    "media",
    "lead",
    "under_claim(",
    "delivery",
    "item",
)


def _modules():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            yield path


def _writes(path: Path) -> list[str]:
    source = path.read_text()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.get_source_segment(source, node.func.value) or ""
            name = node.func.attr
            keywords = {k.arg for k in node.keywords}
            if not any(word in receiver for word in RECEIVERS):
                continue
            if name == "update" and "status" in keywords:
                found.append(f"{path.name}:{node.lineno} .update(status=...)")
            elif name == "save" and any(
                k.arg == "update_fields" and "status" in ast.unparse(k.value) for k in node.keywords
            ):
                found.append(f"{path.name}:{node.lineno} .save(update_fields=[status])")
            elif name in ("create", "bulk_create") and "ScheduledPost" in receiver:
                found.append(f"{path.name}:{node.lineno} ScheduledPost.objects.{name}")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and any(
                        w in ast.unparse(target.value)
                        for w in ("media", "post", "lead", "delivery")
                    )
                ):
                    found.append(f"{path.name}:{node.lineno} .status = ...")
    return found


def _writers() -> dict[str, list[str]]:
    writers = {}
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        if relative in WRITERS:
            continue
        found = _writes(path)
        if found:
            writers[relative] = found
    return writers


def test_no_new_module_writes_post_or_delivery_status():
    assert _writers() == {}, f"Write post and delivery status through {', '.join(WRITERS)}"
