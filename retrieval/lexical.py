"""Lexical matching: BM25 (bm25s) over every passage, and how much of a question's rare words
a passage contains. Names and numbers ("800,000", "Security Council") are lexical facts that
embeddings blur; both signals feed ranking and the decision to decline."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from .files import atomic_write_text, fsync_tree, remove
from .irregular import BASE
from .numbers import join_digits, join_points, merge_spelled

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

FORMAT = 4  # bump when tokenising changes, so saved indexes are rebuilt
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's and bm25s's default token pattern
_STOPWORDS = frozenset(STOPWORDS_EN)


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop words out, Snowball-stemmed tokens: bm25s's own scheme, without its
    per-call progress bar, which cost more than the tokenising for a few candidates. Numbers
    are written one way first ("800k", "800,000" and "eight hundred thousand" are "800000";
    "2.6%" is "2_6"), and irregular verb forms become their base ("lost" → "lose") before stemming."""
    out = []
    for text in texts:
        words = _words(text)
        out.append(_stemmer.stemWords(words) if words else [""])
    return out


def _words(text: str) -> list[str]:
    """The words tokenize stems: lower-cased, numbers joined, stop words out, irregular forms as their base."""
    spelled = merge_spelled(_TOKEN.findall(join_points(join_digits(text)).lower()))
    return [BASE.get(w, w) for w in spelled if w not in _STOPWORDS]


_question_stems = set(_stemmer.stemWords(sorted(QUESTION_WORDS)))


def query_terms(question: str) -> list[str]:
    """The question's topical terms, stemmed, in order, without repeats."""
    return list(query_words(question))


def query_words(question: str) -> dict[str, str]:
    """The question's topical terms (stemmed, in order, without repeats), each with the word
    it was written as."""
    words = _words(question)
    seen: dict[str, str] = {}
    for word, term in zip(words, _stemmer.stemWords(words) if words else [], strict=True):
        if term and term not in _question_stems and term not in QUESTION_WORDS:
            seen.setdefault(term, word)
    return seen


class LexicalIndex:
    """BM25 over passages in id order. It is rebuilt whole when the store changes (bm25s has no
    incremental add) and saved, memory-mapped, so a new process does not tokenise again."""

    def __init__(self, ids: np.ndarray, retriever: bm25s.BM25 | None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.retriever = retriever
        self.version: str | None = None  # the saved version this was loaded from or saved as
        self.generation: str | None = None  # the store generation it was built at
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

    def save(self, folder: Path, generation: str | None) -> str:
        """Write a new version beside the current one, then point CURRENT at it with one rename:
        a crash at any moment leaves CURRENT naming a whole version. Call under the data
        folder's write lock; versions CURRENT no longer names are removed afterwards."""
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()  # our name, not our kind of entry: a folder is made in its place
        folder.mkdir(exist_ok=True)
        name = f"g{re.sub(r'[^0-9]', '', str(generation or ''))[:18] or 0}-{secrets.token_hex(4)}"
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=name + ".", suffix=".tmp"))
        try:
            tmp.chmod(0o755)  # readable by whoever may read the data folder, not mkdtemp's 0700
            if self.retriever is not None:
                self.retriever.save(str(tmp), show_progress=False)
            np.save(tmp / "passage_ids.npy", self.ids)
            fsync_tree(tmp)
            os.rename(tmp, folder / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        pointer = {
            "version": name,
            "format": FORMAT,
            "generation": generation,
            "passages": self.size,
            "empty": self.retriever is None,
        }
        atomic_write_text(folder / POINTER, json.dumps(pointer))
        for entry in stray_entries(folder):
            remove(entry)
        self.version, self.generation = name, generation
        return name

    @classmethod
    def load(cls, folder: Path) -> tuple[LexicalIndex | None, str]:
        """The version CURRENT names, checked whole, or None and the reason it cannot be used."""
        if folder.exists() and not folder.is_dir():
            return None, f"{folder.name} is a file, not a folder"
        pointer, why = read_pointer(folder)
        if pointer is None:
            return None, why
        if pointer.get("format") != FORMAT:
            return None, "it was built by another version of the tokenizer"
        version = folder / pointer["version"]
        try:
            ids = np.load(version / "passage_ids.npy", allow_pickle=False)
            retriever = None
            if not pointer.get("empty"):
                retriever = bm25s.BM25.load(str(version), mmap=True, show_progress=False)
        except Exception as err:  # noqa: BLE001 - any unreadable version is rebuilt the same way
            return None, f"its files cannot be read ({type(err).__name__}: {err})"
        why = _invalid(ids, retriever)
        if why:
            return None, why
        index = cls(ids, retriever)
        index.version, index.generation = pointer["version"], pointer.get("generation")
        return index, ""

    def check(self, store_ids: np.ndarray) -> str:
        """Why this index is out of step with the store, or '' when it is in step."""
        if self.size != len(store_ids):
            return f"it holds {self.size} passages but the store has {len(store_ids)}"
        if not np.array_equal(self.ids, store_ids):
            return "its passage ids differ from the store's"
        return ""

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

    def spelled(self, term: str, word: str) -> str:
        """For a term the coverage never uses, the held term of a spelling one slip away from
        the word it was written as ("quilfeather": "quillfeath"; of several, the one most
        passages use), else `term`. Only long words: a short one a letter from another
        ("laker", "lake") is as often another word as a typo, and a question about something
        no article holds must stay so."""
        # A figure one digit away is another figure ("40816_38", "2025"), never a slip.
        if len(word) < _SPELLED_MIN or len(term) < _SPELLED_MIN - 1 or _has_digit(word) or self.knows(term):
            return term
        near = set(_stemmer.stemWords(sorted(_one_edit(word))))
        # A stem much shorter is another, shorter word ("consortium": "consort"), not a slip.
        near = {t for t in near if len(t) >= len(term) - 1 and t not in _question_stems}
        best = max(((self.doc_freq(t), t) for t in near), default=(0, term))
        return best[1] if best[0] > 0 else term

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


_SPELLED_MIN = 7
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        | {a + c + b for a, b in splits for c in _LETTERS}
    ) - {word}


