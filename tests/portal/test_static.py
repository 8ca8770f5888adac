"""The browser libraries the pages load are installed (npm ci) and found by staticfiles."""

from django.contrib.staticfiles import finders


def test_tus_js_client_is_served_from_node_modules():
    path = finders.find("vendor/tus/tus.min.js")
    assert path, "run `make setup` (npm ci) to install tus-js-client"
    with open(path, encoding="utf-8") as script:
        assert "tus" in script.read(4096)


def test_axe_core_is_installed_for_the_browser_tests_and_never_served():
    """The accessibility checker of tests/test_browser_accessibility.py."""
    from tests.test_browser_accessibility import AXE_PATH

    assert finders.find("vendor/axe/axe.min.js") is None  # a test tool, not a page's script
    path = AXE_PATH
    assert path.exists(), "run `make setup` (npm ci) to install axe-core"
    with open(path, encoding="utf-8") as script:
        assert script.read(64).startswith("/*! axe v4.")


def test_portal_scripts_are_found():
    for name in (
        "portal/common",
        "portal/upload",
        "portal/library",
        "portal/instagram-fit",
        "portal/banners",
        "sortable-rows",
    ):
        assert finders.find(f"js/{name}.js"), name
