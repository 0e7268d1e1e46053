"""Turn a file's bytes into a `ParsedArticle`, by format: the seeds' plain text, Markdown with
front matter, or a saved news page (HTML: body through trafilatura, metadata in `page`).

Every format ends the same way: typed blocks (`blocks`), prose passages with their headings,
and metadata checked field by field (`clean_meta`)."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import json
import logging
import os
import re
import stat
from html import escape as escape_html
from pathlib import Path

from .blocks import classify, html_blocks, passages
from .bodies import prepare_body
from .errors import BadSource, UnsupportedSource
from .frontmatter import split_front_matter
from .models import Block, ParsedArticle
from .page import MAX_AUTHOR_CHARS, MAX_OUTLET_CHARS, MAX_TITLE_CHARS, clean_authors, page_metadata, strip_site_name
from .text import one_line, strip_controls
from .urls import MAX_URL_CHARS, normalise_url

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
SIDECAR_SUFFIX = ".meta.json"
META_FIELDS = ("title", "outlet", "author", "published", "url", "language")
#: Longest value each field may hold: a headline, a byline, a name, an address, a language tag.
META_LIMITS = {
    "title": MAX_TITLE_CHARS,
    "outlet": MAX_OUTLET_CHARS,
    "author": MAX_AUTHOR_CHARS,
    "published": 40,
    "url": MAX_URL_CHARS,
    "language": 35,
}
#: Files past this are not articles (a long feature is ~100 KB of HTML text, a page ~2 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_SIDECAR_BYTES = 64 * 1024
#: Tags past this are not a news page (the 181 benchmark pages have at most ~3,300); bounding
#: them bounds the extractor's time and memory before it starts.
MAX_HTML_TAGS = 100_000
# "By Tamilla Hasanova", "By Ana de la Cruz and Li Wei": capitalised name words, no sentence.
_NAME_WORD = r"(?:[A-ZÀ-Þ][\w.'’-]*|de|del|der|la|le|van|von|da|di|al|bin|el|and|&)"
_BYLINE = re.compile(rf"^\s*By\s+(?P<name>[A-ZÀ-Þ][\w.'’-]*(?:,?\s+{_NAME_WORD}){{0,7}})\s*$")


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
    text = one_line(str(value))[:40]
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if not match:
        raise BadSource(f"the date {text!r} is not in the form YYYY-MM-DD")
    try:
        return dt.date(*map(int, match.groups())).isoformat()
    except ValueError:
        raise BadSource(f"the date {text!r} is not a real date") from None


def clean_meta(meta: dict, source: str) -> dict:
    """The known fields of front matter, a sidecar, options or an edit, checked: text only
    (a list only for authors), within each field's length, a real date, an http(s) URL."""
    cleaned = {}
    for key in META_FIELDS:
        value = meta.get(key)
        if key == "title" and value is None:
            value = meta.get("headline")
        if value is None:
            continue
        text = _field_text(key, value, source)
        if not text:
            continue
        if len(text) > META_LIMITS[key]:
            raise BadSource(f"{source}: the {key} is {len(text)} characters long; the limit is {META_LIMITS[key]}")
        try:
            if key == "published":
                text = normalise_date(text)
            elif key == "url":
                text = normalise_url(text)
        except BadSource as err:
            raise BadSource(f"{source}: {err}") from None
        cleaned[key] = text
    return cleaned


def _field_text(key: str, value: object, source: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float | list):
        raise BadSource(f"{source}: the {key} must be text, not {type(value).__name__}")
    if isinstance(value, list):
        if key != "author" or not all(isinstance(v, str | int | float) for v in value):
            raise BadSource(f"{source}: the {key} must be text, not a list")
        if len(value) > 20:
            raise BadSource(f"{source}: more than 20 authors")
        value = ", ".join(str(v) for v in value[:20])
    return one_line(str(value)[: 4 * META_LIMITS[key] + 16])


def finish(title: str, blocks: list[Block], source: str, meta: dict | None = None) -> ParsedArticle:
    """Passages (prose only, long ones split) and headings from the blocks; metadata as given."""
    paragraphs, headings = passages(blocks, title)
    if not paragraphs:
        raise BadSource(f"{source}: the article has no paragraphs of text")
    return ParsedArticle(
        title=title, paragraphs=paragraphs, headings=headings, blocks=blocks, source=source, **(meta or {})
    )


