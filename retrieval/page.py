"""A news page's own statement of what it is: headline, authors, date, outlet and address.

Every field comes from the page's structured data first (JSON-LD `NewsArticle`/`Article`, read
with extruct), then its Open Graph and `article:` tags, then its markup (the visible `<h1>`, the
byline and date line beside it). A wrong field here is a wrong citation, so each is cleaned of
what is not it (a headline's trailing site name, an author that is the publisher), and a date
the page does not state stays unknown: dates come only from the page's structured data and the
date line under its headline, never from body text, the address or comments (`dates`)."""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urljoin, urlsplit

import lxml.html
from extruct.jsonld import JsonLdExtractor
from lxml import etree

from .bylines import MAX_AUTHOR_CHARS, clean_authors, is_desk, loose, names_site, starts_byline
from .dates import Stamp, line_dates, local_day, parse_stamp
from .text import one_line
from .urls import optional_url

__all__ = ["MAX_AUTHOR_CHARS", "MAX_OUTLET_CHARS", "MAX_TITLE_CHARS", "PageMeta", "clean_authors", "page_metadata"]

log = logging.getLogger(__name__)

MAX_TITLE_CHARS = 500
MAX_OUTLET_CHARS = 200

_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Report|NewsArticle|Posting)$")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—:~•·»]|-{1,2}|::)\s+")
_NOT_NAME = re.compile(r"https?://|www\.|@|\d{3,}")
_NOT_OUTLET = re.compile(r"https?://|www\.|@")
#: The date line and byline sit within a few blocks of the headline, before the article's
#: first paragraph of prose.
HEADER_BLOCKS_AFTER = 15
HEADER_BLOCKS_BEFORE = 6
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*$")
_CLOCK_END = re.compile(r"\b[ap]\.\s?m\.$", re.I)
DATE_LINE_WORDS = 18


def _is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text)) and not _CLOCK_END.search(text)


def _is_prose(text: str) -> bool:
    """25 words, or a sentence of 10: the article has begun."""
    words = len(text.split())
    return words >= 25 or (words >= 10 and _is_sentence(text))


def _is_date_line(text: str) -> bool:
    """A line that may state the date ("By Louis Jacobson on Monday, November 18th, 2019 at
    11:04 a.m."): short and not a sentence, so a date in the text's first sentence is not one."""
    return len(text.split()) <= DATE_LINE_WORDS and not _is_sentence(text)


@dataclass
class PageMeta:
    title: str | None = None
    authors: list[str] | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    language: str | None = None

    @property
    def author(self) -> str | None:
        return ", ".join(self.authors) if self.authors else None


@dataclass
class _Page:
    """What the field readers share: the parsed page, its JSON-LD article, its meta tags and
    its visible text blocks in reading order."""

    tree: etree._Element
    ld: dict
    meta: dict[str, str]
    blocks: list[tuple[etree._Element, str]]
    language: str | None = None
    headline_at: int | None = None  # index in `blocks` of the visible headline
    #: Every block that repeats the headline: a sticky banner may show it above the article's own.
    headline_spots: list[int] = field(default_factory=list)

    def spots(self) -> list[int]:
        first = [] if self.headline_at is None else [self.headline_at]
        return first + [i for i in self.headline_spots if i != self.headline_at]

    def after(self, spot: int) -> list[tuple[etree._Element, str]]:
        """The blocks just after the headline at `spot`, up to the article's first paragraph of
        prose; a standfirst right under the headline does not end them."""
        out = []
        for n, (el, text) in enumerate(self.blocks[spot + 1 : spot + 1 + HEADER_BLOCKS_AFTER]):
            if _is_prose(text):
                if n == 0:
                    continue
                break
            out.append((el, text))
        return out

    def before(self, spot: int) -> list[tuple[etree._Element, str]]:
        """The blocks just before the headline at `spot`, nearest first."""
        out = []
        for el, text in reversed(self.blocks[max(0, spot - HEADER_BLOCKS_BEFORE) : spot]):
            if _is_prose(text):
                break
            out.append((el, text))
        return out

    def header(self) -> tuple[list[str], list[str]]:
        """(after, before): the lines under each copy of the headline, then those above it."""
        after = [text for spot in self.spots() for _, text in self.after(spot)]
        before = [text for spot in self.spots() for _, text in self.before(spot)]
        return after, before

    def header_elements(self, before: bool = False) -> list[etree._Element]:
        """The elements of the lines under each copy of the headline (and above it)."""
        out = [el for spot in self.spots() for el, _ in self.after(spot)]
        if before:
            out += [el for spot in self.spots() for el, _ in self.before(spot)]
            out += [self.blocks[spot][0] for spot in self.spots()]
        return out


