"""The Content-Security-Policy header and where media may come from."""

import pytest

from dealer_media.ops.csp import media_sources

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/accounts/login/", "/site/sunrise-motors/", "/admin/login/"])
def test_every_page_carries_the_strict_policy(client, sunrise, path):
    directives = _directives(client.get(path))
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert {"'self'", "data:", "blob:"} <= set(directives["img-src"])
    assert {"'self'", "blob:"} <= set(directives["media-src"])


def test_local_media_adds_no_host():
    assert media_sources(media_url="/media/", media_storage="local") == []


def test_media_url_on_another_host_is_allowed():
    sources = media_sources(media_url="https://cdn.example.com/media/", media_storage="local")
    assert sources == ["https://cdn.example.com"]


def test_s3_on_aws_allows_the_bucket_hosts():
    sources = media_sources(
        media_url="/media/",
        media_storage="s3",
        storage_options={"bucket_name": "dealer-media", "region_name": "us-west-2"},
    )
    assert sources == [
        "https://dealer-media.s3.amazonaws.com",
        "https://dealer-media.s3.us-west-2.amazonaws.com",
    ]


def test_s3_endpoint_allows_its_origin_without_credentials_or_path():
    sources = media_sources(
        media_url="/media/",
        media_storage="s3",
        storage_options={"bucket_name": "media", "endpoint_url": "http://key@minio.local:9000/x"},
        extra=["https://images.example.net"],
    )
    assert sources == [
        "http://minio.local:9000",
        "http://media.minio.local:9000",
        "https://images.example.net",
    ]


def test_settings_compute_the_s3_hosts(monkeypatch):
    """The settings module itself, read again with S3 variables set."""
    import importlib

    import dealer_media.settings as project_settings
    from dealer_media.settings import environment, product

    def read_again():
        importlib.reload(environment)
        importlib.reload(product)
        return importlib.reload(project_settings)

    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "sunrise-media")
    monkeypatch.setenv("AWS_S3_REGION_NAME", "us-east-2")
    monkeypatch.setenv("SECRET_KEY", "x")
    try:
        fresh = read_again()
        img_src = fresh.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
        media_src = fresh.CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"]
    finally:
        monkeypatch.undo()
        read_again()
    assert "https://sunrise-media.s3.us-east-2.amazonaws.com" in img_src
    assert "https://sunrise-media.s3.us-east-2.amazonaws.com" in media_src
