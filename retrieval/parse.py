"""Turn a file's bytes into a `ParsedArticle`: the seeds' plain text, Markdown with front matter,
or a saved news page (HTML, through trafilatura)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .errors import BadSource, UnsupportedSource
from .models import ParsedArticle

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
SIDECAR_SUFFIX = ".meta.json"
META_FIELDS = ("title", "outlet", "author", "published", "url", "language")
# "By Tamilla Hasanova", "By Ana de la Cruz and Li Wei": capitalised name words, no sentence.
_NAME_WORD = r"(?:[A-ZÀ-Þ][\w.'’-]*|de|del|der|la|le|van|von|da|di|al|bin|el|and|&)"
_BYLINE = re.compile(rf"^\s*By\s+(?P<name>[A-ZÀ-Þ][\w.'’-]*(?:,?\s+{_NAME_WORD}){{0,7}})\s*$")
#: Lines shorter than this (in words) in an extracted page are captions, buttons or subheads.
MIN_HTML_PARAGRAPH_WORDS = 4


def decode_text(data: bytes, source: str) -> str:
    """Decode a text file, refusing binaries and empty files with a message that says which."""
    if not data.strip():
        raise BadSource(f"{source}: the file is empty")
    if b"\x00" in data[:8192]:
        raise BadSource(f"{source}: this looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadSource(f"{source}: the file is not UTF-8 text") from None


def normalise_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date, datetime or string, or None when unknown."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if not match:
        raise BadSource(f"the date {text!r} is not in the form YYYY-MM-DD")
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        raise BadSource(f"the date {text!r} is not a real date") from None


def clean_meta(meta: dict, source: str) -> dict:
    cleaned = {}
    for key in META_FIELDS:
        value = meta.get(key)
        if key == "title" and value is None:
            value = meta.get("headline")
        if value is None or str(value).strip() == "":
            continue
        if key == "published":
            try:
                cleaned[key] = normalise_date(value)
            except BadSource as err:
                raise BadSource(f"{source}: {err}") from None
        else:
            cleaned[key] = " ".join(str(value).split())
    return cleaned


def parse_txt(text: str, source: str = "text") -> ParsedArticle:
    """The seeds' format: headline on line 1, a paragraph per line, an optional `By NAME` last."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise BadSource(f"{source}: the file has no text")
    title, body = lines[0], lines[1:]
    author = None
    if body and (match := _BYLINE.match(body[-1])):
        author = match.group("name")
        body = body[:-1]
    if not body:
        raise BadSource(f"{source}: there are no paragraphs after the headline")
    return ParsedArticle(title=title, paragraphs=body, author=author, source=source)


def parse_md(text: str, source: str = "markdown") -> ParsedArticle:
    """Markdown with YAML front matter (title, outlet, author, published, url)."""
    from markdown_it import MarkdownIt

    meta: dict = {}
    match = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, re.S)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as err:
            raise BadSource(f"{source}: the front matter is not valid YAML ({err.problem})") from None
        if not isinstance(loaded, dict):
            raise BadSource(f"{source}: the front matter must be `key: value` lines")
        meta = loaded
        text = text[match.end() :]
    tokens = MarkdownIt().parse(text)
    paragraphs: list[str] = []
    heading = None
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        content = _inline_text(token)
        if not content:
            continue
        opener = tokens[i - 1]
        if opener.type == "heading_open":
            if heading is None and opener.tag == "h1":
                heading = content
            continue
        paragraphs.append(content)
    meta = clean_meta(meta, source)
    title = meta.pop("title", None) or heading
    if not title:
        raise BadSource(f"{source}: no headline (add `title:` to the front matter or a `# ` line)")
    if paragraphs and (by := _BYLINE.match(paragraphs[-1])) and "author" not in meta:
        meta["author"] = by.group("name")
        paragraphs.pop()
    if not paragraphs:
        raise BadSource(f"{source}: the article has no paragraphs")
    return ParsedArticle(title=title, paragraphs=paragraphs, source=source, **meta)


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return " ".join("".join(parts).split())


