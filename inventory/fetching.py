"""Fetching a URL the dealer gave us (the feed, the vehicles' photos) without reaching inside.

One module for both, so the rule cannot differ: only http and https; the host's
addresses are resolved and every one must be public (no loopback, private,
link-local, multicast, reserved or cloud metadata address, nor an IPv6 address that
leads to such an IPv4 one: IPv4-mapped, 6to4, Teredo, NAT64); the socket connects
to the address that was checked (a second DNS answer cannot swap it); redirects
are followed by hand, each hop checked the same way (a connection goes back to the
pool only once its answer was read to the end); connect and read timeouts;
a size limit, on the announced length and on the bytes actually read; and a
deadline for the whole fetch (``FETCH_TOTAL_TIMEOUT_SECONDS``): the read timeout
starts again with every byte, so a server sending one byte a second would
otherwise hold the worker as long as it liked. Every wait on the server (connect,
each socket read, headers and body alike) is cut to what is left of the deadline.

``FETCH_ALLOWED_NETWORKS`` (empty in production) lets tests and local
development reach a server on 127.0.0.1.
"""

import http.client
import io
import ipaddress
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 5
REDIRECT_BODY_BYTES = 64 * 1024  # a redirect's body up to this is read, to reuse its connection
USER_AGENT = "DealerMedia-Inventory/1.0"


class FetchRefused(Exception):
    """The URL cannot be fetched; ``message`` says why, for the dealer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def resolve(host: str, port: int) -> list[str]:
    """Every address of ``host`` (a test replaces this to fake one host name, no other)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _allowed_networks() -> list:
    return [ipaddress.ip_network(n) for n in getattr(settings, "FETCH_ALLOWED_NETWORKS", [])]


# RFC 6052's well-known NAT64 prefix: the last 32 bits are the IPv4 address reached.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# RFC 8215's local-use NAT64 prefix: where the IPv4 address sits is the local network's choice.
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address leads to (and how), when it embeds one."""
    if ip.ipv4_mapped:
        return "an IPv4-mapped address", ip.ipv4_mapped
    if ip.sixtofour:  # 2002::/16
        return "a 6to4 address", ip.sixtofour
    if ip.teredo:  # 2001::/32; the client's address is the last 32 bits inverted
        return "a Teredo address", ip.teredo[1]
    if ip in NAT64:
        return "a NAT64 address", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _why_not(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What this address is, when it is not a public one (None when it is, or is allowed)."""
    if any(ip in network for network in _allowed_networks()):
        return None
    if ip.is_loopback:
        return "this server itself (a loopback address)"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata lives)"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return "a private or reserved address, not one on the internet"
    if not ip.is_global:
        return "not an address on the internet"
    return None


def address_refusal(address: str) -> str | None:
    """Why this IP address may not be fetched from, or None when it is a public one.

    An IPv6 address that leads to an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64) is
    judged by that IPv4 address: Python calls ``2002:7f00:1::1`` global, yet it is
    127.0.0.1 behind a 6to4 relay.
    """
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64 and _why_not(ip):
            return f"{ip} is a local-use NAT64 address (64:ff9b:1::/48), not one on the internet"
        if embedded := _embedded_ipv4(ip):
            kind, ipv4 = embedded
            if what := _why_not(ipv4):
                return f"{ip} is {kind} of {ipv4}, which is {what}"
            if kind in ("an IPv4-mapped address", "a NAT64 address"):
                return None  # the IPv4 address is the one reached, and it is public
    if what := _why_not(ip):
        return f"{ip} is {what}"
    return None


