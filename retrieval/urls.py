"""One spelling per address: the canonical URL that identifies an article and appears in every
citation. Feeds, pages and typed metadata all pass through `normalise_url`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

from .errors import BadSource
from .text import one_line

#: Longer addresses are not article URLs (browsers and servers cap near 2,000 characters).
MAX_URL_CHARS = 2048
# scheme://user:pass@ — up to the last @ before the path, as urlsplit reads the authority.
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no credentials, no fragment, no tracking
    parameters (utm_*, fbclid, gclid and the rest of courlan's list), query sorted.

    Raises `BadSource` for what cannot be an article's address (not http(s), no host, too long)."""
    text = one_line(url)
    if len(text) > MAX_URL_CHARS:
        raise BadSource(f"the URL is {len(text)} characters long; the limit is {MAX_URL_CHARS}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise BadSource(f"{text!r} is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadSource(f"the URL must start with http:// or https://, not {text!r}")
    if not parts.hostname:
        raise BadSource(f"the URL {text!r} has no host")
    # Credentials would be shown in every citation: drop them before anything else sees them.
    netloc = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if ":" in parts.hostname:  # an IPv6 literal keeps its brackets
        netloc = f"[{parts.hostname}]" + (f":{port}" if port is not None else "")
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    try:
        cleaned = normalize_url(bare, strict=False, trailing_slash=True)
    except ValueError:
        cleaned = bare.lower()
    cleaned_parts = urlsplit(cleaned)
    return urlunsplit(cleaned_parts._replace(fragment=""))


def optional_url(url: str | None) -> str | None:
    """`normalise_url` for a URL found on a page: an unusable one is dropped, not an error."""
    if not url:
        return None
    try:
        return normalise_url(url)
    except BadSource:
        return None


def without_credentials(url: str) -> str:
    """`url` as given, without a `user:pass@`: the form for messages, logs and labels, where
    the address is shown but not changed otherwise (a fetch never sends the credentials)."""
    return _USERINFO.sub(r"\1", url)
