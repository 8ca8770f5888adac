"""The browser libraries the pages load are installed (npm ci) and found by staticfiles."""

from django.contrib.staticfiles import finders


def test_tus_js_client_is_served_from_node_modules():
    path = finders.find("vendor/tus/tus.min.js")
    assert path, "run `make setup` (npm ci) to install tus-js-client"
    with open(path, encoding="utf-8") as script:
        assert "tus" in script.read(4096)


def test_axe_core_is_served_from_node_modules():
    """The accessibility checker of tests/test_browser_accessibility.py."""
    path = finders.find("vendor/axe/axe.min.js")
    assert path, "run `make setup` (npm ci) to install axe-core"
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
