"""Lexical matching: BM25 (bm25s) over every passage, and how much of a question's rare words
a passage contains. Names and numbers ("800,000", "Security Council") are lexical facts that
embeddings blur; both signals feed ranking and the decision to decline."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from .irregular import BASE
from .numbers import normalise_numbers

# Words that shape a question but say nothing about its topic: English function words (the
# usual IR stop list) plus the verbs people use to ask about coverage.
QUESTION_WORDS = set(
    """
    a about above according across actually after afterwards again against all almost alone along
    already also although always am among amongst an and another any anyhow anyone anything anyway
    anywhere are around as at be became because become becomes been before beforehand behind being
    below beside besides between beyond both but by can cannot could did do does doing done down
    during each either else elsewhere enough etc even ever every everyone everything everywhere
    exactly except few for former formerly from further get gets got had has have having he hence
    her here hereafter hereby herein hers herself him himself his how however i if in indeed into
    is it its itself just know last latter least less like made make many may me meanwhile might
    mine more moreover most mostly much must my myself namely neither never nevertheless next no
    nobody none noone nor not nothing now nowhere of off often on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps please rather really same say said says
    see seem seemed seems several she should since so some somehow someone something sometime
    sometimes somewhere still such tell than that the their them themselves then there thereafter
    thereby therefore therein these they thing things this those though through throughout thru
    thus to together told too toward towards under until up upon us very via was we well were what
    whatever whats when whence whenever where whereafter whereas whereby wherein whereupon wherever
    whether which while whither who whoever whole whom whose why will with within without would yet
    you your yours yourself yourselves
    happen happened happening mention mentioned report reported reports reporting article articles
    news coverage story stories write wrote written
    """.split()
)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
_stemmer = Stemmer.Stemmer("english")

FORMAT = 3  # bump when tokenising changes, so saved indexes are rebuilt
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's and bm25s's default token pattern
_STOPWORDS = frozenset(STOPWORDS_EN)


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop words out, Snowball-stemmed tokens: bm25s's own scheme, without its
    per-call progress bar, which cost more than the tokenising for a few candidates. Numbers
    are written one way first ("800k", "800,000" and "eight hundred thousand" are "800000"),
    and irregular verb forms become their base ("lost" → "lose") before stemming."""
    out = []
    for text in texts:
        words = [BASE.get(w, w) for w in _TOKEN.findall(normalise_numbers(text).lower()) if w not in _STOPWORDS]
        out.append(_stemmer.stemWords(words) if words else [""])
    return out


_question_stems = set(_stemmer.stemWords(sorted(QUESTION_WORDS)))


def query_terms(question: str) -> list[str]:
    """The question's topical terms, stemmed, in order, without repeats."""
    seen: dict[str, None] = {}
    for term in tokenize([question])[0]:
        if term and term not in _question_stems and term not in QUESTION_WORDS:
            seen.setdefault(term)
    return list(seen)


class LexicalIndex:
    """BM25 over passages in id order. It is rebuilt whole when the store changes (bm25s has no
    incremental add) and saved, memory-mapped, so a new process does not tokenise again."""

    def __init__(self, ids: np.ndarray, retriever: bm25s.BM25 | None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.retriever = retriever
        if retriever is not None:
            indptr = np.asarray(retriever.scores["indptr"])
            self._df = np.diff(indptr)
        else:
            self._df = np.zeros(0, np.int64)

    @classmethod
    def build(cls, ids: np.ndarray, texts: Sequence[str]) -> LexicalIndex:
        tokens = tokenize(texts) if len(texts) else []
        if not any(tokens):
            return cls(ids, None)
        retriever = bm25s.BM25()
        retriever.index(_to_tokenized(tokens), show_progress=False)
        return cls(ids, retriever)

    def save(self, folder: Path, generation: str | None) -> None:
        """Write to a fresh folder, then swap it in, so a reader never sees half an index."""
        if self.retriever is None:
            return
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=folder.name + ".tmp-"))
        try:
            self.retriever.save(str(tmp), show_progress=False)
            np.save(tmp / "passage_ids.npy", self.ids)
            (tmp / "generation.json").write_text(json.dumps({"generation": generation, "format": FORMAT}))
            old = folder.with_name(folder.name + ".old")
            if folder.exists():
                os.replace(folder, old)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, folder: Path, generation: str | None) -> LexicalIndex | None:
        """The saved index if it was built at this store generation, else None."""
        try:
            saved = json.loads((folder / "generation.json").read_text())
            if saved.get("generation") != generation or saved.get("format") != FORMAT:
                return None
            ids = np.load(folder / "passage_ids.npy")
            retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        except (OSError, ValueError, KeyError):
            return None
        return cls(ids, retriever)

    @property
    def size(self) -> int:
        return len(self.ids)

    def doc_freq(self, term: str) -> int:
        if self.retriever is None:
            return 0
        column = self.retriever.vocab_dict.get(term)
        return int(self._df[column]) if column is not None and column < len(self._df) else 0

    def knows(self, term: str) -> bool:
        return self.doc_freq(term) > 0

    def idf(self, term: str) -> float:
        """BM25's idf; a term the coverage never uses counts as the rarest."""
        n, df = max(self.size, 1), self.doc_freq(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, terms: Sequence[str], k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, passage ids) with a positive BM25 score."""
        known = [t for t in terms if self.knows(t)]
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

    def coverages(self, terms: Sequence[str], texts: Sequence[str]) -> list[float]:
        """For each text, the share of the question's idf weight whose terms occur in it (0..1);
        all texts are tokenised in one call."""
        if not terms or not texts:
            return [0.0] * len(texts)
        weights = {t: self.idf(t) for t in terms}
        total = sum(weights.values())
        return [sum(w for t, w in weights.items() if t in set(doc)) / total for doc in tokenize(texts)]


def _to_tokenized(tokens: list[list[str]]) -> bm25s.tokenization.Tokenized:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in tokens]
    return bm25s.tokenization.Tokenized(ids=ids, vocab=vocab)
