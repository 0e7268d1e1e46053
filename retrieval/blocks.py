"""The typed article: every block in reading order with its kind, and the rule that picks the
prose among them as passages.

Only prose is embedded and quoted. A heading is the context of the passages under it; a list
is one passage with the sentence that introduces it; captions, embeds (tweets), related-link
teasers, bylines and datelines stay in the article as a reader sees it but never answer a
question. The rules read the text itself, never the outlet it came from."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import Block
from .text import one_line, split_long, strip_controls, word_count

#: A passage longer than this is split at sentence ends (the encoder reads ~256 tokens anyway).
MAX_PASSAGE_CHARS = 2000
#: Fewer words than this (counted in characters for scripts without spaces) is not a passage.
MIN_PASSAGE_WORDS = 2
#: Heading-like: a line this short with no sentence end.
MAX_HEADING_WORDS = 10

_SENTENCE_END = re.compile(r"[.!?…。！？:;)\"'”’»]$")
# "Read more: …", "RELATED: …", "►More: …", "Hot spot:Inflation is …" (a label glued to a link's text).
_TEASER_LABEL = re.compile(
    r"^(?:[►▶▸•»]\s*)?[\[(]?\s*(?:read|see|watch|listen|look|more|related|also|don'?t miss|recommended|trending|"
    r"must read|editor'?s picks?|top stories|photos?|videos?|gallery|pictures?|slideshow|podcast|opinion|analysis|"
    r"leggi anche|lesen sie auch|lire aussi|lea también|leia também|veja também|saiba mais)\b[^:]{0,40}:\s*\S",
    re.I,
)
# "►Gas prices 2022:Gas prices will fall below $3 …", "Joe Biden proclamation on pardoning
# marijuana:In historic move, …": a related story's label glued to its headline, often after a
# bullet; never a time ("at 7:14 p.m.").
_GLUED_LABEL = re.compile(r"^(?:[►▶▸•»]\s*)?[A-Z0-9][\w'’,.$&% -]{1,60}:[A-Z“\"‘']")
_PROMO = re.compile(
    r"\b(?:click here|sign up (?:for|to|here|now)|^sign up|^subscribe|subscribe (?:to|for|here|now)|newsletters?\b|"
    r"follow (?:us|him|her|them|@)|follow [\w.@ ]{1,40} on "
    r"(?:twitter|facebook|instagram|x\b)|download (?:the|our) app|get the [\w ]{1,30} app|share (?:this|it) with|"
    r"all rights reserved|copyright|©|ⓒ|reprints?|this copy is for your personal|comments? (?:are|is) closed)",
    re.I,
)
_CREDIT = re.compile(
    r"^\(?\s*(?:(?:additional )?reporting by|editing by|written by|compiled by|writing by|contributing\s*:|"
    r"[\w.,' -]{3,120} contributed (?:to this report|reporting|to this story))",
    re.I,
)
#: How a writer says where to reach them: "Write to Al Root at …", "Ken Alltucker can be emailed at
#: …", "Contact Dear Abby at …", "Email: …". A paragraph that tells readers to call a tip line says
#: "anyone with information", not whom to write to.
_CONTACT = re.compile(
    r"(?:^|[.;]\s+)(?i:write to|reach|contact|e-?mail|follow)\s+"
    r"(?:(?i:him|her|them)|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s+"
    r"(?:(?i:at)\s+(?:[\w.+-]+@|\+?\(?\d{3}|(?i:www\.|https?://|@\w|p\.?\s?o\.?\s+box))"
    r"|(?i:on (?:twitter|x|instagram|facebook)\b))"
    r"|(?i:\bsend (?:him|her|them) an e-?mail\b|\bcan be (?:reached|e-?mailed|contacted) at\b)"
    r"|(?i:\bis on (?:twitter|x|instagram) (?:at|as)\b)"
    r"|^(?:(?i:e-?mail|twitter)|(?i:contact)(?:\s+[A-Z][\w.'’-]*){0,3})\s*:"
    # "Morgan Watkins: 502-582-4502; mwatkins@…", "Daniel P. Finney, dafinney@dmreg.com"
    r"|^[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}[:,]\s.{0,60}[\w.+-]+@[\w-]+\.\w+"
    r"|^.{0,60}\s[\w.+-]+@[\w-]+\.[\w.]+$",  # a short line that ends with an address
)
_CONTRIBUTED = re.compile(r"\bcontributed (?:to this report|reporting|to this story)\.?\)?$", re.I)
_BYLINE = re.compile(r"^(?:[Bb]y|BY|[Pp]ar|[Vv]on|[Dd]i|[Pp]or)\s+[A-ZÀ-Þ][\w.'’-]*(?:[ ,]+[\w.'’&-]+){0,8}$")
_CAPTION = re.compile(
    r"(?:\b(?:photo|photograph|image|picture|illustration|credit|courtesy|file photo)s?\s*(?::|by\b)|"
    r"getty images|\bafp\b/|/afp\b|reuters/|\bap photo\b|\(ap\)$|image copyright|image caption|"
    r"shutterstock|istock)",
    re.I,
)
#: A photo credit: a capitalised name, a slash and an agency, up to three slashes ("Jeenah
#: Moon/Reuters", "Yui Mok/Pool/AP"), after a sentence's end.
_CREDIT_NAME = r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)+(?:/[A-Z][\w'’.&-]*(?: [A-Z][\w'’.&-]*)*){1,3}"
_AFTER_SENTENCE = r"(?<=[.!?\"”’)] )"
#: A caption closed by its credit: "… on December 8, 2022. Jeenah Moon/Reuters".
_PHOTO_CREDIT = re.compile(rf"(?:^|{_AFTER_SENTENCE}){_CREDIT_NAME}$")
#: The same credit inside a run of captions: a photo gallery's captions set as one paragraph
#: ("… on Monday, September 19. Yui Mok/Pool/AP US President Joe Biden and …").
_CREDIT_IN_RUN = re.compile(rf"{_AFTER_SENTENCE}{_CREDIT_NAME}(?= [A-Z“\"]|$)")
# A tweet, an Instagram post, or a video player's text ("JUST WATCHED … Replay More Videos …").
_EMBED = re.compile(
    r"pic\.twitter\.com/|— [^—]{1,80} \(@\w{1,15}\) \w+ \d{1,2}, \d{4}$|a post shared by"
    r"|\bjust watched\b.{0,400}\breplay more videos\b",
    re.I | re.S,
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_WORDS = re.compile(
    rf"\b(?:{_MONTHS}|mon|tue|wed|thu|fri|sat|sun|\w+day|updated|published|posted|last|modified|on|at|am|pm|"
    r"a\.m|p\.m|gmt|utc|[ecmp][sd]t|et|pt|edt|pst)\b|\d+",
    re.I,
)


# -- HTML: trafilatura's XML body -----------------------------------------------------------
def html_blocks(body) -> list[Block]:
    """Blocks from trafilatura's XML `<body>` (head, p, list/item, quote, table/row/cell)."""
    from trafilatura.xml import xmltotxt

    blocks: list[Block] = []

    def text_of(el) -> str:
        # xmltotxt renders <lb> as a newline and cells with separators, as trafilatura's text does.
        tail, el.tail = el.tail, None
        try:
            return strip_controls(xmltotxt(el, include_formatting=False))
        finally:
            el.tail = tail

    def loose(text: str | None) -> None:
        for line in (text or "").splitlines():
            if one_line(line):
                blocks.append(classify(one_line(line)))

    def walk(el) -> None:
        tag = el.tag
        if tag == "head":
            rend = el.get("rend") or "h2"
            level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
            if text := one_line(text_of(el)):
                blocks.append(Block("heading", text, level=level))
        elif tag == "list":
            for item in el.iter("item"):
                if item.getparent() is el and (text := _LIST_MARKER.sub("", one_line(text_of(item)))):
                    blocks.append(Block("list_item", text))
        elif tag == "quote":
            text = one_line(text_of(el))
            if text:
                blocks.append(Block("embed" if _EMBED.search(text) else "quotation", text))
        elif tag == "table":
            for row in el.iter("row"):
                cells = [one_line(text_of(c)).strip("| ") for c in row.iter("cell")]
                if text := " | ".join(c for c in cells if c):
                    blocks.append(Block("table_row", text))
        elif tag == "div":
            loose(el.text)
            for child in el:
                walk(child)
                loose(child.tail)
        elif tag in ("graphic", "lb"):
            return
        else:
            loose(text_of(el))

    loose(body.text)
    for child in body:
        walk(child)
        loose(child.tail)
    return blocks


