"""The first step of a question's path: candidate passages from both retrievers (FAISS over
embeddings, BM25 over words), each with the facts later steps score it by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..lexical import LexicalIndex, query_terms
from ..store import normalise_text


@dataclass
class Candidate:
    passage_id: int
    similarity: float = 0.0  # cosine between question and passage
    bm25: float = 0.0
    dense_rank: int | None = None  # 1-based
    lexical_rank: int | None = None
    coverage: float = 0.0  # share of the question's rare-word weight found in the passage
    score: float = 0.0
    outlet: str = ""
    text_hash: str = ""
    words: frozenset[str] = field(default_factory=frozenset)
    copies: list[Candidate] = field(default_factory=list)


@dataclass
class View:
    """What one question searches, taken under the engine's lock: the indexes as they are now
    and the passage ids the filters allow (None: all of them)."""

    index: object
    lexical: LexicalIndex
    allowed: np.ndarray | None
    named: list[str]  # outlets the question itself names


@dataclass
class Found:
    """A question's candidates, best first, with what the later steps need again."""

    query: np.ndarray
    terms: list[str]
    candidates: list[Candidate]


def named_outlets(question: str, outlets: Sequence[str]) -> list[str]:
    """Outlets the question names ("what did the Harbor Times say ..."), by name or domain stem."""
    text = f" {normalise_text(question)} "
    named = []
    for outlet in outlets:
        name = normalise_text(outlet)
        stem = normalise_text(outlet.split(".")[0]) if "." in outlet else ""
        if (name and f" {name} " in text) or (len(stem) > 3 and f" {stem} " in text):
            named.append(outlet)
    return named


def topical_terms(question: str, named: Sequence[str]) -> list[str]:
    """The question's rare words, without the outlet it names: that says where to look, not
    what the passage must say."""
    terms = query_terms(question)
    if named:
        outlet_terms = set(query_terms(" ".join(named)))
        terms = [t for t in terms if t not in outlet_terms]
    return terms