def checked_address(host: str, port: int) -> str:
    """The first address of ``host``, once every address it resolves to is public."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise FetchRefused(f"The host name “{host}” does not resolve ({error}).") from None
    if not addresses:
        raise FetchRefused(f"The host name “{host}” does not resolve.")
    for address in addresses:
        if reason := address_refusal(address):
            raise FetchRefused(f"“{host}” is refused: {reason}.")
    return addresses[0]


class _Deadline:
    """When one fetch must be over; every wait on the server is cut to what is left."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.reached = False  # a wait was cut short by it, or began after it

    @property
    def message(self) -> str:
        return f"The server took longer than {self.seconds:g} s to send it."

    def passed(self) -> bool:
        if time.monotonic() >= self.ends:
            self.reached = True
        return self.reached

    @contextmanager
    def wait(self, timeout: float | None) -> Iterator[float]:
        """The timeout for one wait (``timeout``, or less near the deadline); TimeoutError past it."""
        left = self.ends - time.monotonic()
        if left <= 0:
            self.reached = True
            raise TimeoutError(f"past the fetch's deadline of {self.seconds:g} s")
        cut = timeout is None or left < timeout
        try:
            yield left if cut else timeout
        except TimeoutError:
            if cut:
                self.reached = True
            raise


# The deadline of the fetch under way in this thread (photos download in several threads).
_deadline: ContextVar[_Deadline | None] = ContextVar("fetch_deadline", default=None)


class _DeadlineReads(io.RawIOBase):
    """A response's socket reads, none waiting past the fetch's deadline.

    Under http.client's buffered reader, so the header lines and a chunked body's
    size lines (``readline``, many reads) are bounded as well as the body.
    """

    def __init__(self, buffered: io.BufferedReader, sock: socket.socket, deadline: _Deadline):
        super().__init__()
        self._buffered, self._sock, self._deadline = buffered, sock, deadline
        self._read_timeout = sock.gettimeout()  # urllib3 has just set the read timeout

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._buffered.fileno()

    def readinto(self, buffer) -> int | None:
        with self._deadline.wait(self._read_timeout) as timeout:
            self._sock.settimeout(timeout)
            return self._buffered.readinto1(buffer)  # one socket read at most

    def close(self) -> None:
        if not self.closed:
            self._buffered.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, **kwargs):
        super().__init__(sock, *args, **kwargs)
        deadline = _deadline.get()
        if deadline is not None:  # nothing read yet: the buffered reader is empty
            self.fp = io.BufferedReader(_DeadlineReads(self.fp, sock, deadline))


def _connect(host: str, port: int, timeout: float | None) -> socket.socket:
    address = checked_address(host, port)
    deadline = _deadline.get()
    if deadline is None:
        return socket.create_connection((address, port), timeout)
    with deadline.wait(timeout) as cut:
        return socket.create_connection((address, port), cut)


class _CheckedConnection(HTTPConnection):
    response_class = _DeadlineResponse

    def _new_conn(self) -> socket.socket:
        return _connect(self._dns_host, self.port, self.timeout)


class _CheckedHTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse

    def _new_conn(self) -> socket.socket:  # TLS still checks the certificate for the name
        return _connect(self._dns_host, self.port, self.timeout)


class _CheckedPool(HTTPConnectionPool):
    ConnectionCls = _CheckedConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


def pool_manager() -> urllib3.PoolManager:
    # urllib3 directly, not requests: no proxy from the environment can route around the check.
    manager = urllib3.PoolManager(num_pools=4, maxsize=8, retries=False)
    manager.pool_classes_by_scheme = {"http": _CheckedPool, "https": _CheckedHTTPSPool}
    return manager


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) with a host (addresses are checked on connect)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused("Only http:// and https:// addresses can be fetched.")
    if not parts.hostname:
        raise FetchRefused("The address has no host name.")
    if parts.username or parts.password:
        raise FetchRefused("Addresses with a user name or password in them are refused.")


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str  # without parameters, lower case
    charset: str | None
    response: urllib3.BaseHTTPResponse
    max_bytes: int
    deadline: _Deadline

    def chunks(self, size: int = 64 * 1024) -> Iterator[bytes]:
        """The body, refusing it once more than ``max_bytes`` arrive or the deadline passes."""
        read = 0
        try:
            for chunk in self.response.stream(size):
                read += len(chunk)
                if read > self.max_bytes:
                    raise FetchRefused(f"It is larger than the limit of {self.max_bytes:,} bytes.")
                if self.deadline.passed():
                    raise FetchRefused(self.deadline.message)
                yield chunk
        except urllib3.exceptions.TimeoutError:
            if self.deadline.reached:
                raise FetchRefused(self.deadline.message) from None
            raise FetchRefused("The server stopped sending before the end.") from None
        except urllib3.exceptions.HTTPError as error:
            if self.deadline.reached:
                raise FetchRefused(self.deadline.message) from None
            raise FetchRefused(f"The download broke off ({error}).") from None