def page_metadata(html: str, url: str | None = None) -> PageMeta:
    """Read a page's metadata; `url` is where it was fetched from (or None for a saved file)."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return PageMeta(url=optional_url(url))
    meta = _meta_tags(tree)
    lang = tree.get("lang") or meta.get("og:locale") or meta.get("content-language")
    language = lang.replace("_", "-").split("-")[0].lower() if lang and re.match(r"^[A-Za-z]{2,3}\b", lang) else None
    page = _Page(tree, _json_ld_article(tree), meta, _blocks(tree), language)
    page_url = _page_url(tree, page.ld, meta, url)
    outlet = _outlet(page, page_url)
    title = _title(page, outlet, page_url)
    authors = _authors(page, outlet, page_url)
    published = _published(page)
    return PageMeta(title, authors, published, outlet, page_url, language)


# -- reading the page -------------------------------------------------------------------------
def _json_ld_article(tree) -> dict:
    """The page's JSON-LD article object (merged with the WebPage/Organization it names), or {}."""
    items: list[dict] = []
    extractor = JsonLdExtractor()
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            items += extractor.extract_items(script)
        except (ValueError, TypeError, RecursionError):
            items += _lenient_json(script.text or "")
    flat = list(_flatten(items))
    articles = [i for i in flat if any(_ARTICLE_TYPES.search(t) for t in _types(i)) and _text(i.get("headline"))]
    if not articles:
        articles = [i for i in flat if any(_ARTICLE_TYPES.search(t) for t in _types(i))]
    if not articles:  # a fact-check page describes itself as the review of a claim
        articles = [i for i in flat if "ClaimReview" in _types(i)]
    if not articles:
        return {}
    article = dict(articles[0])
    if not article.get("datePublished"):
        # Yoast-style graphs date the WebPage that holds the article.
        pages = [i for i in flat if "WebPage" in _types(i) and i.get("datePublished")]
        if pages:
            article["datePublished"] = pages[0]["datePublished"]
    # `publisher` may be a reference ({"@id": ...}) to an Organization elsewhere in the graph.
    by_id = {i.get("@id"): i for i in flat if isinstance(i.get("@id"), str)}
    for key in ("publisher", "author"):
        value = article.get(key)
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in by_id:
            article[key] = by_id[value["@id"]]
        elif isinstance(value, list):
            article[key] = [
                by_id.get(v.get("@id"), v) if isinstance(v, dict) and set(v) <= {"@id", "@type"} else v for v in value
            ]
    if not article.get("publisher"):
        orgs = [i for i in flat if {"NewsMediaOrganization", "Organization"} & set(_types(i)) and i.get("name")]
        if orgs:
            article["publisher"] = orgs[0]
    return article


def _lenient_json(text: str) -> list:
    """A JSON-LD script that is not valid JSON ('single-quoted' strings, JavaScript syntax), read
    the way browsers' scripts are; nothing when it cannot be read at all. One broken script must
    not hide the page's structured data."""
    import chompjs

    try:
        value = chompjs.parse_js_object(text)
    except (ValueError, TypeError, RecursionError):
        return []
    return value if isinstance(value, list) else [value]


def _flatten(items: Iterable) -> Iterator[dict]:
    for item in items:
        if not isinstance(item, dict):
            continue
        yield item
        graph = item.get("@graph")
        if isinstance(graph, list):
            yield from _flatten(graph)
        elif isinstance(graph, dict):
            yield from _flatten([graph])


def _types(item: dict) -> list[str]:
    kind = item.get("@type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _meta_tags(tree) -> dict[str, str]:
    """<meta> name/property → content (first one wins), lower-cased keys."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        content = el.get("content")
        if key and content and content.strip() and key not in out:
            out[key] = content
    return out


def _text(value) -> str:
    """Plain one-line text of a JSON-LD or attribute value (entities and stray tags removed)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), "")
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if not isinstance(value, str):
        return ""
    value = html_lib.unescape(value)
    if "<" in value:
        value = re.sub(r"<[^>]+>", " ", value)
    return one_line(value)