def parse_txt(text: str, source: str = "text") -> ParsedArticle:
    """The seeds' format: headline on line 1, a paragraph per line, an optional `By NAME` last."""
    lines = [one_line(line) for line in strip_controls(text).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise BadSource(f"{source}: the file has no text")
    title, body = lines[0], lines[1:]
    meta = {}
    blocks = [Block("paragraph", line) for line in body]
    if blocks and (match := _BYLINE.match(body[-1])):
        meta["author"] = match.group("name")
        blocks[-1].kind = "byline"
    if not [b for b in blocks if b.kind == "paragraph"]:
        raise BadSource(f"{source}: there are no paragraphs after the headline")
    return finish(title[:MAX_TITLE_CHARS], blocks, source, meta)


def parse_md(text: str, source: str = "markdown") -> ParsedArticle:
    """Markdown with YAML front matter (title, outlet, author, published, url): headings, lists,
    quotations, tables and images keep their kind; plain paragraphs are typed by `classify`."""
    raw_meta, body = split_front_matter(text, source)
    meta = clean_meta(raw_meta, source)
    blocks = markdown_blocks(strip_controls(body))
    heading = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    title = meta.pop("title", None) or heading
    if not title:
        raise BadSource(f"{source}: no headline (add `title:` to the front matter or a `# ` line)")
    _author_from_byline(blocks, meta)
    return finish(title, blocks, source, meta)


def markdown_blocks(text: str) -> list[Block]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    context: list[str] = []  # open containers: blockquote, list item, table row
    row: list[str] = []
    for i, token in enumerate(tokens):
        if token.type in ("blockquote_open", "list_item_open", "tr_open"):
            context.append(token.type)
            row = [] if token.type == "tr_open" else row
        elif token.type in ("blockquote_close", "list_item_close", "tr_close"):
            context.pop()
            if token.type == "tr_close" and any(row):
                blocks.append(Block("table_row", " | ".join(c for c in row if c)))
        elif token.type in ("fence", "code_block") and (code := one_line(token.content)):
            blocks.append(Block("paragraph", code))
        elif token.type == "inline":
            content, only_image, only_link = _inline_text(token)
            opener = tokens[i - 1].type if i else ""
            if opener in ("th_open", "td_open"):
                row.append(content)
                continue
            if not content:
                continue
            if opener == "heading_open":
                blocks.append(Block("heading", content, level=int(tokens[i - 1].tag[1])))
            elif only_image:
                blocks.append(Block("caption", content))
            elif "list_item_open" in context:
                # A paragraph continuing an item (a loose list) joins the item.
                if blocks and blocks[-1].kind == "list_item" and tokens[i - 2].type != "list_item_open":
                    blocks[-1].text += " " + content
                else:
                    blocks.append(Block("list_item", content))
            elif "blockquote_open" in context:
                kind = classify(content).kind
                blocks.append(Block("embed" if kind == "embed" else "quotation", content))
            elif only_link:
                blocks.append(Block("teaser", content))
            else:
                blocks.append(classify(content))
    return blocks


def _inline_text(token) -> tuple[str, bool, bool]:
    """(text, is only an image, is only a link): markup removed, an image's alt text kept."""
    parts = []
    images = links = 0
    in_link = 0
    outside = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
            if not in_link:
                outside.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "image":
            images += 1
            parts.append(child.content)
        elif child.type == "link_open":
            links += 1
            in_link += 1
        elif child.type == "link_close":
            in_link -= 1
    text = one_line("".join(parts))
    bare = one_line("".join(outside))
    return text, images > 0 and not bare, links > 0 and not bare and images == 0


def _author_from_byline(blocks: list[Block], meta: dict) -> None:
    """A byline line ("By Sam Okafor") names the author when the metadata does not."""
    if meta.get("author"):
        return
    for block in blocks:
        match = _BYLINE.match(block.text) if block.kind in ("paragraph", "byline") else None
        if match:
            people, agencies = clean_authors([match.group("name")], {meta.get("outlet", "").lower()})
            if people or agencies:
                meta["author"] = ", ".join(people or agencies)[:MAX_AUTHOR_CHARS]
                block.kind = "byline"
                return


def _check_tags(html: str, source: str) -> None:
    """Bounds the extractor's time and memory before it starts."""
    tags = html.count("<")
    if tags > MAX_HTML_TAGS:
        raise BadSource(f"{source}: the page has {tags:,} HTML tags, more than the {MAX_HTML_TAGS:,} a news page has")


def _body_blocks(html: str, source: str, url: str | None = None, whole_article: bool = False) -> list[Block]:
    """HTML to typed blocks: trafilatura finds the body and its structure, `blocks` types it.
    The one path for a page and for an article body given without its page.

    `whole_article`: the HTML is the article itself (a feed's full text), so trafilatura's rescue
    for pages whose body it found too thin is off; on a short body it would join every line."""
    import trafilatura

    options = {"config": _whole_article_config()} if whole_article else {}
    doc = trafilatura.bare_extraction(
        html if whole_article else prepare_body(html),
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        **options,
    )
    if doc is None or doc.body is None:
        raise BadSource(f"{source}: no article text found on the page")
    return html_blocks(doc.body)


@functools.cache
def _whole_article_config():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    return config


def parse_html(html: str | bytes, source: str = "page", url: str | None = None) -> ParsedArticle:
    """A saved or fetched news page: the body through trafilatura, typed into blocks; the
    metadata from the page's own structured data (`page.page_metadata`)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    _check_tags(html, source)
    meta = page_metadata(html, url)
    blocks = _body_blocks(html, source, url)
    title = meta.title
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), None)
    paragraph = next((b.text for b in blocks if b.kind in ("paragraph", "table_row", "list_item")), None)
    if not title and paragraph:
        title = paragraph[:120]
    if not title or not paragraph:
        raise BadSource(f"{source}: no article text found on the page")
    title = strip_site_name(title, meta.outlet, meta.url)
    fields = {"outlet": meta.outlet, "author": meta.author, "published": meta.published, "url": meta.url}
    fields["language"] = meta.language
    try:
        return finish(title, blocks, source, {k: v for k, v in fields.items() if v})
    except BadSource:
        raise BadSource(f"{source}: no article text found on the page") from None


def parse_body(body: str, title: str | None, source: str, meta: dict | None = None) -> ParsedArticle:
    """An article's body without its page: a feed's `content:encoded` or Atom `content` (HTML,
    or plain text with blank lines between paragraphs). The same blocks and passages as a
    page's body; the metadata is what the caller knows (the feed item's)."""
    if "<" not in body:  # plain text: its paragraphs as the HTML they stand for
        text = strip_controls(body).strip()
        chunks = re.split(r"\n\s*\n", text) if "\n\n" in text else text.splitlines()
        body = "".join(f"<p>{escape_html(c)}</p>" for c in chunks if c.strip())
    _check_tags(body, source)
    blocks = _body_blocks(f"<html><body><article>{body}</article></body></html>", source, whole_article=True)
    title = one_line(title or "")
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), None) or next(
            (b.text[:120] for b in blocks if b.kind == "paragraph"), ""
        )
    if not title:
        raise BadSource(f"{source}: the article has no paragraphs of text")
    return finish(title[:MAX_TITLE_CHARS], blocks, source, meta)


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1024].lower()
    return head.startswith("<!doctype html") or "<html" in head


def read_regular_file(path: Path, limit: int, source: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A FIFO, device or socket is
    refused before it is read (reading /dev/zero never ends; opening a FIFO waits for a
    writer), and so is a file over the limit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise BadSource(f"{source}: cannot read the file ({err.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadSource(f"{source}: not a regular file ({_file_kind(info.st_mode)}); only files can be added")
        if info.st_size > limit:
            raise BadSource(f"{source}: the file is {info.st_size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while we read it
                raise BadSource(f"{source}: the file is larger than {limit / 1e6:.0f} MB")
        return b"".join(chunks)
    except OSError as err:
        if err.errno == errno.EISDIR:
            raise BadSource(f"{source}: is a folder") from None
        raise BadSource(f"{source}: cannot read the file ({err.strerror})") from None
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a plain file"


def parse_file(path: Path) -> ParsedArticle:
    """Read one file by its suffix, with metadata from a `NAME.meta.json` sidecar if present."""
    source = str(path)
    try:
        mode = path.stat().st_mode  # stat never blocks, even on a FIFO
    except OSError as err:
        raise BadSource(f"{source}: cannot read the file ({err.strerror})") from None
    if not stat.S_ISREG(mode):
        raise BadSource(f"{source}: not a regular file ({_file_kind(mode)}); only files can be added")
    check_suffix(path.suffix, source)
    data = read_regular_file(path, MAX_FILE_BYTES, source)
    return parse_bytes(data, path.suffix, source, sidecar=read_sidecar(path))


def check_suffix(suffix: str, source: str) -> None:
    """Refuse a file kind no parser reads, before anything is downloaded or read."""
    if suffix.lower() not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedSource(f"{source}: unsupported file type {suffix or '(none)'}; use {kinds}")


def parse_bytes(data: bytes, suffix: str, source: str, sidecar: dict | None = None) -> ParsedArticle:
    """Parse an upload or file body; `suffix` picks the format (.txt, .md, .html)."""
    suffix = suffix.lower()
    check_suffix(suffix, source)
    if len(data) > MAX_FILE_BYTES:
        raise BadSource(f"{source}: the file is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
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
    data = read_regular_file(sidecar, MAX_SIDECAR_BYTES, str(sidecar))
    try:
        meta = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
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
    title = one_line(title)
    if not title:
        raise BadSource(f"{source}: the headline is empty")
    text = strip_controls(text).strip()
    chunks = re.split(r"\n\s*\n", text) if "\n\n" in text else text.splitlines()
    blocks = [Block("paragraph", one_line(c)) for c in chunks if one_line(c)]
    if not blocks:
        raise BadSource(f"{source}: the article text is empty")
    meta = clean_meta({"title": title, "outlet": outlet, "author": author, "published": published, "url": url}, source)
    title = meta.pop("title")
    return finish(title, blocks, source, meta)
