"""The first step of a question's path: candidate passages from both retrievers (FAISS over
the passages' embeddings, BM25 over their words), with what the later steps score them by.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..lexical import LexicalIndex
from ..store import Store, normalise_text


@dataclass
class View:
    """What one question searches, taken under the engine's lock: the indexes as they are now
    and the passage ids the filters allow (None: all of them)."""

    index: object
    lexical: LexicalIndex
    allowed: np.ndarray | None
    named: list[str]  # outlets the question itself names


@dataclass
class Pool:
    """A question's candidates, one array entry each, in no particular order."""

    ids: np.ndarray
    cosine: np.ndarray  # question · passage embedding (passage read with its headline)
    cosine_alone: np.ndarray  # question · the paragraph's own embedding (read without its headline)
    bm25: np.ndarray  # 0 when BM25 did not return it
    dense_rank: np.ndarray  # 1-based; 0 when the dense retriever did not return it
    lexical_rank: np.ndarray
    article_ids: np.ndarray
    ordinals: np.ndarray
    paragraphs: np.ndarray  # how many passages its article has
    texts: list[str]
    hashes: list[str]
    titles: list[str]
    outlets: list[str]
    published: list[str | None]
    headings: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, keep: np.ndarray) -> Pool:
        """The candidates at positions `keep`, ranked again among themselves, as a search
        confined to their articles (an outlet or date filter, a small server) would rank them."""
        keep = np.asarray(keep, dtype=np.int64)
        cosine, bm25 = self.cosine[keep], self.bm25[keep]
        dense_rank = np.empty(len(keep), dtype=np.int64)
        dense_rank[np.argsort(-cosine, kind="stable")] = np.arange(1, len(keep) + 1)
        lexical_rank = np.zeros(len(keep), dtype=np.int64)
        scored = np.flatnonzero(bm25 > 0)
        lexical_rank[scored[np.argsort(-bm25[scored], kind="stable")]] = np.arange(1, len(scored) + 1)
        pick = keep.tolist()
        return Pool(
            ids=self.ids[keep],
            cosine=cosine,
            cosine_alone=self.cosine_alone[keep],
            bm25=bm25,
            dense_rank=dense_rank,
            lexical_rank=lexical_rank,
            article_ids=self.article_ids[keep],
            ordinals=self.ordinals[keep],
            paragraphs=self.paragraphs[keep],
            texts=[self.texts[i] for i in pick],
            hashes=[self.hashes[i] for i in pick],
            titles=[self.titles[i] for i in pick],
            outlets=[self.outlets[i] for i in pick],
            published=[self.published[i] for i in pick],
            headings=[self.headings[i] for i in pick],
        )


def gather(view: View, store: Store, vector: np.ndarray, terms: Sequence[str], n: int) -> Pool:
    """The top `n` of each retriever, merged, with their stored rows. Cosines come from the
    stored vectors: the index's own are approximate (IVF) and BM25-only candidates have none."""
    _, d_ids = view.index.search(vector, n, view.allowed)
    l_scores, l_ids = view.lexical.search(terms, n, view.allowed)
    ids = np.unique(np.concatenate([np.asarray(d_ids, np.int64), np.asarray(l_ids, np.int64)]))
    rows = store.candidate_rows(ids)
    rows.sort(key=lambda r: r[0])
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    dense_rank = _ranks(ids, d_ids)
    lexical_rank = _ranks(ids, l_ids)
    bm25 = np.zeros(len(ids))
    if len(l_ids):
        position = np.searchsorted(ids, l_ids)
        bm25[position] = l_scores
    vectors = _matrix([r[5] for r in rows], len(vector))
    # A row written before passages were also embedded alone has none: its store is re-embedded
    # when opened, so this is only a reader's view of a store being upgraded elsewhere.
    alone = _matrix([r[11] if r[11] is not None else r[5] for r in rows], len(vector))
    return Pool(
        ids=ids,
        cosine=(vectors @ vector).astype(np.float64),
        cosine_alone=(alone @ vector).astype(np.float64),
        bm25=bm25,
        dense_rank=dense_rank,
        lexical_rank=lexical_rank,
        article_ids=np.array([r[1] for r in rows], dtype=np.int64),
        ordinals=np.array([r[2] for r in rows], dtype=np.int64),
        paragraphs=np.array([r[9] or 1 for r in rows], dtype=np.int64),
        texts=[r[3] for r in rows],
        hashes=[r[4] for r in rows],
        titles=[r[6] for r in rows],
        outlets=[r[7] or "" for r in rows],
        published=[r[8] for r in rows],
        headings=[r[10] for r in rows],
    )