def _visible_text(el) -> str:
    return one_line(" ".join(el.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")))


_BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
    "header", "footer", "aside", "nav", "main", "figure", "figcaption", "blockquote", "table", "tr", "td", "th",
    "time", "address", "br", "hr", "form", "small",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "select", "button", "head", "title"}
_MAX_DEPTH = 200


def _blocks(tree) -> list[tuple[etree._Element, str]]:
    """The page's visible text as a reader meets it: one entry per block of text, with the
    element that holds it, in document order."""
    out: list[tuple[etree._Element, str]] = []
    parts: list[str] = []
    body = tree.find("body")
    root = body if body is not None else tree

    def flush(owner) -> None:
        if parts:
            text = one_line("".join(parts))
            parts.clear()
            if text:
                out.append((owner, text))

    def walk(el, owner, depth: int) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in _SKIP_TAGS or depth > _MAX_DEPTH:
            return
        if tag in _BLOCK_TAGS:
            flush(owner)
            owner = el
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child, owner, depth + 1)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK_TAGS:
            flush(el)

    walk(root, root, 0)
    flush(root)
    return out


# -- fields -----------------------------------------------------------------------------------
def _page_url(tree, ld: dict, meta: dict, fetched: str | None) -> str | None:
    candidates = []
    canonical = tree.xpath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    candidates += canonical[:1]
    candidates.append(meta.get("og:url"))
    main = ld.get("mainEntityOfPage")
    candidates.append(main.get("@id") if isinstance(main, dict) else main)
    candidates.append(ld.get("url"))
    candidates.append(fetched)
    candidates.append(_saved_from(tree))
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate.strip():
            continue
        absolute = urljoin(fetched, candidate.strip()) if fetched else candidate.strip()
        if url := optional_url(absolute):
            return url
    return None


def _saved_from(tree) -> str | None:
    """The address a browser notes in a page it saved: `<!-- saved from url=(0047)https://… -->`."""
    for comment in tree.xpath("//comment()")[:5]:
        match = re.search(r"saved from url=\(\d+\)(https?://\S+)", comment.text or "", re.I)
        if match:
            return match.group(1)
    return None


def _outlet(page: _Page, url: str | None) -> str | None:
    publisher = page.ld.get("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    for candidate in (
        _text(publisher),
        _text(page.meta.get("og:site_name")),
        _text(page.meta.get("application-name")),
        _title_site_name(page),
        _copyright_name(page),
    ):
        # "Autoracing | F1 | Indy | MotoGP" → "Autoracing": the name before a tagline.
        candidate = _TITLE_SEPARATORS.split(candidate)[0].strip() if candidate else candidate
        if not candidate or len(candidate) > MAX_OUTLET_CHARS or _NOT_OUTLET.search(candidate):
            continue
        if not is_desk(loose(candidate)):  # "DH News Service" is the paper's desk, not the paper
            return candidate
    return domain(url)


_COPYRIGHT = re.compile(
    r"(?:(?:©|\(c\)|copyright)\s*)+(?:(?:19|20)\d{2}\s*(?:[-–]\s*(?:19|20)\d{2})?)?\s*[,.]?\s*(?:by\s+)?"
    r"([^.,|•·©\d\s][^|•·©]{1,80}?)\s*(?:\ball rights?\b|[|•·]|\.(?=\s|$)|\b(?:19|20)\d{2}\b|$)",
    re.I,
)
_COMPANY = re.compile(
    r"\b(?:inc|llc|ltd|limited|plc|gmbh|corp|corporation|company|co|holdings|group|media|network|newspapers"
    r"|communications)\b\.?$|^(?:ооо|оао|зао|пао|ао|pt|sa|s\.a\.|srl)\b",
    re.I,
)


