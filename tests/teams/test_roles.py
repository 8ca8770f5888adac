"""Every role against every portal action: the real views, answering 403 in words when refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from banners.embed_keys import embed_key_for
from banners.models import Banner
from dealer_media.tenancy.models import Organization
from dealer_media.tenancy.roles import Action, may, require
from media_content.models import MediaContent, ScheduledPost
from tests.media import jpeg_bytes

from ..factories import BannerFactory, MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db

PUBLISH_REFUSED = "Your role cannot publish or schedule posts directly."
EDIT_REFUSED = "Only owners and editors can delete items, retry posts, or change posts"
BANNERS_REFUSED = "Only owners and editors can change the website&#x27;s banners."


def _photo():
    return SimpleUploadedFile("car.jpg", jpeg_bytes(1200, 800), content_type="image/jpeg")


@pytest.fixture
def things(sunrise):
    draft = MediaContentFactory(organization=sunrise, title="Draft SUV")
    scheduled = MediaContentFactory(
        organization=sunrise, title="Scheduled SUV", status=MediaContent.Status.SCHEDULED
    )
    failed = MediaContentFactory(
        organization=sunrise,
        title="Failed SUV",
        status=MediaContent.Status.FAILED,
        post_to_banner=True,
    )
    ScheduledPostFactory(
        media_content=failed, destination="banner", status=ScheduledPost.Status.FAILED
    )
    other = MediaContentFactory(organization=sunrise, title="Other SUV")
    banner = BannerFactory(organization=sunrise, title="Spring banner")
    return {
        "draft": draft,
        "scheduled": scheduled,
        "failed": failed,
        "other": other,
        "banner": banner,
    }


# (name, method, path, data, roles allowed, refusal words)
CASES = [
    ("library", "get", "/marketing/media", None, {"owner", "editor", "contributor"}, ""),
    ("calendar", "get", "/marketing/calendar", None, {"owner", "editor", "contributor"}, ""),
    ("history", "get", "/marketing/history", None, {"owner", "editor", "contributor"}, ""),
    ("banners page", "get", "/marketing/banners", None, {"owner", "editor", "contributor"}, ""),
    (
        "get item",
        "get",
        "/marketing/media/{draft}/get",
        None,
        {"owner", "editor", "contributor"},
        "",
    ),
    (
        "upload a draft",
        "post",
        "/marketing/media",
        lambda t: {"media_file": _photo(), "title": "New draft", "schedule_mode": "draft"},
        {"owner", "editor", "contributor"},
        "",
    ),
    (
        "upload and post now",
        "post",
        "/marketing/media",
        lambda t: {
            "media_file": _photo(),
            "title": "Posted now",
            "schedule_mode": "now",
            "post_to_banner": "on",
        },
        {"owner", "editor"},
        PUBLISH_REFUSED,
    ),
    (
        "edit a draft",
        "post",
        "/marketing/media/{draft}/update",
        lambda t: {"title": "Draft SUV, new title"},
        {"owner", "editor", "contributor"},
        "",
    ),
    (
        "edit a scheduled post",
        "post",
        "/marketing/media/{scheduled}/update",
        lambda t: {"title": "Scheduled SUV, new title", "post_to_banner": "on"},
        {"owner", "editor"},
        EDIT_REFUSED,
    ),
    (
        "retry",
        "post",
        "/marketing/media/{failed}/retry",
        None,
        {"owner", "editor"},
        EDIT_REFUSED,
    ),
    (
        "delete",
        "post",
        "/marketing/media/{draft}/delete",
        None,
        {"owner", "editor"},
        EDIT_REFUSED,
    ),
    (
        "compose and post now",
        "post",
        "/marketing/media/compose",
        lambda t: {
            "items": [t["draft"].pk, t["other"].pk],
            "title": "Two SUVs",
            "schedule_mode": "now",
            "post_to_facebook": "on",
        },
        {"owner", "editor"},
        PUBLISH_REFUSED,
    ),
    (
        "add a banner",
        "post",
        "/marketing/banners",
        lambda t: {"title": "New", "image": _photo(), "is_active": "true"},
        {"owner", "editor"},
        BANNERS_REFUSED,
    ),
    (
        "switch a banner off",
        "post",
        "/marketing/banners/{banner}/update",
        lambda t: {"is_active": "false"},
        {"owner", "editor"},
        BANNERS_REFUSED,
    ),
    (
        "delete a banner",
        "post",
        "/marketing/banners/{banner}/delete",
        None,
        {"owner", "editor"},
        BANNERS_REFUSED,
    ),
    (
        "rotate the embed key",
        "post",
        "/marketing/banners/embed-key/rotate",
        None,
        {"owner", "editor"},
        BANNERS_REFUSED,
    ),
]


@pytest.mark.parametrize("role", ["owner", "editor", "contributor"])
@pytest.mark.parametrize(
    ("name", "method", "path", "data", "allowed", "refusal"), CASES, ids=[c[0] for c in CASES]
)
def test_role_against_portal_action(
    client_as, things, role, name, method, path, data, allowed, refusal
):
    client = client_as(role)
    url = path.format(**{key: thing.pk for key, thing in things.items()})
    response = getattr(client, method)(url, data(things) if data else None)
    if role in allowed:
        assert response.status_code in (200, 201, 302), response.content.decode()[:500]
    else:
        assert response.status_code == 403
        assert refusal in response.content.decode()


def test_refusals_answer_json_in_words_and_change_nothing(client_as, things):
    client = client_as("contributor")
    response = client.post(
        f"/marketing/media/{things['draft'].pk}/delete", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert EDIT_REFUSED in response.json()["errors"]["__all__"][0]
    assert MediaContent.objects.filter(pk=things["draft"].pk).exists()
    response = client.post(
        "/marketing/banners/reorder",
        data=f"[{things['banner'].pk}]",
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403
    assert Banner.objects.filter(pk=things["banner"].pk, is_active=True).exists()


def test_a_contributor_cannot_rotate_the_embed_key(client_as, sunrise, things):
    """Rotating the key takes the dealer's website dark, so a contributor's POST is refused."""
    key = embed_key_for(organization=sunrise).public_key
    contributor = client_as("contributor")
    rotate = reverse("banners:embed_key_rotate")
    response = contributor.post(rotate)
    assert response.status_code == 403
    assert BANNERS_REFUSED in response.content.decode()
    response = contributor.post(rotate, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == BANNERS_REFUSED.replace("&#x27;", "'")
    assert embed_key_for(organization=sunrise).public_key == key
    # The website's embed still shows the banners with the key the dealer pasted.
    feed = Client().get(reverse("embed:banners_json", args=[key]))
    assert feed.status_code == 200
    assert [b["title"] for b in feed.json()["banners"]] == ["Spring banner"]
    # The button is not offered to a contributor; an editor has it.
    assert rotate not in contributor.get("/marketing/banners").content.decode()
    assert rotate in client_as("editor").get("/marketing/banners").content.decode()


def test_a_refused_upload_keeps_nothing(client_as, sunrise):
    before = MediaContent.objects.for_org(sunrise).count()
    response = client_as("contributor").post(
        "/marketing/media", {"media_file": _photo(), "title": "x", "schedule_mode": "scheduled"}
    )
    assert response.status_code == 403
    assert MediaContent.objects.for_org(sunrise).count() == before


def test_buttons_a_role_may_not_use_are_not_shown(client_as, things):
    contributor = client_as("contributor").get("/marketing/media").content.decode()
    editor = client_as("editor").get("/marketing/media").content.decode()
    assert 'data-action="delete"' not in contributor
    assert 'value="now"' not in contributor
    assert 'data-action="delete"' in editor
    assert 'value="now"' in editor
    # A contributor edits drafts only: the scheduled item's row has no Edit button.
    assert f'aria-label="Edit {things["draft"].title}"' in contributor
    assert f'aria-label="Edit {things["scheduled"].title}"' not in contributor
    banners = client_as("contributor").get("/marketing/banners").content.decode()
    assert "Add a banner" not in banners
    assert 'data-action="delete-banner"' not in banners
    assert (
        'data-action="delete-banner"'
        in client_as("editor").get("/marketing/banners").content.decode()
    )


@pytest.mark.parametrize(
    ("policy", "editor_approves"),
    [("contributors", True), ("all_but_owners", False), ("off", True)],
)
def test_editors_publish_and_approve_unless_their_posts_need_approval(
    membership_of, sunrise, policy, editor_approves
):
    Organization.objects.filter(pk=sunrise.pk).update(approval_policy=policy)
    editor, owner = membership_of("editor"), membership_of("owner")
    editor.organization.refresh_from_db()
    owner.organization.refresh_from_db()
    assert may(editor, Action.APPROVE) is editor_approves
    assert may(editor, Action.PUBLISH) is editor_approves
    assert may(editor, Action.EDIT_POSTS)
    assert may(owner, Action.APPROVE)
    assert not may(membership_of("contributor"), Action.APPROVE)


def test_only_owners_change_connections_team_and_settings(membership_of):
    for action in (Action.CHANGE_CONNECTIONS, Action.MANAGE_TEAM, Action.CHANGE_SETTINGS):
        assert may(membership_of("owner"), action)
        assert not may(membership_of("editor"), action)
        assert not may("contributor", action)
        assert not may(None, action)
    with pytest.raises(PermissionDenied, match="Only owners can change the dealership's Facebook"):
        require(membership_of("editor"), Action.CHANGE_CONNECTIONS)
