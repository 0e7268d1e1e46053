"""A news page's own statement of what it is: headline, authors, date, outlet and address.

Every field comes from the page's structured data first (JSON-LD `NewsArticle`/`Article`, read
with extruct), then its Open Graph and `article:` tags, then its markup (the visible `<h1>`, a
byline). Dates come from htmldate with its guessing from body text switched off: a date the
page does not state stays unknown. A wrong field here is a wrong citation, so each is cleaned
of what is not it (a headline's trailing site name, an author that is the publisher)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from extruct.jsonld import JsonLdExtractor
from lxml import etree

from .text import one_line
from .urls import optional_url

log = logging.getLogger(__name__)

MAX_TITLE_CHARS = 500
MAX_AUTHOR_CHARS = 300
MAX_OUTLET_CHARS = 200
MAX_AUTHORS = 8

#: Wire services: named as the author of a story they supplied, they are its source, not a
#: person; they are kept as the author only when no person is named.
WIRE_AGENCIES = {
    "reuters",
    "thomson reuters",
    "associated press",
    "the associated press",
    "ap",
    "afp",
    "agence france presse",
    "agence france-presse",
    "dpa",
    "upi",
    "united press international",
    "press association",
    "pa",
    "ansa",
    "efe",
    "xinhua",
    "bloomberg",
    "bloomberg news",
    "kyodo",
    "yonhap",
    "tass",
    "anadolu",
    "pti",
    "ians",
    "news agencies",
    "agencies",
}
#: Bylines that name nobody.
PLACEHOLDER_AUTHORS = {
    "staff",
    "staff writer",
    "staff writers",
    "staff reporter",
    "editor",
    "editors",
    "editorial",
    "editorial staff",
    "editorial board",
    "the editors",
    "admin",
    "administrator",
    "webmaster",
    "news desk",
    "newsdesk",
    "web desk",
    "desk",
    "guest",
    "guest author",
    "anonymous",
    "unknown",
    "author",
    "redaktion",
    "redazione",
    "rédaction",
    "redacción",
    "redação",
}
_ARTICLE_TYPES = re.compile(r"(Article|BlogPosting|Report|NewsArticle|Posting)$")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—:~•·»]|-{1,2}|::)\s+")
_BY = re.compile(r"^\s*(?:written\s+)?by[:\s]+", re.I)
_NOT_NAME = re.compile(r"https?://|www\.|@|\d{3,}")


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


def page_metadata(html: str, url: str | None = None) -> PageMeta:
    """Read a page's metadata; `url` is where it was fetched from (or None for a saved file)."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return PageMeta(url=optional_url(url))
    ld = _json_ld_article(tree)
    meta = _meta_tags(tree)
    page_url = _page_url(tree, ld, meta, url)
    outlet = _outlet(ld, meta, tree, page_url)
    title = _title(ld, meta, tree, outlet, page_url)
    authors = _authors(ld, meta, tree, outlet, page_url)
    published = _published(ld, meta, html, page_url)
    lang = tree.get("lang") or meta.get("og:locale") or meta.get("content-language")
    language = lang.replace("_", "-").split("-")[0].lower() if lang and re.match(r"^[A-Za-z]{2,3}\b", lang) else None
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
            continue  # one broken script must not hide the others
    flat = list(_flatten(items))
    articles = [i for i in flat if any(_ARTICLE_TYPES.search(t) for t in _types(i)) and _text(i.get("headline"))]
    if not articles:
        articles = [i for i in flat if any(_ARTICLE_TYPES.search(t) for t in _types(i))]
    if not articles:
        return {}
    article = dict(articles[0])
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


def _outlet(ld: dict, meta: dict, tree, url: str | None) -> str | None:
    publisher = ld.get("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    for candidate in (
        _text(publisher),
        _text(meta.get("og:site_name")),
        _text(meta.get("application-name")),
        _title_site_name(tree, meta),
    ):
        if candidate and len(candidate) <= MAX_OUTLET_CHARS and not _NOT_NAME.search(candidate):
            return candidate
    return domain(url)


def _title_site_name(tree, meta: dict) -> str | None:
    """The site name a `<title>` ends with ("… | CNN Politics"), when its other part is the
    headline that og:title or the `<h1>` also gives."""
    title = _text(tree.findtext(".//title") or "")
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return None
    head, site = " ".join(parts[:-1]), parts[-1]
    others = [_text(meta.get("og:title")), *(_visible_text(h) for h in tree.iter("h1"))]
    if len(site.split()) <= 5 and any(o and _loose(o).startswith(_loose(head)[:40]) for o in others):
        return site
    return None


def _title(ld: dict, meta: dict, tree, outlet: str | None, url: str | None) -> str | None:
    structured = _text(ld.get("headline")) or _text(ld.get("name"))
    og = _text(meta.get("og:title")) or _text(meta.get("twitter:title"))
    doc_title = _text(tree.findtext(".//title") or "")
    visible = _visible_headline(tree, [structured, og, doc_title])
    candidates = []
    # A structured headline cut at Google's 110 characters: the visible one is whole.
    if structured and visible and _loose(visible).startswith(_loose(structured).rstrip(". ")) and visible != structured:
        candidates.append(visible)
    candidates += [structured, visible, og, doc_title]
    for candidate in candidates:
        if candidate:
            cleaned = strip_site_name(candidate, outlet, url)
            return cleaned[:MAX_TITLE_CHARS].strip() or None
    return None