def _copyright_name(page: _Page) -> str | None:
    """The name in the page's copyright line ("© 2014-2019 Нормы ГТО и знаний"), when it is a
    site's name and not a company's ("Hearst Newspapers, LLC", "Future US, Inc.")."""
    for _, text in reversed(page.blocks[-40:]):
        match = _COPYRIGHT.search(text)
        if not match:
            continue
        name = re.sub(r"^\([cс]\)\s*", "", match.group(1).strip(" -–:,"), flags=re.I)
        if (
            name
            and not _COMPANY.search(name)
            and len(name.split()) <= 6
            and not re.search(r"\ball rights\b", name, re.I)
        ):
            return name
        return None
    return None


def _title_site_name(page: _Page) -> str | None:
    """The site name a `<title>` ends with ("… | CNN Politics"), when its other part is the
    headline that og:title, an `<h1>` or a line of the page also gives."""
    title = _text(page.tree.findtext(".//title") or "")
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2 or len(parts[-1].split()) > 5:
        return None
    head, site = loose(" ".join(parts[:-1]))[:40], parts[-1]
    if not head:
        return None
    others = [_text(page.meta.get("og:title")), *(_visible_text(h) for h in page.tree.iter("h1"))]
    if any(o and loose(o).startswith(head) for o in others):
        return site
    if any(len(text) < 300 and loose(text).startswith(head) for _, text in page.blocks):
        return site
    return None


def _title(page: _Page, outlet: str | None, url: str | None) -> str | None:
    """The headline a reader sees: the page's `<h1>` when one is its headline, else the
    structured headline, og:title or `<title>`, without a trailing site name."""
    structured = _text(page.ld.get("headline")) or _text(page.ld.get("name"))
    og = _text(page.meta.get("og:title")) or _text(page.meta.get("twitter:title"))
    doc_title = _text(page.tree.findtext(".//title") or "")
    sites = [
        n for n in (loose(outlet or ""), loose(_domain_stem(url) or ""), loose(page.meta.get("og:site_name", ""))) if n
    ]
    # Compared without their site name: "… | The Spokesman-Review" must not vouch for a logo.
    titles = [_without_site(t, sites) for t in (structured, og, doc_title)]
    visible = _visible_headline(page, titles, sites)
    for candidate in (visible, structured, og, doc_title):
        if candidate:
            cleaned = strip_site_name(candidate, outlet, url)[:MAX_TITLE_CHARS].strip() or None
            if cleaned:
                target = loose(cleaned)
                page.headline_spots = [i for i, (_, t) in enumerate(page.blocks) if loose(t) == target][:3]
            return cleaned
    return None


def _visible_headline(page: _Page, others: list[str], sites: list[str]) -> str | None:
    """The `<h1>` a reader sees as the headline. Pages also use `<h1>` for their logo or a
    section name, so an `<h1>` that names the site, or is a word or two, is passed over; one that
    the page's other titles corroborate wins, else the first of at least three words."""
    others = [loose(o) for o in others if o]
    index = {el: i for i, (el, _) in enumerate(page.blocks)}
    first = None
    for h1 in page.tree.iter("h1"):
        if any(a.tag in ("nav", "footer", "aside") for a in h1.iterancestors()):
            continue
        text = _visible_text(h1)
        key = loose(text)
        if len(key.replace(" ", "")) < 6 or (len(key.split()) <= 4 and any(names_site(key, site) for site in sites)):
            continue
        at = index.get(h1, next((index[d] for d in h1.iter() if d in index), None))
        if any(key in o or o in key or _overlap(key, o) >= 0.6 for o in others):
            page.headline_at = at
            return text
        if first is None and (len(key.split()) >= 3 or _dense(key)):
            first = (text, at)
    if first:
        page.headline_at = first[1]
        return first[0]
    return None


def _without_site(title: str, sites: list[str]) -> str:
    """A title without the parts that name the site ("Headline | The Spokesman-Review")."""
    parts = _TITLE_SEPARATORS.split(title)
    kept = [p for p in parts if not any(names_site(loose(p), site) for site in sites)]
    return " ".join(kept) if kept else title


def _dense(text: str) -> bool:
    """Written without spaces (Japanese, Chinese): a headline of few "words"."""
    return len(text) >= 8 and len(text.split()) < 3


