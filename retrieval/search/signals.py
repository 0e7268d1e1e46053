"""Signals: what ranking knows about each candidate, as numbers. The fitted model
(`model.py`) weighs them; `benchmarks/fit_ranker.py` learns the weights from real questions.

Each describes one candidate, alone or against the question's other candidates ("below the
best cosine"). None depends on how much coverage is held (no raw BM25 score, no counts): a
server with ten articles and an archive of a million read alike.
Everything here is numpy over the few dozen candidates of one question: it runs on every
question, so it must stay cheap.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..highlight import sentences
from ..lexical import tokenize
from ..numbers import is_figure
from ..store import normalise_text
from .candidates import Pool
from .question import OPENERS as _OPENERS
from .question import Query
from .when import MONTHS

#: Expected direction of each signal's effect on "this passage answers" (+1 more likely, -1
#: less, 0 either way): the fit is held to these signs, so that no model can learn, say, that a
#: question's words missing from a passage make it likelier to answer (a quirk of a few
#: hundred development questions that real coverage would expose).
SIGNS = {
    "cosine": +1,  # question · passage (read with its headline)
    "cosine_gap": +1,  # how far below the best candidate's cosine (0 for the best)
    "cosine_in_article": +1,  # how far below the best cosine among its own article's candidates
    "article_cosine": +1,  # the best cosine of its article: how much the article is about it
    "cosine_alone": +1,  # question · the paragraph embedded alone, without its headline
    "cosine_alone_gap": +1,  # how far below the best candidate's (0 for the best)
    "article_cosine_alone": +1,  # the best alone cosine of its article: does any paragraph of it come close
    # How far each is below 0.3 (0 above): meaning that far off is another subject, whatever
    # the words share; a hinge lets the linear model say so without a cut of its own.
    "cosine_low": -1,
    "article_cosine_low": -1,
    "bm25": +1,  # relative to the best BM25 among the candidates
    "dense_rank": +1,  # 1/log2(1 + rank), 0 when not returned
    "lexical_rank": +1,
    "coverage": +1,  # share of the question's rare-word weight in the passage
    "coverage_headline": +1,  # ... in its headline and section heading
    "coverage_all": +1,  # ... in passage, headline and heading together
    "coverage_sentence": +1,  # ... in its best single sentence (the words are near each other)
    "missing_rarest": -1,  # the rarest question word found nowhere in passage or headline (0..1)
    "no_overlap": -1,  # none of the question's rare words is in passage or headline
    "unknown_words": -1,  # share of the question's rare-word weight that no held passage uses at all
    "names": +1,  # share of the question's names found in passage or headline
    "numbers": +1,  # share of the question's figures found
    "number_answer": +1,  # asks for a figure, and the passage holds figures the question lacks (years answer "when")
    "date_answer": +1,  # asks "when", and the passage holds a date
    "name_answer": +1,  # asks "who", "where" or "which", and the passage holds names the question lacks
    "quote_answer": +1,  # asks what someone said, and the passage quotes someone
    "quotation": 0,
    "words": 0,  # log length
    "sentence_end": +1,  # ends like prose (not a teaser, heading or caption)
    "question_mark": -1,
    "short": 0,  # fewer than 8 words
    "position": 0,  # paragraph number / paragraphs in the article
    "lede": 0,  # one of the first two paragraphs
    # Time: 0 when the question has no as-of date (staleness, after) or names no moment. The
    # first three only order a question's candidates (how old coverage is says nothing of
    # whether it answers); the moment ones also move relevance: last year's story does not
    # answer a question about this week.
    "staleness": -1,  # log days before the as-of date, relative to the freshest candidate
    "after": -1,  # published after the as-of date
    "undated": 0,
    "in_moment": +1,  # published within the moment the question names ("this week", "in March")
    "off_moment": -1,  # log days away from that moment
}
PASSAGE_SIGNALS = tuple(SIGNS)
LOW_COSINE = 0.3
#: Signals only the order model reads. Measured (docs/quality.md): the moment signals, read by
#: the relevance model too, decline more of RealTime QA's unanswerable questions.
ORDER_ONLY = ("staleness", "after", "undated")
#: Signals only the relevance model reads; the fit holds the order model's weights on them at 0.
#: Measured (docs/quality.md): in the relevance model the alone cosines decline more of the
#: unanswerable questions with first places unchanged; in the order model too, they cost first places.
RELEVANCE_ONLY = ("cosine_alone", "cosine_alone_gap", "article_cosine_alone")

#: Date words, as the tokenizer spells them (stemmed), and years: what a "when" answer holds.
_DATE_WORDS = frozenset(
    t
    for doc in tokenize(
        "january february march april may june july august september october november december sept "
        "monday tuesday wednesday thursday friday saturday sunday yesterday today tonight".split()
    )
    for t in doc
)
_CAPITALISED = re.compile(r"(?<![.!?:\"“]\s)(?<!^)\b[A-Z][\w'’-]*[a-zA-Z]")
#: A month as passages write it, capitalised ("Dec.", "November"): when.py's spellings.
_MONTH = "(?:" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True)) + ")\\.?"
#: A day of a month, "Dec. 16" or "3 November": its figure is a date, not a sum.
_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(?P<day_first>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month_after>{_MONTH})\b"
)
#: Abbreviated months ("dec", "jan"), whose token is no date word (a full name's is; "jan" may
#: be a name): a day written with one ("Dec. 6", news style) is counted as a date on its own.
_SHORT_MONTHS = frozenset(m for m in MONTHS if not set(tokenize([m])[0]) & _DATE_WORDS)
_QUOTATION = re.compile(r"[\"“”]|(?:^|\s)['‘](?=\w)")
_PROSE_END = (".", "!", '"', "”", "’", "'", ")", "…")


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def passage_signals(q: Query, pool: Pool) -> np.ndarray:
    """(candidates, len(PASSAGE_SIGNALS)) float64."""
    n = len(pool)
    cosine = pool.cosine
    articles = pool.article_ids
    best_in_article, best_alone_in_article = np.full(n, -1.0), np.full(n, -1.0)
    for a in np.unique(articles):
        mask = articles == a
        best_in_article[mask] = cosine[mask].max()
        best_alone_in_article[mask] = pool.cosine_alone[mask].max()
    top_bm25 = pool.bm25.max() if n else 0.0

    readings = _read(pool)
    context = [f"{t} {h or ''}" for t, h in zip(pool.titles, pool.headings, strict=True)]
    context_tokens = _context_tokens(context)
    weight = q.idf / q.weight
    terms = q.terms

    def share(tokens: frozenset[str]) -> float:
        return float(sum(w for t, w in zip(terms, weight, strict=True) if t in tokens))

    coverage = np.array([share(r.tokens) for r in readings])
    coverage_headline = np.array([share(context_tokens[c]) for c in context])
    both = [r.tokens | context_tokens[c] for r, c in zip(readings, context, strict=True)]
    coverage_all = np.array([share(t) for t in both])
    top_idf = q.idf.max() if len(q.idf) else 1.0
    missing = np.array([max((i for t, i in zip(terms, q.idf, strict=True) if t not in b), default=0.0) for b in both])
    missing /= top_idf or 1.0
    coverage_sentence = np.array(
        [
            max(share(t) for t in r.sentences) if len(r.sentences) > 1 and c > 0 else c
            for r, c in zip(readings, coverage, strict=True)
        ]
    )
    if q.names:
        lowered = [f"{r.lowered} {normalise_text(c)}" for r, c in zip(readings, context, strict=True)]
        names = np.array([_share_of_phrases(q.names, text) for text in lowered])
    else:
        names = np.zeros(n)
    asked_numbers = set(q.numbers)
    numbers = np.array(
        [len(asked_numbers & r.figures) / len(asked_numbers) if asked_numbers else 0.0 for r in readings]
    )
    novel_figures = np.log1p([sum(1 for f in r.figures - asked_numbers - r.days if not _is_year(f)) for r in readings])
    dates = np.log1p([r.dates for r in readings])
    asked_names = set(q.names) | set(normalise_text(q.text).split())
    novel_names = np.log1p([sum(1 for w in r.capitalised if w not in asked_names) for r in readings])
    quotation = np.array([r.quotation for r in readings])
    words = np.array([r.words for r in readings])
    sentence_end = np.array([r.sentence_end for r in readings])
    question_mark = np.array([r.question_mark for r in readings])

    staleness, after, undated, in_moment, off_moment = _time(q, pool)
    return np.column_stack(
        [
            cosine,
            cosine - (cosine.max() if n else 0.0),
            cosine - best_in_article,
            best_in_article,
            pool.cosine_alone,
            pool.cosine_alone - (pool.cosine_alone.max() if n else 0.0),
            best_alone_in_article,
            np.maximum(0.0, LOW_COSINE - cosine),
            np.maximum(0.0, LOW_COSINE - best_in_article),
            pool.bm25 / (top_bm25 or 1.0),
            _reciprocal_log(pool.dense_rank),
            _reciprocal_log(pool.lexical_rank),
            coverage,
            coverage_headline,
            coverage_all,
            coverage_sentence,
            missing,
            (coverage_all == 0).astype(np.float64),
            np.full(n, float(q.idf[~q.known].sum() / q.weight) if len(q.terms) else 0.0),
            names,
            numbers,
            novel_figures * ("number" in q.wants),
            dates * ("date" in q.wants),
            novel_names * bool({"person", "place", "entity"} & q.wants),
            quotation * ("quote" in q.wants or "person" in q.wants),
            quotation,
            np.log(np.maximum(words, 1.0)),
            sentence_end,
            question_mark,
            (words < 8).astype(np.float64),
            pool.ordinals / np.maximum(pool.paragraphs, 1),
            (pool.ordinals <= 2).astype(np.float64),
            staleness,
            after,
            undated,
            in_moment,
            off_moment,
        ]
    ).reshape(n, len(PASSAGE_SIGNALS))


@dataclass(frozen=True)
class Reading:
    """What signals need of a passage's text alone, whatever the question: read once per
    text and kept, since the same passages come back question after question."""

    tokens: frozenset[str]
    sentences: tuple[frozenset[str], ...]
    figures: frozenset[str]
    days: frozenset[str]  # figures written as a day of a month ("Dec. 16", "3 November"): a date, not a sum
    dates: int
    capitalised: tuple[str, ...]  # lower-cased
    lowered: str
    quotation: float
    words: float
    sentence_end: float
    question_mark: float


_READINGS: OrderedDict[str, Reading] = OrderedDict()
_CONTEXTS: OrderedDict[str, frozenset[str]] = OrderedDict()
_KEEP = 20_000  # passages (a few KB each) and headlines remembered per process
_cache_lock = threading.Lock()


def _read(pool: Pool) -> list[Reading]:
    """The pool's readings, from the cache or read now (every new passage's sentences
    tokenised in one call). Keyed by the text itself: the same in any store."""
    with _cache_lock:
        found = {text: _READINGS.get(text) for text in pool.texts}
    todo = [text for text, reading in found.items() if reading is None]
    if todo:
        split = [sentences(text) for text in todo]
        tokens = iter(tokenize([x for parts in split for x in parts]))
        for text, parts in zip(todo, split, strict=True):
            found[text] = _reading(text, [frozenset(next(tokens)) - {""} for _ in parts])
        with _cache_lock:
            _READINGS.update((text, found[text]) for text in todo)
            while len(_READINGS) > _KEEP:
                _READINGS.popitem(last=False)
    return [found[text] for text in pool.texts]


def _reading(text: str, sentence_tokens: list[frozenset[str]]) -> Reading:
    tokens = frozenset().union(*sentence_tokens)
    figures = frozenset(t for t in tokens if is_figure(t))
    stripped = text.rstrip()
    days, short_days = set(), 0
    for m in _DAY.finditer(text):
        days.add(m["day"] or m["day_first"])
        short_days += (m["month"] or m["month_after"]).rstrip(".").lower() in _SHORT_MONTHS
    return Reading(
        tokens=tokens,
        sentences=tuple(sentence_tokens),
        figures=figures,
        days=frozenset(days) & figures,
        dates=len(tokens & _DATE_WORDS) + sum(map(_is_year, figures)) + short_days,
        capitalised=tuple(w.lower() for w in _CAPITALISED.findall(text) if w not in _OPENERS),
        lowered=normalise_text(text),
        quotation=1.0 if _QUOTATION.search(text) else 0.0,
        words=float(len(text.split())),
        sentence_end=1.0 if stripped.endswith(_PROSE_END) else 0.0,
        question_mark=1.0 if stripped.endswith("?") else 0.0,
    )


def _context_tokens(contexts: list[str]) -> dict[str, frozenset[str]]:
    """Token sets of headlines (with section headings), cached like passages."""
    with _cache_lock:
        found = {c: _CONTEXTS.get(c) for c in contexts}
    todo = [c for c, tokens in found.items() if tokens is None]
    if todo:
        for c, tokens in zip(todo, tokenize(todo), strict=True):
            found[c] = frozenset(tokens) - {""}
        with _cache_lock:
            _CONTEXTS.update((c, found[c]) for c in todo)
            while len(_CONTEXTS) > _KEEP:
                _CONTEXTS.popitem(last=False)
    return found


def _is_year(token: str) -> bool:
    return len(token) == 4 and token[:2] in ("19", "20") and token.isdigit()


def _reciprocal_log(ranks: np.ndarray) -> np.ndarray:
    out = np.zeros(len(ranks))
    present = ranks > 0
    out[present] = 1.0 / np.log2(1.0 + ranks[present])
    return out


def _share_of_phrases(phrases: list[str], text: str) -> float:
    if not phrases:
        return 0.0
    padded = f" {text} "
    return sum(1 for p in phrases if f" {p} " in padded) / len(phrases)


def _time(q: Query, pool: Pool) -> tuple[np.ndarray, ...]:
    """Staleness against the as-of date, and fit with the moment the question names."""
    n = len(pool)
    days = [_day(p) for p in pool.published]
    undated = np.array([1.0 if d is None else 0.0 for d in days])
    staleness, after, in_moment, off_moment = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    if q.as_of is not None:
        ages = np.array([(q.as_of - d).days if d else np.nan for d in days], dtype=np.float64)
        after = np.nan_to_num((ages < 0).astype(np.float64))
        logs = np.log1p(np.clip(ages, 0, None))
        if np.isfinite(logs).any():
            staleness = np.nan_to_num(logs - np.nanmin(logs))
    if q.moment is not None:
        for k, d in enumerate(days):
            if d is None:
                continue
            if q.moment.start <= d <= q.moment.end:
                in_moment[k] = 1.0
            else:
                gap = (q.moment.start - d).days if d < q.moment.start else (d - q.moment.end).days
                off_moment[k] = math.log1p(gap)
    return staleness, after, undated, in_moment, off_moment