def parse_html(html: str | bytes, source: str = "page", url: str | None = None) -> ParsedArticle:
    """A saved or fetched news page: main text and metadata through trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
    )
    if doc is None or not (doc.text or "").strip():
        raise BadSource(f"{source}: no article text found on the page")
    title = " ".join((doc.title or "").split())
    lines = [" ".join(line.split()) for line in doc.text.splitlines()]
    paragraphs = [line for line in lines if len(line.split()) >= MIN_HTML_PARAGRAPH_WORDS and line != title]
    if not paragraphs:
        raise BadSource(f"{source}: no article text found on the page")
    page_url = doc.url or url
    saved_from = _saved_from(html)
    outlet = doc.sitename or _domain(page_url or saved_from)
    if not title:
        title = paragraphs[0][:120]
    try:
        published = normalise_date(doc.date)
    except BadSource:
        published = None
    return ParsedArticle(
        title=title,
        paragraphs=paragraphs,
        outlet=outlet,
        author=doc.author or None,
        published=published,
        url=page_url or saved_from,
        language=_html_lang(html),
        source=source,
    )


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _saved_from(html: str | bytes) -> str | None:
    """The address a browser notes in a page it saved: `<!-- saved from url=(0047)https://… -->`."""
    head = html[:2048].decode("utf-8", "replace") if isinstance(html, bytes) else html[:2048]
    match = re.search(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", head, re.I)
    return match.group(1) if match else None


def _html_lang(html: str | bytes) -> str | None:
    head = html[:4096].decode("utf-8", "replace") if isinstance(html, bytes) else html[:4096]
    match = re.search(r"<html[^>]*\slang=[\"']?([A-Za-z]{2,3})", head, re.I)
    return match.group(1).lower() if match else None


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1024].lower()
    return head.startswith("<!doctype html") or "<html" in head


def parse_file(path: Path) -> ParsedArticle:
    """Read one file by its suffix, with metadata from a `NAME.meta.json` sidecar if present."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedSource(f"{source}: unsupported file type {suffix or '(none)'}; use {kinds}")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadSource(f"{source}: cannot read the file ({err.strerror})") from None
    return parse_bytes(data, suffix, source, sidecar=read_sidecar(path))


def parse_bytes(data: bytes, suffix: str, source: str, sidecar: dict | None = None) -> ParsedArticle:
    """Parse an upload or file body; `suffix` picks the format (.txt, .md, .html)."""
    suffix = suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedSource(f"{source}: unsupported file type {suffix or '(none)'}; use {kinds}")
    text = decode_text(data, source)
    if suffix in {".html", ".htm"}:
        article = parse_html(text, source)
    elif suffix in {".md", ".markdown"}:
        article = parse_md(text, source)
    else:
        article = parse_txt(text, source)
    if sidecar:
        for key, value in clean_meta(sidecar, source).items():
            setattr(article, key, value)
    return article


def read_sidecar(path: Path) -> dict | None:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return None
    try:
        meta = json.loads(sidecar.read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise BadSource(f"{sidecar}: cannot read the metadata ({err})") from None
    if not isinstance(meta, dict):
        raise BadSource(f"{sidecar}: the metadata must be a JSON object")
    return meta


def from_fields(
    title: str,
    text: str,
    *,
    outlet: str | None = None,
    author: str | None = None,
    published: str | None = None,
    url: str | None = None,
    source: str = "pasted text",
) -> ParsedArticle:
    """An article typed or pasted by a person: paragraphs are separated by blank lines or lines."""
    title = " ".join(title.split())
    if not title:
        raise BadSource(f"{source}: the headline is empty")
    chunks = re.split(r"\n\s*\n", text.strip()) if "\n\n" in text.strip() else text.splitlines()
    paragraphs = [" ".join(c.split()) for c in chunks if c.strip()]
    if not paragraphs:
        raise BadSource(f"{source}: the article text is empty")
    meta = clean_meta({"outlet": outlet, "author": author, "published": published, "url": url}, source)
    return ParsedArticle(title=title, paragraphs=paragraphs, source=source, **meta)
