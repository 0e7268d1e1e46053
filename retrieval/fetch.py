"""Fetch a news page safely: http(s) only, public addresses only (unless allowed), one deadline
for the whole fetch, a size cap, and every redirect checked the same way.

The host is resolved once and the connection goes to the address that was checked, so a DNS
answer that changes between check and connect cannot reach a private address. The deadline covers
name resolution, connecting, the headers and the body: a watchdog cuts the socket when it passes,
so a server that trickles a byte a second cannot hold a worker thread past the limit.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import BaseHTTPResponse
from urllib3.util.ssl_match_hostname import CertificateError

from .errors import FetchError, HTTPStatusError
from .urls import without_credentials

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
USER_AGENT = "coverage-bot/0.1 (+https://github.com/coverage-bot; news quotation bot)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT_REDIRECTS = (301, 308)


@dataclass
class Page:
    url: str  # the final URL, after redirects
    body: bytes
    content_type: str
    status: int = 200  # 304 (empty body) when a conditional request found nothing new
    headers: dict[str, str] = field(default_factory=dict)  # response headers, names in lower case
    moved_to: str | None = None  # `url`, when every redirect to it was permanent (301, 308)


# -- which addresses may be fetched ---------------------------------------------------------------
def _networks(table: dict[str, str]) -> list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]]:
    return [(ipaddress.ip_network(net), what) for net, what in table.items()]


#: Never fetched, whatever `is_global` says (IANA special-purpose registries, RFC 6890 and after).
DENIED_V4 = _networks(
    {
        "0.0.0.0/8": "this-network",
        "10.0.0.0/8": "private",
        "100.64.0.0/10": "shared (CGNAT)",
        "127.0.0.0/8": "loopback",
        "169.254.0.0/16": "link-local (cloud metadata)",
        "172.16.0.0/12": "private",
        "192.0.0.0/24": "IETF protocol assignment",
        "192.0.2.0/24": "documentation",
        "192.88.99.0/24": "6to4 relay",
        "192.168.0.0/16": "private",
        "198.18.0.0/15": "benchmarking",
        "198.51.100.0/24": "documentation",
        "203.0.113.0/24": "documentation",
        "224.0.0.0/4": "multicast",
        "240.0.0.0/4": "reserved",  # includes the broadcast address
    }
)
DENIED_V6 = _networks(
    {
        "::/128": "unspecified",
        "::1/128": "loopback",
        "64:ff9b:1::/48": "local-use NAT64",
        "100::/64": "discard-only",
        "2001::/23": "IETF protocol assignment",  # Teredo, benchmarking, ORCHID
        "2001:db8::/32": "documentation",
        "3fff::/20": "documentation",
        "fc00::/7": "unique-local",
        "fe80::/10": "link-local",
        "fec0::/10": "site-local",
        "ff00::/8": "multicast",
    }
)
#: IPv6 prefixes whose last 32 bits are an IPv4 address that the packet may end up at.
_V4_IN_LAST_32 = [
    ipaddress.ip_network("::/96"),  # IPv4-compatible (deprecated), ::a.b.c.d
    ipaddress.ip_network("::ffff:0:0/96"),  # IPv4-mapped
    ipaddress.ip_network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT), ::ffff:0:a.b.c.d
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64, well-known prefix
]


def _embedded_v4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 one carries: mapped, compatible, translated, NAT64, 6to4, Teredo."""
    found = []
    if any(ip in net for net in _V4_IN_LAST_32):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client)
    return found


def refusal(address: str) -> str | None:
    """Why an address must not be fetched ("loopback", "embeds 127.0.0.1, loopback"), or None."""
    ip = ipaddress.ip_address(address.split("%")[0])
    denied = DENIED_V4 if ip.version == 4 else DENIED_V6
    for net, what in denied:
        if ip in net:
            return what
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in _embedded_v4(ip):
            if why := refusal(str(inner)):
                return f"embeds {inner}, {why}"
    if not ip.is_global:
        return "not globally routable"
    return None