# -- the kind of a paragraph ---------------------------------------------------------------------
def classify(text: str) -> Block:
    """A paragraph of running text, or what it really is: a teaser, caption, embed, byline,
    dateline, or a heading set as a plain line. Only recognisable cases move; the rest is prose."""
    return Block(paragraph_kind(text), text)


def paragraph_kind(text: str) -> str:
    words = word_count(text)
    ends = bool(_SENTENCE_END.search(text))
    short = len(text) <= 300
    if _EMBED.search(text):
        return "embed"
    if short and (_TEASER_LABEL.match(text) or _GLUED_LABEL.match(text)):
        return "teaser"
    if short and (_CREDIT.match(text) or _CONTRIBUTED.search(text) or _BYLINE.match(text) or _CONTACT.search(text)):
        return "byline"
    if len(text) <= 200 and _PROMO.search(text):
        return "teaser"
    if len(text) <= 100 and _is_dateline(text):
        return "dateline"
    if short and (_CAPTION.search(text) or _PHOTO_CREDIT.search(text)):
        return "caption"
    if len(_CREDIT_IN_RUN.findall(text)) >= 3:  # a gallery's captions, run together
        return "caption"
    if _link_only(text):
        return "teaser"
    if not ends and words <= MAX_HEADING_WORDS and (_title_case(text) or _all_caps(text)):
        return "heading"
    if not ends and _all_caps(text) and words <= 30:
        return "heading"
    return "paragraph"


