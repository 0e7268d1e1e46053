"""What a question asks, read once before ranking: its rare words with their weight, the names
and numbers in it, the kind of thing it asks for, the moment it is about, the outlet it names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..lexical import LexicalIndex, query_terms, query_words, tokenize
from ..numbers import is_figure
from ..store import normalise_text
from .when import Moment, moment

#: Nouns whose answer is a figure ("what was Norland inflation in January").
_AMOUNT = (
    r"(?:price|cost|value|worth|score|population|rate|amount|total|sum|fine|bond|bail|salary|budget|revenue|"
    r"earnings|margin|odds|percentage|toll|tally|inflation|unemployment|turnout|attendance)s?\b"
)
#: The kind of thing a question asks for, by its opening words. The passage that answers holds
#: one: a figure for "how many", a date for "when", a name for "who" (signals.py counts them).
_WANTS = {
    "number": re.compile(
        r"\bhow (?:many|much|old|long|far|high|deep|big|large|tall|fast|often|heavy|wide|low|hot|cold|cheap"
        r"|expensive)\b"
        r"|\bwhat (?:percentage|percent|proportion|share|number|amount|price|age|rate|score|total|sum|size|figure"
        r"|range|value|chance|odds|bond|bail|resolution)\b"
        r"|\bwhat was the (?:score|result|toll|death toll|tally)\b|\bby how much\b"
        # "what's the starting price of ...", "what were Home Depot's Q3 earnings per share"
        rf"|\bwhat(?:'s|’s|s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|an?\s+)?(?:[\w'’&.-]+\s+){{0,4}}?{_AMOUNT}"
        # "average price of a new car in Houston?", but not "which state has the highest average price"
        r"|^\s*(?:what(?:'s|’s|s|\s+is|\s+was|\s+are|\s+were)\s+)?(?:the\s+)?"
        r"(?:average|median|starting|final|max|maximum|minimum|total|estimated)\s+(?:[\w'’-]+\s+)?"
        r"(?:price|cost|value|score|population|sentence|grant|salary|fine)s?\b"
        r"|\bwhat\b[^?.]*\b(?:cost|costs|worth)\s*\?*\s*$"  # "what does the charging pad cost", "what's it worth"
        r"|\b(?:game|match) score\b",
        re.I,
    ),
    # "When" asks at the head of a clause, before a verb ("when did", "when is") or at the end
    # ("... held the role when?"); "what was the score when Argentina played" asks for a score.
    "date": re.compile(
        r"(?:^\W*|[.?!:;,]\s*|\b(?:since|by|until|and|but|so|or|exactly|just)\s+)when\b"
        r"|\bwhen(?:'s|’s|\s+(?:did|does|do|is|was|are|were|will|would|could|can|should|has|have|had|might|may|must)\b)"
        r"|\bwhen\s*[?.!]*\s*$"
        r"|\bwhat (?:day|date|year|month|time)\b|\bhow long ago\b",
        re.I,
    ),
    # "Who" asks at the head of a question or clause, or at the end ("replaced by who?"); in
    # "residents who are still recovering" it only says which residents.
    "person": re.compile(
        r"(?:^\W*|[.?!:;][\"”’']?\s*|\b(?:and|but|so|or|then|exactly|about|by|to|with|for|from)\s+)who(?:m|se)?\b"
        r"|\bwho(?:m|se)?\s*[?.!]*\s*$"
        r"|\bwhich (?:person|man|woman|player|actor|actress|singer|rapper|artist|star|leader|"
        r"politician|official|senator|president|minister|ceo|executive|coach|judge|author|writer|director)\b",
        re.I,
    ),
    "place": re.compile(
        r"\bwhere\b|\b(?:which|what) (?:country|city|state|nation|town|region|province|island|county|capital|place)\b",
        re.I,
    ),
    "entity": re.compile(r"\bwhich\b|\bwhat (?:is|was|were|are) the names?\b|\bnamed?\b|\bcalled\b", re.I),
    "quote": re.compile(
        r"\b(?:say|said|says|saying|claim|claimed|claims|quote|quoted|told|tell|describe|described|call|called)\b"
        r"|\baccording to\b|\bwho said\b",
        re.I,
    ),
}
OPENERS = {
    "The", "A", "An", "What", "Which", "Who", "Whom", "Whose", "How", "When", "Where", "Why", "In", "On", "At",
    "This", "That", "These", "Those", "According", "Following", "After", "Before", "Many", "More", "Is", "Are",
    "Was", "Were", "Did", "Does", "Do", "Has", "Have", "Had", "Can", "Could", "Will", "Would", "Should", "I", "It",
    "He", "She", "They", "We", "You", "Its", "His", "Her", "Their", "Our", "My", "If", "As", "For", "Of", "To",
}  # fmt: skip
_CAPITALISED = re.compile(r"\b[A-Z][\w'’\-]*[A-Za-z]\b|\b[A-Z]{2,}\b")


@dataclass
class Query:
    """A question as ranking reads it."""

    text: str
    vector: np.ndarray
    terms: list[str]  # stemmed topical terms, in order
    idf: np.ndarray  # BM25 idf of each term (a term no passage uses counts as the rarest)
    known: np.ndarray  # whether any held passage uses each term
    names: list[str] = field(default_factory=list)  # capitalised names, lower-cased and normalised
    numbers: list[str] = field(default_factory=list)  # figures, as plain digits
    wants: frozenset[str] = frozenset()
    as_of: dt.date | None = None
    moment: Moment | None = None
    named_outlets: list[str] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return float(self.idf.sum()) or 1.0


def names_in(text: str) -> list[str]:
    """Capitalised words and acronyms that are not just the first word of a sentence or a
    question word: "Donald Trump", "FBI", "Mar-a-Lago"."""
    out: dict[str, None] = {}
    for m in _CAPITALISED.finditer(text):
        word = m.group(0)
        start = m.start()
        sentence_start = start == 0 or text[:start].rstrip()[-1:] in '.?!:"“'
        if word in OPENERS or (sentence_start and word.istitle() and len(word) < 4):
            continue
        name = normalise_text(word)
        if name and len(name) > 1:
            out.setdefault(name)
    return list(out)


def numbers_in(text: str) -> list[str]:
    """The figures in a text as the tokenizer writes them ("800k" and "800,000" are "800000")."""
    return list(dict.fromkeys(t for t in tokenize([text])[0] if is_figure(t)))


def wants_of(question: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in _WANTS.items() if pattern.search(question))


def analyse(
    question: str,
    vector: np.ndarray,
    lexical: LexicalIndex,
    as_of: dt.date | None,
    named_outlets: Sequence[str] = (),
) -> Query:
    """Read `question` against the held coverage's vocabulary (`lexical`): the outlet it names
    says where to look, not what the passage must say, so its words are not terms."""
    written = query_words(question)
    if named_outlets:
        outlet_terms = set(query_terms(" ".join(named_outlets)))
        written = {t: w for t, w in written.items() if t not in outlet_terms}
    terms = list(dict.fromkeys(lexical.spelled(t, w) for t, w in written.items()))  # "quilfeather" finds "Quillfeather"
    idf = np.array([lexical.idf(t) for t in terms], dtype=np.float64)
    known = np.array([lexical.knows(t) for t in terms], dtype=bool)
    return Query(
        text=question,
        vector=vector,
        terms=terms,
        idf=idf,
        known=known,
        names=names_in(question),
        numbers=numbers_in(question),
        wants=wants_of(question),
        as_of=as_of,
        moment=moment(question, as_of or dt.date.today()),
        named_outlets=list(named_outlets),
    )
