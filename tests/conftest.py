import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from .factories import MembershipFactory, OrganizationFactory, UserFactory

pytest_plugins = ["tests.s3"]  # the moto S3 server fixtures, for any test module

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _service_problem(marker: str) -> str | None:
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return (
                "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealer_media"
            )
        return None
    if marker == "redis":
        url = os.environ.get("REDIS_URL") or settings.CELERY_BROKER_URL
        if not url.startswith("redis://"):
            return "needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0"
        parsed = urlparse(url)
        if not _reachable(parsed.hostname or "127.0.0.1", parsed.port or 6379):
            return f"Redis at {parsed.hostname}:{parsed.port} does not answer"
        return None
    if marker == "browser":
        if not shutil.which("chromium"):
            return "needs Debian's chromium (apt-get install chromium)"
        return None
    return None


def pytest_runtest_setup(item):
    """Service-marked tests skip with a reason locally; in CI a missing service fails."""
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker):
            problem = _service_problem(marker)
            if problem:
                if IN_CI:
                    pytest.fail(f"CI requires this service: {problem}", pytrace=False)
                pytest.skip(problem)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sunrise(db):
    return OrganizationFactory(
        name="Sunrise Motors", slug="sunrise-motors", timezone="America/Los_Angeles"
    )


@pytest.fixture
def lakeside(db):
    return OrganizationFactory(
        name="Lakeside Auto", slug="lakeside-auto", timezone="America/Chicago"
    )


@pytest.fixture
def sunrise_user(sunrise):
    return MembershipFactory(organization=sunrise, user=UserFactory(username="sunrise")).user


@pytest.fixture
def lakeside_user(lakeside):
    return MembershipFactory(organization=lakeside, user=UserFactory(username="lakeside")).user


@pytest.fixture
def outsider(db):
    """Signed in, but a member of no dealership."""
    return UserFactory(username="outsider")


@pytest.fixture
def sunrise_client(client, sunrise_user):
    client.force_login(sunrise_user)
    return client


@pytest.fixture
def lakeside_client(client, lakeside_user):
    client.force_login(lakeside_user)
    return client


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def sunrise_staff(sunrise):
    """A staff user of Sunrise Motors with the usual admin permissions on content."""
    from django.contrib.auth.models import Permission

    user = MembershipFactory(organization=sunrise, user=UserFactory(username="sunrise-staff")).user
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["media_content", "banners", "tenancy"]
        )
    )
    return user


ARTIFACTS_DIR = settings.BASE_DIR / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download does not work here)."""
    problem = _service_problem("browser")
    if problem:
        if IN_CI:
            pytest.fail(f"CI requires this service: {problem}", pytrace=False)
        pytest.skip(problem)
    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; its last screen is kept under test-artifacts/ as a PNG."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    name = request.node.nodeid.replace("/", "_").replace("::", "__").replace(".py", "")
    try:
        page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def sign_in(live_server, page):
    """Sign a user in through the real sign-in page."""

    def _sign_in(username: str, password: str = "pass-word-123", next_path: str = "") -> None:
        page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in
