"""A fetched feed's bytes → its title and items, through feedparser (RSS 0.9x/1.0/2.0, Atom).

Also what the items need on their way to articles: the link in its canonical form (the one
rule every article URL follows, `urls.normalise_url`), the keywords test, and the feed's own
full text (`content:encoded`, Atom `content`) as an article for when the linked page cannot be
read.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
import lxml.html

from ..errors import BadSource
from ..fetch import Page
from ..models import ParsedArticle
from ..parse import looks_like_html, parse_body
from ..store import normalise_text
from ..text import one_line
from ..urls import optional_url

#: Content types a feed is served as in the wild (text/html is read too, to say what it is).
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "application/x-atom+xml",
    "text/plain",
    "application/octet-stream",
)
_ALTERNATE_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}


class FeedError(BadSource):
    """A feed could not be read: unreachable, not a feed, malformed, too large."""


@dataclass
class FeedItem:
    """One entry of a feed, reduced to what can make an article."""

    guid: str | None
    link: str | None  # absolute and canonical (`urls.normalise_url`, as every article's URL)
    title: str
    author: str | None
    published: str | None  # YYYY-MM-DD
    summary: str  # plain text
    content: str | None  # the feed's full text (HTML), when it carries one
    fingerprint: str  # changes when the item is edited

    @property
    def key(self) -> str:
        return self.guid or self.link or self.fingerprint


@dataclass
class ParsedFeed:
    title: str | None
    items: list[FeedItem]


def read_feed(page: Page) -> ParsedFeed:
    """Parse a fetched feed; raises `FeedError` saying why it is not one."""
    body = page.body
    if not body.strip():
        raise FeedError(f"{page.url} is empty, not a feed")
    headers = {"content-location": page.url}
    if page.content_type:
        headers["content-type"] = page.content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.version:
        head = body[:2048].decode("utf-8", "replace")
        if page.content_type in ("text/html", "application/xhtml+xml") or looks_like_html(head):
            raise FeedError(f"{page.url} is a web page, not an RSS or Atom feed")
        problem = _problem(parsed.get("bozo_exception"))
        raise FeedError(f"{page.url} is not an RSS or Atom feed" + (f" (malformed XML: {problem})" if problem else ""))
    items = [item for entry in parsed.entries if (item := _item(entry, page.url)) is not None]
    if parsed.bozo and not items:
        problem = _problem(parsed.get("bozo_exception"))
        raise FeedError(f"{page.url} is malformed XML ({problem}) with no readable items")
    title = _text(parsed.feed.get("title")) or None
    return ParsedFeed(title=title, items=items)


def _problem(error: Exception | None) -> str:
    """An XML error as a person reads it: "line 2, column 28: no element found"."""
    if error is None:
        return ""
    if hasattr(error, "getLineNumber"):
        return f"line {error.getLineNumber()}, column {error.getColumnNumber()}: {error.getMessage()}"
    return str(error)


def discover(page: Page) -> str | None:
    """The feed a web page names (`<link rel="alternate" type="application/rss+xml">`), if any."""
    try:
        root = lxml.html.fromstring(page.body)
    except (ValueError, lxml.etree.ParserError):
        return None
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        if "alternate" in rel and kind in _ALTERNATE_TYPES and link.get("href"):
            return urljoin(page.url, link.get("href").strip())
    return None


def _item(entry, base: str) -> FeedItem | None:
    link = entry.get("link")
    link = optional_url(urljoin(base, link)) if link else None
    guid = (entry.get("id") or "").strip() or None
    title = _text(entry.get("title"))
    content = _full_text(entry)
    summary = _text(entry.get("summary"))
    if not link and not content:
        return None  # nothing to fetch and nothing to keep
    author = (entry.get("author_detail") or {}).get("name") or entry.get("author") or None
    # Plain dict reads: feedparser's own lookup maps a missing `updated` to `published`, with a warning.
    published = _date(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))
    stamp = dict.get(entry, "updated") or dict.get(entry, "published") or ""
    fingerprint = hashlib.sha256(
        "\n".join([title, link or "", stamp, summary if not stamp else "", content or ""]).encode()
    ).hexdigest()[:32]
    return FeedItem(guid, link, title, _text(author) or None, published, summary, content, fingerprint)


def _full_text(entry) -> str | None:
    """`content:encoded` or Atom `content`: the article itself, unlike a summary."""
    for content in entry.get("content") or []:
        value = (content.get("value") or "").strip()
        if value:
            return value
    return None


def _text(value: str | None) -> str:
    """Plain text from a feed field that may hold HTML, on one line as every stored field is
    (escape sequences and controls out)."""
    if not value:
        return ""
    if "<" in value:
        with contextlib.suppress(ValueError, lxml.etree.ParserError):
            value = lxml.html.fromstring(f"<div>{value}</div>").text_content()
    return one_line(value)


def _date(value) -> str | None:
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC).date().isoformat()
    except (OverflowError, ValueError, TypeError):
        return None


def article_from_feed(item: FeedItem, source: str) -> ParsedArticle:
    """The article as the feed itself carries it, when the page cannot be read: its text through
    the same extraction and passage rules as a page's (`parse.parse_body`); its outlet is left for
    the caller, who knows the site's name from the pages it could read."""
    if not item.content:
        raise BadSource(f"{source}: the feed carries only a summary")
    meta = {"author": item.author, "published": item.published, "url": item.link}
    try:
        return parse_body(item.content, item.title, source, {k: v for k, v in meta.items() if v})
    except BadSource:
        raise BadSource("the feed's text has no paragraphs") from None


def split_keywords(text: str | None) -> list[str]:
    """ "ukraine russia" → two words; "ceasefire talks, Zelenskyy" → a phrase and a word."""
    if not text or not text.strip():
        return []
    parts = text.split(",") if "," in text else text.split()
    return list(dict.fromkeys(k for part in parts if (k := normalise_text(part))))


def matches(keywords: list[str], item: FeedItem) -> bool:
    """Whether the item's title or summary holds one of the keywords (whole words, any case)."""
    if not keywords:
        return True
    text = f" {normalise_text(item.title + ' ' + item.summary)} "
    return any(f" {k} " in text for k in keywords)
