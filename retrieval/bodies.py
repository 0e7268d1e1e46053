"""A page's article body as trafilatura should read it.

Split bodies: some templates (WIRED's and its sister sites', among others) cut one article into a
run of containers of the same class, with an advertisement row between each pair. trafilatura
keeps the first container and loses the rest (adbar/trafilatura#85), so half of an article could
vanish without a word. The later containers' contents are moved into the first, in page order.

Cards inside a paragraph: a hover card (a person's photo, name and latest headlines, hidden until
the name is pointed at) or a captioned image set inside a `<p>` would be read as part of the
sentence around it ("Rep. Ilhan OmarIlhan OmarHillicon Valley: …"). An element inside a paragraph
that holds an image and two links or more is dropped; the paragraph's own words stay.

A page without either is passed on untouched.
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


def prepare_body(html: str) -> str:
    """`html` with a split body joined and the cards inside its paragraphs dropped, or `html`
    itself when it has neither (parsed once for both)."""
    split = _may_be_split(html)
    if not split and "<img" not in html:
        return html
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    joined = split and _join(tree)
    dropped = _drop_cards(tree)
    return lxml.html.tostring(tree, encoding="unicode") if joined or dropped else html


def _may_be_split(html: str) -> bool:
    """The cheap test: a class naming a body repeats."""
    classes = Counter(" ".join(c.split()) for c in _BODY_CLASS.findall(html))
    return any(n > 1 and _names_a_body(c) for c, n in classes.items())


def _join(tree) -> bool:
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
    return joined


def _drop_cards(tree) -> bool:
    """Drop each innermost element inside a paragraph that holds an image and two links or more."""
    cards = []
    for paragraph in tree.iter("p"):
        found = [el for el in paragraph.iterdescendants() if isinstance(el.tag, str) and _is_card(el)]
        cards += [el for el in found if not any(_inside(other, el) for other in found if other is not el)]
    for card in cards:
        card.drop_tree()  # its tail, the paragraph's text after it, stays
    return bool(cards)


def _is_card(element) -> bool:
    return element.find(".//img") is not None and len(element.findall(".//a")) >= 2


def _names_a_body(class_name: str) -> bool:
    """An article body's class, not a comment's ("comment-body")."""
    lowered = class_name.lower()
    return "body" in lowered and "comment" not in lowered


def _holds_prose(element) -> bool:
    return any(len(p.text_content().split()) >= MIN_WORDS for p in element.iterfind(".//p"))


def _inside(element, container) -> bool:
    return any(parent is container for parent in element.iterancestors())