def _is_dateline(text: str) -> bool:
    """Mostly a date or time ("Updated 11:02 AM ET, Tue November 19, 2019")."""
    if not re.search(r"\d", text):
        return False
    rest = _DATE_WORDS.sub(" ", text)
    return len(re.findall(r"[^\W\d_]{2,}", rest)) <= 1


def _link_only(text: str) -> bool:
    return bool(re.fullmatch(r"\(?(?:https?://|www\.)\S+\)?|[\w.+-]+@[\w-]+\.[\w.]+", text))


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words)


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and all(c.isupper() for c in letters if c.isupper() or c.islower())


# -- from blocks to passages --------------------------------------------------------------------
def passages(blocks: list[Block], title: str | None = None) -> tuple[list[str], list[str | None]]:
    """The prose passages in order with the heading each sits under; sets `block.passage` (the
    1-based passage number a block went into) so the article can be shown with ¶ marks.

    A list (or table) becomes one passage with the paragraph that introduces it, when that
    paragraph ends with a colon; a heading equal to the headline is the headline, not context."""
    texts: list[str] = []
    headings: list[str | None] = []
    members: list[list[Block]] = []
    heading: str | None = None
    loose_title = _loose(title or "")
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading":
            heading = None if _loose(block.text) == loose_title else block.text
            i += 1
            continue
        if block.kind in ("list_item", "table_row"):
            run = [block]
            while i + 1 < len(blocks) and blocks[i + 1].kind == block.kind:
                i += 1
                run.append(blocks[i])
            intro = members[-1] if members and _introduces(members[-1], blocks, run[0]) else None
            if intro is not None:
                texts.pop()
                headings.pop()
                members.pop()
            lines = [b.text for b in intro or []] + [b.text for b in run]
            group = list(intro or []) + run
            for text, part in _pack(lines, group):
                texts.append(text)
                headings.append(heading)
                members.append(part)
            i += 1
            continue
        if block.kind in ("paragraph", "quotation") and word_count(block.text) >= MIN_PASSAGE_WORDS:
            for piece in split_long(block.text, MAX_PASSAGE_CHARS):
                texts.append(piece)
                headings.append(heading)
                members.append([block])
        i += 1
    for number, group in enumerate(members, start=1):
        for block in group:
            block.passage = number
    return texts, headings


def _introduces(previous: list[Block], blocks: list[Block], first: Block) -> bool:
    """Is the passage just before a list its introduction ("The plan has three parts:")?"""
    if len(previous) != 1 or previous[0].kind != "paragraph":
        return False
    index = next(i for i, b in enumerate(blocks) if b is first)
    return index > 0 and blocks[index - 1] is previous[0] and previous[0].text.rstrip().endswith((":", "："))


def _pack(lines: list[str], group: list[Block]) -> Iterable[tuple[str, list[Block]]]:
    """Lines joined into passages of at most MAX_PASSAGE_CHARS, never splitting a line
    unless it alone is too long."""
    current: list[str] = []
    owners: list[Block] = []
    size = 0
    for line, owner in zip(lines, group, strict=True):
        for piece in split_long(line, MAX_PASSAGE_CHARS):
            if current and size + 1 + len(piece) > MAX_PASSAGE_CHARS:
                yield "\n".join(current), owners
                current, owners, size = [], [], 0
            current.append(piece)
            if owner not in owners:
                owners.append(owner)
            size += len(piece) + 1
    if current:
        yield "\n".join(current), owners


_LOOSE = re.compile(r"[\W_]+")
_LIST_MARKER = re.compile(r"^[-*•]\s+")


def _loose(text: str) -> str:
    return _LOOSE.sub(" ", text.lower()).strip()
