"""Where a quotation comes from: passages ordered by how exactly they contain it, with the
person the paragraph says is speaking ("Did Trump say Russia lost 800,000 soldiers?")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .models import Hit

#: "Did Trump say Russia lost 800,000 soldiers?" → speaker "Trump", quote "Russia lost 800,000 soldiers".
_FRAMED = re.compile(
    r"^(?:did|does|has|had|was|is|who)\s+(?P<speaker>.+?)\s+(?:really\s+)?"
    r"(?:say|said|says|claim|claimed|state|stated|tell|told|write|wrote)\s+(?:that\s+)?(?P<quote>.+?)[?.!]*$",
    re.I,
)
_NAME = r"[A-Z][\w.'’\-]+(?:\s+[A-Z][\w.'’\-]+){0,3}"
_VERBS = r"said|says|stated|states|told|noted|claimed|claims|added|wrote|argued|warned|insisted|declared|asserted"
_SPEAKER_BEFORE = re.compile(rf"(?P<name>{_NAME})\s+(?:{_VERBS})\b")
_SPEAKER_AFTER = re.compile(rf"\b(?:{_VERBS}|according to)\s+(?P<name>{_NAME})")
#: Word-sequence similarity (difflib ratio) from which a quotation counts as near-exact.
NEAR = 0.8
_NOT_NAMES = {"The", "He", "She", "They", "It", "This", "That", "In", "On", "But", "And", "A", "An", "We", "I"}


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[^\w\s,.']", " ", text).replace(",", "").split()).strip(" .")


def unframe(text: str) -> tuple[str, str | None]:
    """Strip "did X say …" framing: (the quotation, the speaker the asker named, if any)."""
    m = _FRAMED.match(text.strip())
    if m and len(m.group("quote").split()) >= 2:
        return m.group("quote").strip(" \"'“”"), m.group("speaker").strip()
    return text.strip().strip(" \"'“”?"), None


def speaker(text: str, near: int = 0) -> str | None:
    """The nearest "Name said" / "said Name" to position `near` in a paragraph."""
    found = []
    for pattern in (_SPEAKER_BEFORE, _SPEAKER_AFTER):
        for m in pattern.finditer(text):
            words = m.group("name").split()
            while words and words[0] in _NOT_NAMES:
                words.pop(0)
            if words:
                found.append((abs(m.start() - near), " ".join(words)))
    return min(found)[1] if found else None


def match_kind(quote: str, passage: str) -> str:
    """exact: the words appear as written; near: almost (a word added, dropped or changed)."""
    q, p = normalise(quote), normalise(passage)
    if q and q in p:
        return "exact"
    words, text = re.findall(r"[\w']+", q), re.findall(r"[\w']+", p)
    if len(words) < 3:
        return "related"
    best = 0.0
    for size in range(max(len(words) - 2, 1), len(words) + 3):
        for start in range(max(len(text) - size, 0) + 1):
            best = max(best, SequenceMatcher(None, words, text[start : start + size], autojunk=False).ratio())
    return "near" if best >= NEAR else "related"


@dataclass
class QuoteMatch:
    hit: Hit
    kind: str  # exact | near | related
    speaker: str | None


def rank(quote: str, hits: Sequence[Hit]) -> list[QuoteMatch]:
    """Exact matches first, then near-exact, then related; the engine's order within each."""
    order = {"exact": 0, "near": 1, "related": 2}
    scored = []
    for i, hit in enumerate(hits):
        kind = match_kind(quote, hit.passage.text)
        pos = normalise(hit.passage.text).find(normalise(quote).split()[0]) if quote.split() else 0
        scored.append((order[kind], i, QuoteMatch(hit, kind, speaker(hit.passage.text, max(pos, 0)))))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [m for _, _, m in scored]