def strip_site_name(title: str, outlet: str | None, url: str | None = None) -> str:
    """ "Headline | CNN Politics" → "Headline" when the last part names the outlet or the site."""
    names = [n for n in (loose(outlet or ""), loose(_domain_stem(url) or "")) if n]
    if not names:
        return title
    while True:
        seps = list(_TITLE_SEPARATORS.finditer(title))
        if not seps:
            return title
        last, first = loose(title[seps[-1].end() :]), loose(title[: seps[0].start()])
        if any(names_site(last, n) for n in names):
            title = title[: seps[-1].start()].strip()
        elif len(first.split()) <= 4 and any(names_site(first, n) for n in names):
            title = title[seps[0].end() :].strip()
        else:
            return title


# -- authors ------------------------------------------------------------------------------------
def _authors(page: _Page, outlet: str | None, url: str | None) -> list[str] | None:
    """People named by the JSON-LD author, the author meta tags, the byline element, or the
    byline line under the headline, the first of these that names someone; a wire agency when
    that is all any of them names."""
    publisher = _text(page.ld.get("publisher"))
    site = _text(page.meta.get("og:site_name"))
    exclude = {loose(n) for n in (outlet, publisher, site, _domain_stem(url), domain(url)) if n}
    agencies: list[str] = []
    for raw in _author_sources(page):
        people, found = clean_authors(raw, exclude)
        if people:
            return people
        agencies = agencies or found
    return agencies or None


def _author_sources(page: _Page) -> Iterator[list[str]]:
    yield _ld_people(page.ld.get("author"))
    yield _meta_authors(page.meta)
    yield from _byline_elements(page)
    yield _header_author_links(page)
    after, _ = page.header()
    yield [text for text in after[:8] if starts_byline(text) and len(text.split()) <= 20]


def _ld_people(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        if isinstance(v, dict):
            names.append(_text(v.get("name")))
        elif isinstance(v, str):
            names.append(_text(v))
    return [n for n in names if n]


def _meta_authors(meta: dict) -> list[str]:
    keys = ("author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator")
    for key in keys:
        value = _text(meta.get(key))
        if value and not _NOT_NAME.search(value):
            return [value]
    return []


_BYLINE_XPATH = (
    '//*[@rel="author" or @itemprop="author" or contains(concat(" ", translate(@class, "BYLINEAUTHOR", '
    '"bylineauthor"), " "), "byline") or contains(concat(" ", translate(@class, "BYLINEAUTHOR", "bylineauthor"), '
    '" "), " author")]'
)
#: Inside a byline, the elements that hold one name each.
_NAME_XPATH = (
    './/*[@rel="author" or @itemprop="name" or contains(translate(@class, "NAME", "name"), "name") or '
    '(self::a and (contains(@href, "/author") or contains(@href, "/staff/") or contains(@href, "/people/") or '
    'contains(@href, "/profile") or contains(@href, "/contributor") or contains(@href, "/writer") or '
    'contains(@href, "/journalist") or contains(@href, "/reporter") or contains(@href, "/autor")))]'
)
_AUTHOR_LINK = re.compile(
    r"/(?:authors?|staff|people|profiles?|contributors?|writers?|journalists?|reporters?|autor(?:es)?)/"
)


def _byline_elements(page: _Page) -> Iterator[list[str]]:
    """The page's byline elements (rel=author, itemprop=author, class *byline* or *author*),
    those after the headline first: the names they hold one by one when they mark them, else
    their text."""
    found = [
        el for el in page.tree.xpath(_BYLINE_XPATH) if el.tag not in ("meta", "link", "script", "style", "body", "html")
    ]
    near = set(page.header_elements(before=True))
    if near:
        # Only the byline beside the headline is the article's: teasers below carry their own.
        found = [
            el
            for el in found
            if el in near
            or any(a in near for a in islice(el.iterancestors(), 6))
            or any(d in near for d in el.iterdescendants())
        ]
    if page.headline_at is not None:
        headline = page.blocks[page.headline_at][0]
        order = {el: i for i, el in enumerate(page.tree.iter())}
        mark = order.get(headline, 0)
        found.sort(key=lambda el: (order.get(el, 0) < mark, order.get(el, 0)))
    # The innermost first: a byline section holds the author element, the outlet and the date.
    marked = set(found)
    found.sort(key=lambda el: any(d in marked for d in el.iterdescendants()))
    for el in found[:10]:
        names = [_visible_text(n) for n in el.xpath(_NAME_XPATH)]
        names = [n for n in names if n and len(n) <= 80]
        if names:
            yield names
        text = _visible_text(el)
        if text and len(text) <= MAX_AUTHOR_CHARS:
            yield [text]


def _header_author_links(page: _Page) -> list[str]:
    """Links to author pages in the lines under the headline ("By <a href=/staff/…>")."""
    names = []
    for el in page.header_elements()[:8]:
        for link in el.iter("a"):
            if _AUTHOR_LINK.search(link.get("href") or "") or link.get("rel") == "author":
                names.append(_visible_text(link))
    return [n for n in names if n]


# -- the date ----------------------------------------------------------------------------------
#: Meta tags (name, property or itemprop) that state when the article was first published, in
#: the order they are trusted; modelled on htmldate's list.
_PUBLISHED_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "article_date_original",
    "publish-date",
    "publishdate",
    "publish_date",
    "published_date",
    "published-date",
    "publication_date",
    "date_published",
    "pubdate",
    "pub_date",
    "pdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "dcterms.date",
    "dcterms.created",
    "dc.created",
    "citation_publication_date",
    "analyticsattributes.articledate",
    "originalpublicationdate",
    "og:pubdate",
    "displaydate",
    "date",
)
_STAMP_KEY = re.compile(r"date|time|published|modified|updated|created", re.I)
#: A site's own name for its publication-date tag ("sn-post-date", "publish-time").
_PUBLISHED_KEY = re.compile(r"(?:publish(?:ed)?|post(?:ed)?|pub)[-_.:]?(?:date|time)\b", re.I)


