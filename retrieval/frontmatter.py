"""YAML front matter read with limits: a few kilobytes of `key: value` lines must never expand
into gigabytes (aliases, a "billion laughs"), recurse without end, or crash on a bad date."""

from __future__ import annotations

import re

import yaml

from .errors import BadSource

#: Front matter is a handful of fields; more than this is not front matter.
MAX_FRONT_MATTER_BYTES = 16 * 1024
MAX_ALIASES = 16
MAX_DEPTH = 8

_FRONT_MATTER = re.compile(r"^---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|$)", re.S)


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases and nesting, and reads dates as text (we check them
    ourselves: PyYAML's own date constructor raises a bare ValueError on 2025-13-45)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise BadSource(f"the front matter uses more than {MAX_ALIASES} YAML aliases")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise BadSource(f"the front matter is nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_LimitedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str, source: str) -> tuple[dict, str]:
    """(metadata, body) of a Markdown file; metadata is {} when the file has no front matter."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    raw = match.group(1)
    if len(raw.encode("utf-8", "replace")) > MAX_FRONT_MATTER_BYTES:
        raise BadSource(f"{source}: the front matter is longer than {MAX_FRONT_MATTER_BYTES // 1024} KB")
    return load(raw, source), text[match.end() :]


def load(raw: str, source: str) -> dict:
    try:
        loaded = yaml.load(raw, Loader=_LimitedLoader)  # a SafeLoader subclass
    except BadSource as err:
        raise BadSource(f"{source}: {err}") from None
    except yaml.YAMLError as err:
        raise BadSource(f"{source}: the front matter is not valid YAML ({_yaml_problem(err)})") from None
    except RecursionError:
        raise BadSource(f"{source}: the front matter is nested too deeply") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise BadSource(f"{source}: the front matter must be `key: value` lines")
    return loaded


def _yaml_problem(err: yaml.YAMLError) -> str:
    """One line: what is wrong and where (ReaderError, for a control character, has no .problem)."""
    if isinstance(err, yaml.reader.ReaderError):
        what = f"the character #x{err.character:04x} is not allowed" if isinstance(err.character, int) else err.reason
        return f"{what}, at byte {err.position}"
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    mark = getattr(err, "problem_mark", None)
    return f"{problem}, line {mark.line + 1}" if mark is not None else problem
