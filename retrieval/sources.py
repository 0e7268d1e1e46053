"""Turn what a user names (files, folders, URLs) into parsed articles, one outcome per source."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import BadSource, CoverageError
from .fetch import fetch
from .models import ParsedArticle
from .parse import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES, parse_file, parse_html
from .settings import Settings
from .urls import without_credentials


def is_url(source: str) -> bool:
    return "://" in source


def expand(sources: Sequence[str]) -> list[str]:
    """Files and URLs in order; a folder becomes its files (sorted, recursively). Files of
    other types stay in the list, to be reported as skipped; hidden files and sidecars do not.

    Raises `BadSource` for a folder that holds nothing we read."""
    out: list[str] = []
    for source in sources:
        path = Path(source)
        if not is_url(source) and path.is_dir():
            files = [c for c in sorted(path.rglob("*")) if not _ignored(c, path) and not c.is_dir()]
            if not files:
                raise BadSource(f"{source}: the folder is empty")
            if not any(c.suffix.lower() in SUPPORTED_SUFFIXES for c in files):
                kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
                raise BadSource(f"{source}: the folder holds no article files ({kinds}); {len(files)} other file(s)")
            out += [str(c) for c in files]
        else:
            out.append(source)
    return out


def _ignored(path: Path, root: Path) -> bool:
    """Hidden files and sidecars are not articles in a folder (nor reasons to complain)."""
    relative = path.relative_to(root).parts
    if any(part.startswith(".") for part in relative):
        return True
    return path.name.endswith(SIDECAR_SUFFIX)


def label(source: str) -> str:
    """How a source is named in outcomes and messages: a URL without its `user:pass@`."""
    return without_credentials(source) if is_url(source) else source


def read_source(source: str, settings: Settings) -> ParsedArticle:
    """One file or URL as an article; raises a `CoverageError` that names the problem."""
    if is_url(source):
        page = fetch(
            source,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            allow_private=settings.allow_private_urls,
        )
        article = parse_html(page.body, source=label(source), url=page.url)
        article.origin = article.url or page.url
        return article
    path = Path(source)
    if not path.exists():
        raise BadSource(f"{source}: no such file or folder")
    article = parse_file(path)
    article.origin = str(path.resolve())
    return article


def read_sources(sources: Sequence[str], settings: Settings) -> Iterator[tuple[str, ParsedArticle | CoverageError]]:
    for source in sources:
        try:
            yield label(source), read_source(source, settings)
        except CoverageError as err:
            yield label(source), err
