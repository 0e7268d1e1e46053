"""Turn what a user names (files, folders, URLs) into parsed articles, one outcome per source."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import BadSource, CoverageError
from .fetch import fetch
from .models import ParsedArticle
from .parse import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES, parse_file, parse_html
from .settings import Settings


def is_url(source: str) -> bool:
    return "://" in source


def expand(sources: Sequence[str]) -> list[str]:
    """Files and URLs in order; a folder becomes its supported files (sorted, recursively)."""
    out: list[str] = []
    for source in sources:
        path = Path(source)
        if not is_url(source) and path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _ignored(child, path):
                    out.append(str(child))
        else:
            out.append(source)
    return out


def _ignored(path: Path, root: Path) -> bool:
    """Sidecars, hidden files and files of other types are not articles in a folder."""
    relative = path.relative_to(root).parts
    if any(part.startswith(".") for part in relative):
        return True
    if path.name.endswith(SIDECAR_SUFFIX):
        return True
    return path.suffix.lower() not in SUPPORTED_SUFFIXES


def read_source(source: str, settings: Settings) -> ParsedArticle:
    """One file or URL as an article; raises a `CoverageError` that names the problem."""
    if is_url(source):
        page = fetch(
            source,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            allow_private=settings.allow_private_urls,
        )
        return parse_html(page.body, source=source, url=page.url)
    path = Path(source)
    if not path.exists():
        raise BadSource(f"{source}: no such file or folder")
    return parse_file(path)


def read_sources(sources: Sequence[str], settings: Settings) -> Iterator[tuple[str, ParsedArticle | CoverageError]]:
    for source in sources:
        try:
            yield source, read_source(source, settings)
        except CoverageError as err:
            yield source, err