def _content_type(header: str) -> tuple[str, str | None]:
    main, _, params = (header or "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip().strip('"').lower()
    return main.strip().lower(), charset


def _let_go(response: urllib3.BaseHTTPResponse, *, drain: int = 0) -> None:
    """Back to the pool if the answer was read to its end; otherwise its connection is closed.

    A keep-alive connection whose answer was not read (a redirect's body, even an
    empty one; a feed refused halfway) is in the middle of that answer: the next
    request on it fails (``ResponseNotReady``). Up to ``drain`` bytes are read to
    finish it; past that, or on any trouble, the pool opens a new connection next time.
    """
    if drain and not response.closed:
        with suppress(urllib3.exceptions.HTTPError, OSError):
            response.read(drain + 1)
    if not response.closed:
        response.close()  # closes the connection too
    response.release_conn()


@contextmanager
def fetch(
    url: str,
    *,
    max_bytes: int,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    total_timeout: float | None = None,
    manager: urllib3.PoolManager | None = None,
) -> Iterator[Fetched]:
    """GET ``url`` safely; the body streams from ``Fetched.chunks()``. Raises FetchRefused.

    ``total_timeout`` (``FETCH_TOTAL_TIMEOUT_SECONDS``) bounds the whole of it, from
    the first connection to the body's last byte, redirects included.
    """
    manager = manager or pool_manager()
    timeout = urllib3.Timeout(
        connect=connect_timeout or settings.FETCH_CONNECT_TIMEOUT_SECONDS,
        read=read_timeout or settings.FETCH_READ_TIMEOUT_SECONDS,
    )
    deadline = _Deadline(total_timeout or settings.FETCH_TOTAL_TIMEOUT_SECONDS)
    token = _deadline.set(deadline)
    response = None
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(url)
            if deadline.passed():
                raise FetchRefused(deadline.message)
            try:
                response = manager.request(
                    "GET",
                    url,
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
                    preload_content=False,
                    redirect=False,
                    timeout=timeout,
                )
            except urllib3.exceptions.TimeoutError:
                if deadline.reached:
                    raise FetchRefused(deadline.message) from None
                raise FetchRefused("The server did not answer in time.") from None
            except urllib3.exceptions.HTTPError as error:
                if deadline.reached:
                    raise FetchRefused(deadline.message) from None
                raise FetchRefused(f"The server could not be reached ({error}).") from None
            if response.status in (301, 302, 303, 307, 308):
                status, location = response.status, response.headers.get("Location")
                _let_go(response, drain=REDIRECT_BODY_BYTES)
                response = None
                if not location:
                    raise FetchRefused(f"It redirects (HTTP {status}) to nowhere.")
                url = urljoin(url, location)
                continue
            break
        else:
            raise FetchRefused(f"It redirects more than {MAX_REDIRECTS} times.")
        if response.status != 200:
            raise FetchRefused(f"The server answered HTTP {response.status}, not 200.")
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchRefused(
                f"It is {int(length):,} bytes, larger than the limit of {max_bytes:,} bytes."
            )
        content_type, charset = _content_type(response.headers.get("Content-Type", ""))
        yield Fetched(
            url=url,
            status=response.status,
            content_type=content_type,
            charset=charset,
            response=response,
            max_bytes=max_bytes,
            deadline=deadline,
        )
    finally:
        if response is not None:
            _let_go(response)
        _deadline.reset(token)
