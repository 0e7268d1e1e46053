"""Lexical matching: BM25 (bm25s) over every passage, and how much of a question's rare words
a passage contains. Names and numbers ("800,000", "Security Council") are lexical facts that
embeddings blur; both signals feed ranking and the decision to decline."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence

import bm25s
import numpy as np
import Stemmer

# Words that shape a question but say nothing about its topic.
QUESTION_WORDS = {
    "how",
    "many",
    "much",
    "what",
    "whats",
    "who",
    "whom",
    "whose",
    "which",
    "when",
    "where",
    "why",
    "did",
    "does",
    "do",
    "done",
    "say",
    "says",
    "tell",
    "told",
    "according",
    "about",
    "anyone",
    "anything",
    "someone",
    "something",
    "there",
    "any",
    "know",
    "please",
    "thing",
    "things",
    "happen",
    "happened",
    "get",
    "got",
    "can",
    "could",
    "would",
    "should",
    "will",
    "said",
    "report",
    "reported",
    "reports",
    "article",
    "news",
    "coverage",
    "mention",
    "mentioned",
}
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_stemmer = Stemmer.Stemmer("english")


def _prepare(text: str) -> str:
    """Join digit groups so "800,000" and "800000" are one token."""
    return _THOUSANDS.sub("", text)


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    return bm25s.tokenize(
        [_prepare(t) for t in texts],
        stopwords="en",
        stemmer=_stemmer,
        return_ids=False,
        show_progress=False,
    )


_question_stems = set(_stemmer.stemWords(sorted(QUESTION_WORDS)))


def query_terms(question: str) -> list[str]:
    """The question's topical terms, stemmed, in order, without repeats."""
    seen: dict[str, None] = {}
    for term in tokenize([question])[0]:
        if term not in _question_stems:
            seen.setdefault(term)
    return list(seen)


class LexicalIndex:
    """BM25 over passages in id order; rebuilt whole when the store changes (it is fast)."""

    def __init__(self, ids: np.ndarray, texts: Sequence[str]):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.retriever = bm25s.BM25()
        tokens = tokenize(texts) if len(texts) else []
        self.doc_freq: dict[str, int] = {}
        for doc in tokens:
            for term in set(doc):
                self.doc_freq[term] = self.doc_freq.get(term, 0) + 1
        if tokens and any(tokens):
            self.retriever.index(_to_tokenized(tokens), show_progress=False)
            self.indexed = True
        else:
            self.indexed = False

    @property
    def size(self) -> int:
        return len(self.ids)

    def idf(self, term: str) -> float:
        """BM25's idf; a term the coverage never uses counts as the rarest."""
        n, df = max(self.size, 1), self.doc_freq.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, terms: Sequence[str], k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, passage ids) with a positive BM25 score."""
        known = [t for t in terms if t in self.retriever.vocab_dict] if self.indexed else []
        if not known or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores = np.asarray(self.retriever.get_scores(known), dtype=np.float32)
        if allowed is not None:
            mask = np.zeros(self.size, dtype=bool)
            positions = np.searchsorted(self.ids, allowed).clip(0, max(self.size - 1, 0))
            mask[positions[self.ids[positions] == allowed]] = True
            scores = np.where(mask, scores, 0.0)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return scores[top], self.ids[top]

    def coverage(self, terms: Sequence[str], text: str) -> float:
        """Share of the question's idf weight whose terms occur in `text` (0..1)."""
        if not terms:
            return 0.0
        present = set(tokenize([text])[0])
        weights = [self.idf(t) for t in terms]
        found = sum(w for t, w in zip(terms, weights, strict=True) if t in present)
        return found / sum(weights)


def _to_tokenized(tokens: list[list[str]]) -> bm25s.tokenization.Tokenized:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in tokens]
    return bm25s.tokenization.Tokenized(ids=ids, vocab=vocab)