def _visible_headline(tree, others: list[str]) -> str | None:
    """The `<h1>` a reader sees as the headline: one that the page's other titles corroborate
    (pages also use `<h1>` for their logo or section name)."""
    others = [_loose(o) for o in others if o]
    for h1 in tree.iter("h1"):
        text = _visible_text(h1)
        loose = _loose(text)
        if len(loose) < 8:
            continue
        if not others or any(loose in o or o in loose or _overlap(loose, o) >= 0.6 for o in others):
            return text
    return None


def strip_site_name(title: str, outlet: str | None, url: str | None = None) -> str:
    """ "Headline | CNN Politics" → "Headline" when the last part names the outlet or the site."""
    names = [n for n in (_loose(outlet or ""), _loose(_domain_stem(url) or "")) if n]
    if not names:
        return title
    while True:
        seps = list(_TITLE_SEPARATORS.finditer(title))
        if not seps:
            return title
        last, first = _loose(title[seps[-1].end() :]), _loose(title[: seps[0].start()])
        if any(_names_site(last, n) for n in names):
            title = title[: seps[-1].start()].strip()
        elif len(first.split()) <= 4 and any(_names_site(first, n) for n in names):
            title = title[seps[0].end() :].strip()
        else:
            return title


def _names_site(part: str, name: str) -> bool:
    if not part:
        return False
    squeezed_part, squeezed_name = part.replace(" ", ""), name.replace(" ", "")
    return (
        part == name
        or squeezed_part == squeezed_name
        or part.startswith(name + " ")
        or (len(squeezed_name) >= 3 and squeezed_part.startswith(squeezed_name))
        or (len(squeezed_part) >= 3 and squeezed_name.startswith(squeezed_part))
    )


def _authors(ld: dict, meta: dict, tree, outlet: str | None, url: str | None) -> list[str] | None:
    publisher = _text(ld.get("publisher"))
    exclude = {_loose(n) for n in (outlet, publisher, _domain_stem(url), domain(url)) if n}
    for raw in (_ld_people(ld.get("author")), _meta_authors(meta), _byline_authors(tree)):
        people, agencies = clean_authors(raw, exclude)
        if people:
            return people
        if agencies:
            return agencies
    return None


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


def _byline_authors(tree) -> list[str]:
    """Names in the page's visible byline (rel=author, itemprop=author, class *byline*)."""
    for el in tree.xpath(_BYLINE_XPATH)[:10]:
        if el.tag in ("meta", "link", "script", "style", "body", "html"):
            continue
        text = _visible_text(el)
        if text and len(text) <= MAX_AUTHOR_CHARS:
            return [text]
    return []


_SPLIT_AUTHORS = re.compile(r"\s*(?:;|,|\band\b|&|\|)\s*", re.I)
_AUTHOR_NOISE = re.compile(
    r"\s*(?:\b(?:updated|published|posted)\b.*|\d{1,2}:\d{2}.*|\b(?:for|of|at)\s+[A-Z].*|\(.*?\)|,?\s*(?:photo|video)s?.*)$",
)


def clean_authors(raw: Iterable[str], exclude: set[str]) -> tuple[list[str], list[str]]:
    """(people, agencies): names split, "By " removed, the outlet, publisher and placeholders
    dropped, wire services set apart."""
    people: list[str] = []
    agencies: list[str] = []
    for entry in raw:
        entry = _BY.sub("", one_line(entry))
        for name in _SPLIT_AUTHORS.split(entry):
            name = _BY.sub("", name).strip(" .,:-–—|")
            if not name or _NOT_NAME.search(name) or len(name) > 80:
                continue
            loose = _loose(name)
            if not loose or loose in PLACEHOLDER_AUTHORS or loose in exclude or len(name.split()) > 6:
                continue
            if any(_names_site(loose, e) for e in exclude if len(e) > 3):
                continue
            if loose in WIRE_AGENCIES:
                if name not in agencies:
                    agencies.append(name)
            elif name not in people and len(people) < MAX_AUTHORS:
                people.append(name[:MAX_AUTHOR_CHARS])
    return people, agencies


def _published(ld: dict, meta: dict, html: str, url: str | None) -> str | None:
    for value in (ld.get("datePublished"), meta.get("article:published_time"), ld.get("dateCreated")):
        if date := _iso_date(_text(value)):
            return date
    import htmldate

    try:
        # extensive_search=False: no guessing from dates mentioned in the text.
        found = htmldate.find_date(html, extensive_search=False, original_date=True, url=url)
    except (ValueError, TypeError, etree.LxmlError):
        return None
    return _iso_date(found)


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", value.strip())
    if not match:
        return None
    try:
        day = dt.date(*map(int, match.groups()))
    except ValueError:
        return None
    if not dt.date(1990, 1, 1) <= day <= dt.date.today() + dt.timedelta(days=1):
        return None
    return day.isoformat()


# -- helpers ----------------------------------------------------------------------------------
_LOOSE = re.compile(r"[\W_]+")


def _loose(text: str) -> str:
    """Lower case, letters and digits, single spaces, no leading "the": for comparing names."""
    loose = _LOOSE.sub(" ", text.lower()).strip()
    return loose[4:] if loose.startswith("the ") else loose


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