def _to_tokenized(tokens: list[list[str]]) -> bm25s.tokenization.Tokenized:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in tokens]
    return bm25s.tokenization.Tokenized(ids=ids, vocab=vocab)


POINTER = "CURRENT"  # names the version in use; replaced atomically
_VERSION = re.compile(r"g[0-9]+-[0-9a-f]{8}")


def read_pointer(folder: Path) -> tuple[dict | None, str]:
    """CURRENT's content, or None and why it cannot be used."""
    try:
        pointer = json.loads((folder / POINTER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "it is missing"
    except (OSError, ValueError) as err:
        return None, f"its pointer file {POINTER} cannot be read ({err})"
    if not isinstance(pointer, dict) or not _VERSION.fullmatch(str(pointer.get("version"))):
        return None, f"its pointer file {POINTER} is not one of ours"
    return pointer, ""


def stray_entries(folder: Path) -> list[Path]:
    """Everything in the folder but CURRENT and the version it names: versions replaced by a
    newer one, half-written versions of a writer that was killed, files of the old layout."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    pointer, _ = read_pointer(folder)
    keep = {POINTER, pointer["version"]} if pointer else {POINTER}
    return sorted(p for p in folder.iterdir() if p.name not in keep)


def _invalid(ids: np.ndarray, retriever: bm25s.BM25 | None) -> str:
    """Why loaded arrays cannot be searched safely (a corrupt file would end every answer
    with an IndexError), or ''."""
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        return "its passage ids are not a list of integers"
    if len(ids) and (ids[0] < 1 or not np.all(np.diff(ids) > 0)):
        return "its passage ids are not increasing"
    if retriever is None:
        return ""
    try:
        scores, vocab = retriever.scores, retriever.vocab_dict
        data, indices, indptr = (np.asarray(scores[k]) for k in ("data", "indices", "indptr"))
        num_docs = int(scores["num_docs"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return "its score arrays are missing"
    if num_docs != len(ids):
        return f"it scores {num_docs} passages but lists {len(ids)} ids"
    if indptr.ndim != 1 or len(indptr) < 1 or data.ndim != 1 or indices.ndim != 1:
        return "its score arrays have the wrong shape"
    if not (np.issubdtype(indptr.dtype, np.integer) and np.issubdtype(indices.dtype, np.integer)):
        return "its score arrays have the wrong type"
    if indptr[0] != 0 or indptr[-1] != len(indices) or len(indices) != len(data) or np.any(np.diff(indptr) < 0):
        return "its score arrays do not agree in length"
    if len(indices) and (indices.min() < 0 or indices.max() >= num_docs):
        return "its score arrays point past its passages"
    if not np.all(np.isfinite(data)):
        return "its scores are not finite numbers"
    if not isinstance(vocab, dict):
        return "its vocabulary is not a mapping"
    columns = list(vocab.values())
    if not all(isinstance(c, int) and 0 <= c < len(indptr) for c in columns) or len(set(columns)) != len(columns):
        return f"its vocabulary ({len(vocab)} terms) does not match its {len(indptr) - 1} score columns"
    return ""
