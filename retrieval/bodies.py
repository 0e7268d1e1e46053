"""Article bodies that a page splits into several containers.

Some templates (WIRED's and its sister sites', among others) cut one article into a run of
containers of the same class, with an advertisement row between each pair. trafilatura keeps
the first container and loses the rest (adbar/trafilatura#85), so half of an article could
vanish without a word. Before extraction, the later containers' contents are moved into the
first, in page order. A page without such a run is passed on untouched.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import lxml.etree
import lxml.html

#: A container counts as article text when one of its paragraphs has at least this many words:
#: teaser cards and captions that share a "body" class rarely do.
MIN_WORDS = 12
_BODY_CLASS = re.compile(r"""class\s*=\s*["']([^"']*body[^"']*)["']""", re.I)


def join_split_bodies(html: str) -> str:
    """`html` with a split article body joined into its first container, or `html` itself."""
    classes = Counter(" ".join(c.split()) for c in _BODY_CLASS.findall(html))
    if not any(n > 1 and _names_a_body(c) for c, n in classes.items()):
        return html  # the cheap test: no class naming a body repeats
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    groups: dict[str, list] = defaultdict(list)
    for element in tree.iter("div", "section"):
        name = " ".join((element.get("class") or "").split())
        if _names_a_body(name):
            groups[name].append(element)
    joined = False
    for containers in groups.values():
        texts = [c for c in containers if _holds_prose(c)]
        if len(texts) < 2 or any(a is not b and _inside(b, a) for a in texts for b in texts):
            continue
        first = texts[0]
        for later in texts[1:]:
            if later.text and later.text.strip():  # text before its first element
                lead = lxml.html.Element("p")
                lead.text = later.text
                first.append(lead)
            for child in list(later):
                first.append(child)
        joined = True
    return lxml.html.tostring(tree, encoding="unicode") if joined else html


def _names_a_body(class_name: str) -> bool:
    """An article body's class, not a comment's ("comment-body")."""
    lowered = class_name.lower()
    return "body" in lowered and "comment" not in lowered


def _holds_prose(element) -> bool:
    return any(len(p.text_content().split()) >= MIN_WORDS for p in element.iterfind(".//p"))


def _inside(element, container) -> bool:
    return any(parent is container for parent in element.iterancestors())