# -- the deadline -----------------------------------------------------------------------------------
class _Deadline:
    """One limit for a whole fetch, redirects included."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def passed(self) -> bool:
        return self.left() <= 0


class _Watchdog:
    """Shuts the connection's socket down when the deadline passes, waking any blocked read."""

    def __init__(self, conn: HTTPConnection, deadline: _Deadline):
        self.conn = conn
        self.fired = False
        self._timer = threading.Timer(max(deadline.left(), 0.0), self._cut)
        self._timer.daemon = True
        self._timer.name = "fetch-deadline"
        self._timer.start()

    def _cut(self) -> None:
        self.fired = True
        sock = self.conn.sock
        if sock is not None:
            # The plain socket's shutdown, also for TLS: it reaches the descriptor without
            # touching the TLS object another thread is reading through.
            with suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _resolve(host: str, port: int, deadline: _Deadline) -> list[str]:
    """getaddrinfo cannot be interrupted, so it runs in its own thread and is abandoned if late."""
    result: dict = {}

    def work() -> None:
        try:
            result["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as err:
            result["error"] = err

    thread = threading.Thread(target=work, name="fetch-dns", daemon=True)
    thread.start()
    thread.join(max(deadline.left(), 0.0))
    if thread.is_alive():
        raise FetchError(f"cannot resolve the host {host!r} within {deadline.seconds:g} s")
    if "error" in result:
        raise FetchError(f"cannot resolve the host {host!r}")
    return [info[4][0] for info in result["infos"]]


def _check_address(host: str, port: int, allow_private: bool, deadline: _Deadline) -> str:
    """Resolve `host` and return one address, refusing non-public ranges unless allowed."""
    addresses = _resolve(host, port, deadline)
    if not allow_private:
        for address in addresses:
            if why := refusal(address):
                raise FetchError(
                    f"{host} resolves to {address} ({why}), a private, loopback or link-local address; refused "
                    "(set COVERAGE_BOT_ALLOW_PRIVATE_URLS=true to allow)"
                )
    return addresses[0]


# -- one request ------------------------------------------------------------------------------------
def request_headers(
    parts: SplitResult, accept: Sequence[str] = HTML_TYPES, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every header a fetch sends, built in one place; `extra` adds some (If-None-Match for a
    conditional GET), but never replaces the Host the address was checked for."""
    host = parts.hostname or ""
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return {"User-Agent": USER_AGENT, "Accept": ",".join(accept), **(extra or {}), "Host": host_header}


@contextmanager
def _open(
    parts: SplitResult, address: str, port: int, headers: Mapping[str, str], deadline: _Deadline
) -> Iterator[tuple[BaseHTTPResponse, _Watchdog]]:
    """GET `parts` from `address` and yield the response (status and headers read, body not yet),
    with the watchdog that enforces the deadline until the block ends."""
    url = without_credentials(parts.geturl())
    timeout = max(deadline.left(), 0.001)  # per socket operation; the watchdog bounds the total
    if parts.scheme == "https":
        host = parts.hostname
        conn: HTTPConnection = HTTPSConnection(
            address, port, timeout=timeout, server_hostname=host, assert_hostname=host
        )
    else:
        conn = HTTPConnection(address, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    watchdog = _Watchdog(conn, deadline)
    try:
        try:
            conn.request("GET", path, headers=dict(headers), preload_content=False)
            response = conn.getresponse()
        except urllib3.exceptions.NewConnectionError:  # a subclass of the timeout error in urllib3 2
            if watchdog.fired:
                raise FetchError(f"{url} did not answer within {deadline.seconds:g} s") from None
            raise FetchError(f"cannot reach {url} (connection refused or no route)") from None
        except (TimeoutError, urllib3.exceptions.TimeoutError):
            raise FetchError(f"{url} did not answer within {deadline.seconds:g} s") from None
        except (OSError, CertificateError, http.client.HTTPException, urllib3.exceptions.HTTPError) as err:
            if watchdog.fired:
                raise FetchError(f"{url} did not answer within {deadline.seconds:g} s") from None
            reason = getattr(err, "reason", None) or err.__class__.__name__
            raise FetchError(f"cannot reach {url} ({reason})") from None
        if watchdog.fired:  # cut while the headers trickled in: what was parsed is incomplete
            raise FetchError(f"{url} did not answer within {deadline.seconds:g} s")
        yield response, watchdog
    finally:
        watchdog.cancel()
        conn.close()


def _read_body(response: BaseHTTPResponse, url: str, max_bytes: int, deadline: _Deadline, watchdog: _Watchdog) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url} is larger than the {max_bytes // 1024} KB limit")
    body = bytearray()
    try:
        for chunk in response.stream(64 * 1024):
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"{url} is larger than the {max_bytes // 1024} KB limit")
    except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError) as err:
        if not (watchdog.fired or deadline.passed()):
            raise FetchError(f"{url} could not be read ({err.__class__.__name__})") from None
    if watchdog.fired or deadline.passed():  # a cut socket can look like a short, complete body
        raise FetchError(f"{url} took longer than {deadline.seconds:g} s to download")
    return bytes(body)


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date); None when absent
    or unreadable, never negative."""
    if not value or not (value := value.strip()):
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def fetch(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = 5 << 20,
    allow_private: bool = False,
    accept: Sequence[str] = HTML_TYPES,
    headers: Mapping[str, str] | None = None,
) -> Page:
    """GET an HTML page (or another of the `accept` types), following up to MAX_REDIRECTS
    checked redirects.

    `timeout` bounds the whole fetch: resolving, connecting, headers and body, over every redirect.
    `headers` are added to the request (e.g. If-None-Match for a conditional GET); a 304 answer
    is returned as a Page with status 304 and an empty body."""
    deadline = _Deadline(timeout)
    permanent = True  # every redirect so far was 301 or 308
    for hop in range(MAX_REDIRECTS + 1):
        shown = without_credentials(url)  # what messages and the Page say: never a user:pass@
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"only http and https URLs can be added, not {parts.scheme or 'no scheme'}: {shown}")
        if not parts.hostname:
            raise FetchError(f"the URL has no host: {shown}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError(f"the URL has an invalid port: {shown}") from None
        address = _check_address(parts.hostname, port, allow_private, deadline)
        sent = request_headers(parts, accept, headers)
        with _open(parts, address, port, sent, deadline) as (response, watchdog):
            if response.status in REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{shown} redirects without saying where")
                url = urljoin(url, location)
                permanent = permanent and response.status in PERMANENT_REDIRECTS
                continue
            moved = shown if hop and permanent else None
            answered = {name.lower(): value for name, value in response.headers.items()}
            if response.status == 304:
                return Page(url=shown, body=b"", content_type="", status=304, headers=answered, moved_to=moved)
            if response.status >= 400:
                wait = retry_after(answered.get("retry-after")) if response.status in (429, 503) else None
                asked = f" (it asks to wait {wait:.0f} s)" if wait else ""
                raise HTTPStatusError(f"{shown} answered HTTP {response.status}{asked}", response.status, wait)
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type and content_type not in accept:
                wanted = "an HTML page" if tuple(accept) == HTML_TYPES else f"one of {', '.join(accept)}"
                raise FetchError(f"{shown} is {content_type}, not {wanted}")
            body = _read_body(response, shown, max_bytes, deadline, watchdog)
            return Page(
                url=shown,
                body=body,
                content_type=content_type or "text/html",
                status=response.status,
                headers=answered,
                moved_to=moved,
            )
    raise FetchError(f"{shown} redirects more than {MAX_REDIRECTS} times")