def _matrix(blobs: list[bytes], dimension: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dimension), np.float32)
    return np.vstack([np.frombuffer(b, dtype=np.float32) for b in blobs])


def _ranks(ids: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    out = np.zeros(len(ids), dtype=np.int64)
    if len(ranked):
        out[np.searchsorted(ids, ranked)] = np.arange(1, len(ranked) + 1)
    return out


#: Words of outlet names too common to name one outlet alone ("the times", "the post").
_GENERIC = set(
    "the a an of and news daily weekly times post press herald journal tribune gazette star sun mail "
    "express telegraph guardian review today online wire media network radio tv channel magazine".split()
)
_CUE = (
    r"(?:say|said|says|report|reported|reports|write|wrote|writes|cover|covered|covers|claim|claimed|"
    r"think|thought|publish|published|find|found|note|noted|reveal|revealed)"
)


def without_outlets(question: str, named: Sequence[str]) -> str:
    """The question with the outlets it names taken out ("what did the Harbor Times say about
    the bridge" -> "what did say about the bridge"): the search is already confined to them,
    and their names, which passages seldom hold, would only pull the question's meaning away
    from the passages that answer it."""
    words = set()
    for outlet in named:
        words.add(re.escape(outlet))
        words.update(_distinctive_words(outlet))
    if not words:
        return question
    name = "|".join(sorted(words, key=len, reverse=True))
    mention = rf"(?:\baccording to\s+)?(?:\bthe\s+)?(?:\b(?:{name})\b[\s.]*)+(?:['’]s\b)?,?\s*"
    stripped = re.sub(r"\s+", " ", re.sub(mention, " ", question, flags=re.I)).strip()
    return stripped or question


def named_outlets(question: str, outlets: Sequence[str]) -> list[str]:
    """Outlets the question names: by their name ("the Harbor Times"), their domain stem
    ("caliber"), or a distinctive part of the name used as a source ("the ledger says",
    "according to the Observer") when exactly one held outlet has that word."""
    text = f" {normalise_text(question)} "
    named = []
    for outlet in outlets:
        name = normalise_text(outlet)
        stem = normalise_text(outlet.split(".")[0]) if "." in outlet else ""
        if (name and f" {name} " in text) or (len(stem) > 3 and f" {stem} " in text):
            named.append(outlet)
    if named:
        return named
    words: dict[str, list[str]] = {}
    for outlet in outlets:
        for word in _distinctive_words(outlet):
            words.setdefault(word, []).append(outlet)
    for word, owners in words.items():
        if len(owners) != 1:
            continue
        as_source = (
            rf"\b(?:according to|in|from|by|did|does|do|has|had) (?:the )?{word}\b"
            rf"|\b(?:the )?{word}(?:'s)? (?:{_CUE}|coverage|story|article|report|piece)\b"
        )
        if re.search(as_source, text):
            named.append(owners[0])
    return named


def _distinctive_words(outlet: str) -> set[str]:
    """The words of an outlet's name (without its domain ending) that may name it alone:
    "ledger" for the Northern Ledger, "caliber" for Caliber.Az; not "the", "times" or "post"."""
    return {w for w in normalise_text(outlet.split(".")[0]).split() if len(w) > 3 and w not in _GENERIC}
