"""Where media may come from under the Content-Security-Policy, computed from the settings.

Pictures and videos are shown from the default storage: the site itself with local
files, the bucket's host on S3 (presigned URLs), or MEDIA_URL when it names another
host (a CDN). Each is an origin for ``img-src`` and ``media-src``; nothing else is.
"""

from urllib.parse import urlsplit


def origin_of(url: str | None) -> str | None:
    """``https://media.example.com`` for any absolute http(s) URL; None for a path."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def s3_origins(*, bucket: str | None, endpoint_url: str | None, region: str | None) -> list[str]:
    """The hosts boto3 signs media URLs for: the endpoint (path style) or AWS's bucket hosts."""
    if endpoint_url:
        origin = origin_of(endpoint_url)
        hosts = [origin] if origin else []
        if origin and bucket:
            # Virtual-hosted addressing on a custom endpoint puts the bucket in the host name.
            scheme, _, netloc = origin.partition("://")
            hosts.append(f"{scheme}://{bucket}.{netloc}")
        return hosts
    if not bucket:
        return []
    hosts = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        hosts.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return hosts


def media_sources(
    *,
    media_url: str,
    media_storage: str,
    storage_options: dict | None = None,
    extra: list[str] | tuple[str, ...] = (),
) -> list[str]:
    """The origins media files are served from, besides the site itself."""
    sources: list[str] = []
    origin = origin_of(media_url)
    if origin:
        sources.append(origin)
    if media_storage == "s3":
        options = storage_options or {}
        sources += s3_origins(
            bucket=options.get("bucket_name"),
            endpoint_url=options.get("endpoint_url"),
            region=options.get("region_name"),
        )
    sources += [source for source in extra if source]
    return list(dict.fromkeys(sources))