def _published(page: _Page) -> str | None:
    """The day the article was first published, as the page states it in its own time zone:
    JSON-LD datePublished, then the publication meta tags and `<time>` elements, then
    dateCreated (never dateModified), read on the page's own offset (`dates.local_day`); with
    none of these, the date line under the headline. Else unknown."""
    published = next(filter(None, (parse_stamp(v) for v in _published_values(page))), None)
    others = [s for s in (parse_stamp(v) for v in _stamp_values(page)) if s]
    line = _line_date(page, published.day.year if published else None)
    if published:
        return local_day(published, others, line).isoformat()
    return line.isoformat() if line else None


def _published_values(page: _Page) -> Iterator[str]:
    yield _text(page.ld.get("datePublished"))
    metas: dict[str, list[str]] = {}
    for el in page.tree.iter("meta"):
        for attr in ("property", "name", "itemprop"):
            key = (el.get(attr) or "").lower()
            if key:
                metas.setdefault(key, []).append(el.get("content") or "")
    for key in _PUBLISHED_KEYS[:5]:
        yield from metas.get(key, [])
    for el in page.tree.xpath('//*[@itemprop="datePublished"][@datetime or @content] | //time[@pubdate][@datetime]'):
        yield el.get("datetime") or el.get("content") or ""
    yield _text(page.ld.get("dateCreated"))
    for key in _PUBLISHED_KEYS[5:]:
        yield from metas.get(key, [])
    for key, values in metas.items():
        if _PUBLISHED_KEY.search(key) and key not in _PUBLISHED_KEYS:
            yield from values


def _stamp_values(page: _Page) -> Iterator[str]:
    """Every timestamp the page states: where its own UTC offset can be read."""
    for key in ("datePublished", "dateModified", "dateCreated"):
        yield _text(page.ld.get(key))
    for el in page.tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or ""
        if _STAMP_KEY.search(key):
            yield el.get("content") or ""
    for el in page.tree.xpath("//*[@datetime]")[:50]:
        yield el.get("datetime") or ""


def _line_date(page: _Page, year: int | None) -> Stamp | None:
    """The first publication date stated in the lines just after the headline (then just
    before it): the date line a reader sees. An "Updated" date does not count."""
    after, before = page.header()
    for text in [*after, *before]:
        if not _is_date_line(text):
            continue
        for day, update in line_dates(text, page.language, year):
            if not update:
                return day
    return None


# -- helpers ----------------------------------------------------------------------------------
def _overlap(a: str, b: str) -> float:
    wa, wb = set(a.split()), set(b.split())
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _domain_stem(url: str | None) -> str | None:
    """ "edition.cnn.com" → "cnn"; "bbc.co.uk" → "bbc"."""
    host = domain(url)
    if not host:
        return None
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "org", "net", "ac", "gov", "ne", "or"}:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]
