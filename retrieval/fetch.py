"""Fetch a news page safely: http(s) only, public addresses only (unless allowed), a timeout,
a size cap, and every redirect checked the same way.

The host is resolved once and the connection goes to the address that was checked, so a DNS
answer that changes between check and connect cannot reach a private address.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3

from .errors import FetchError

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
USER_AGENT = "coverage-bot/0.1 (+https://github.com/coverage-bot; news quotation bot)"
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Page:
    url: str  # the final URL, after redirects
    body: bytes
    content_type: str
    status: int = 200  # 304 (empty body) when a conditional request found nothing new
    headers: dict[str, str] = field(default_factory=dict)  # response headers, names in lower case


def _check_address(host: str, port: int, allow_private: bool) -> str:
    """Resolve `host` and return one address, refusing non-public ranges unless allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise FetchError(f"cannot resolve the host {host!r}") from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global and not allow_private:
            raise FetchError(
                f"{host} resolves to {ip}, a private, loopback or link-local address; refused "
                "(set COVERAGE_BOT_ALLOW_PRIVATE_URLS=true to allow)"
            )
    return addresses[0]


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

    `timeout` bounds each connect and read, and the whole fetch takes at most twice that.
    `headers` are added to the request (e.g. If-None-Match for a conditional GET); a 304 answer
    is returned as a Page with status 304 and an empty body."""
    deadline = time.monotonic() + 2 * timeout
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"only http and https URLs can be added, not {parts.scheme or 'no scheme'}: {url}")
        if not parts.hostname:
            raise FetchError(f"the URL has no host: {url}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _check_address(parts.hostname, port, allow_private)
        response = _get(parts, address, port, timeout, accept, headers)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{url} redirects without saying where")
                url = urljoin(url, location)
                continue
            answered = {name.lower(): value for name, value in response.headers.items()}
            if response.status == 304:
                return Page(url=url, body=b"", content_type="", status=304, headers=answered)
            if response.status >= 400:
                raise FetchError(f"{url} answered HTTP {response.status}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type and content_type not in accept:
                wanted = "an HTML page" if tuple(accept) == HTML_TYPES else f"one of {', '.join(accept)}"
                raise FetchError(f"{url} is {content_type}, not {wanted}")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url} is larger than the {max_bytes // 1024} KB limit")
            body = bytearray()
            for chunk in response.stream(64 * 1024):
                body += chunk
                if time.monotonic() > deadline:
                    raise FetchError(f"{url} took longer than {2 * timeout:g} s to download")
                if len(body) > max_bytes:
                    raise FetchError(f"{url} is larger than the {max_bytes // 1024} KB limit")
            return Page(
                url=url,
                body=bytes(body),
                content_type=content_type or "text/html",
                status=response.status,
                headers=answered,
            )
        except urllib3.exceptions.HTTPError as err:
            raise FetchError(f"{url} could not be read ({err.__class__.__name__})") from None
        finally:
            response.release_conn()
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times")


def _get(
    parts, address: str, port: int, timeout: float, accept: Sequence[str], extra: Mapping[str, str] | None
) -> urllib3.BaseHTTPResponse:
    host = parts.hostname
    kwargs = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, port, server_hostname=host, assert_hostname=host, **kwargs)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **kwargs)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    headers = {"User-Agent": USER_AGENT, "Accept": ",".join(accept), **(extra or {}), "Host": host_header}
    try:
        return pool.urlopen(
            "GET",
            path,
            headers=headers,
            redirect=False,
            preload_content=False,
        )
    except urllib3.exceptions.NewConnectionError:  # a subclass of the timeout error in urllib3 2
        raise FetchError(f"cannot reach {parts.geturl()} (connection refused or no route)") from None
    except urllib3.exceptions.TimeoutError:
        raise FetchError(f"{parts.geturl()} did not answer within {timeout:g} s") from None
    except urllib3.exceptions.HTTPError as err:
        reason = getattr(err, "reason", None) or err
        raise FetchError(f"cannot reach {parts.geturl()} ({reason})") from None
