"""The life of a question, from its words to the passages shown: candidates from both indexes
(candidates.py), what is known about each (signals.py), the fitted model's calibrated relevance
(model.py), the decision to decline and the spread over outlets (choose.py), highlights.

`Searcher` holds no state of its own beyond the model: it reads the engine's store and indexes
through `Engine._view`, which takes them under the engine's lock, so a question never sees an
index half-way through a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..highlight import best_sentences
from ..models import Answer, Article, Comparison, Hit, OutletCoverage
from ..parse import normalise_date
from ..quotes import QuoteMatch, unframe
from ..quotes import rank as rank_quotes
from ..store import normalise_text
from .candidates import Pool, gather, without_outlets
from .choose import Candidate, choose, fold_copies, related
from .model import Ranker, default_ranker
from .question import Query, analyse
from .signals import passage_signals

if TYPE_CHECKING:
    from ..engine import Engine


@dataclass
class Scored:
    """A question's candidates with their relevance, best first."""

    query: Query
    pool: Pool
    candidates: list[Candidate]


class Searcher:
    """ask, quote and compare over one engine's store and indexes, with one ranking model."""

    def __init__(self, engine: Engine, ranker: Ranker | None = None):
        self.engine = engine
        self._ranker = ranker

    @property
    def ranker(self) -> Ranker:
        """The fitted model, loaded on the first question (commands that only read the store never need it)."""
        if self._ranker is None:
            self._ranker = default_ranker(self.engine.settings.ranking_model)
        return self._ranker

    @property
    def threshold(self) -> float:
        """Decline unless a passage reaches this relevance: the setting, else the model's own."""
        setting = self.engine.settings.min_relevance
        return setting if setting is not None else self.ranker.threshold

    @property
    def floor(self) -> float:
        """Passages shown beside an answer only from this relevance (the model's, at most the threshold)."""
        return min(self.threshold, self.ranker.floor)

    @property
    def nearby(self) -> float:
        """Half the threshold: coverage close to an answer, shown as such ("closest coverage,
        which may not answer it") when declining, and an outlet's coverage of a topic in `compare`."""
        return self.threshold / 2

    def ask(
        self,
        question: str,
        collections: Sequence[str],
        k: int,
        outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        offset: int = 0,
        as_of: dt.date | None = None,
    ) -> Answer:
        scored = self.score(question, collections, outlets, since, until, as_of)
        if scored is None:
            return Answer(question, False, [])
        margin = self.engine.settings.diversity_margin
        chosen = choose(scored.candidates, self.threshold, self.floor, k, margin, offset)
        if chosen:
            return Answer(question, True, self.hits(chosen, scored, collections))
        if offset:
            return Answer(question, False, [])
        closest = related(scored.candidates, k, self.nearby)
        return Answer(question, False, [], related=self.hits(closest, scored, collections))

    def quote(
        self, text: str, collections: Sequence[str], limit: int = 10, as_of: dt.date | None = None
    ) -> list[QuoteMatch]:
        """Exact and near-exact matches of the quotation first; else the passages that answer it."""
        quotation, _ = unframe(text)
        scored = self.score(quotation, collections, None, None, None, as_of)
        if scored is None:
            return []
        hits = self.hits(fold_copies(scored.candidates[: limit * 3]), scored, collections)
        matches = rank_quotes(quotation, hits)
        close = [m for m in matches if m.kind != "related"]
        if close:
            return close[:limit]
        return [m for m in matches if m.hit.score >= self.threshold][:3]

    def compare(
        self,
        topic: str,
        collections: Sequence[str],
        per_outlet: int,
        max_outlets: int,
        outlets: Sequence[str] | None,
        since: str | None,
        until: str | None,
        as_of: dt.date | None = None,
    ) -> Comparison:
        """Each outlet's best passages on the topic, outlets in order of their best passage."""
        scored = self.score(topic, collections, outlets, since, until, as_of)
        # A topic is not a question: an outlet's passages close to answering it are its coverage.
        relevant = [c for c in scored.candidates if c.score >= self.nearby] if scored else []
        if not relevant:
            return Comparison(topic, False, [])
        groups: dict[str, list[Candidate]] = {}
        for c in relevant:
            group = groups.setdefault(c.outlet.lower(), [])
            if len(group) < per_outlet and not any(x.text_hash == c.text_hash for x in group):
                group.append(c)
        picked = list(groups.values())[:max_outlets]
        hits = self.hits([c for g in picked for c in g], scored, collections)
        by_outlet: dict[str, list[Hit]] = {}
        for hit in hits:
            by_outlet.setdefault(hit.article.outlet or "Unknown outlet", []).append(hit)
        return Comparison(topic, bool(hits), [OutletCoverage(o, h) for o, h in by_outlet.items()])

    # -- the steps ----------------------------------------------------------------------------
    def features(self, question, collections, outlets, since, until, as_of):
        """The question, its candidates and their signals (what the model reads), or None
        when nothing may be searched. `benchmarks/fit_ranker.py` learns from exactly this."""
        engine = self.engine
        since, until = normalise_date(since), normalise_date(until)
        view = engine._view(question, collections, outlets, since, until)
        if view is None:
            return None
        vector = engine.encoder.encode([without_outlets(question, view.named)])[0]
        query = analyse(question, vector, view.lexical, as_of, view.named)
        with engine._lock:
            pool = gather(view, engine.store, vector, query.terms, engine.settings.candidates)
        if len(pool) == 0:
            return None
        return query, pool, passage_signals(query, pool)

    def score(self, question, collections, outlets, since, until, as_of) -> Scored | None:
        """Candidates with their calibrated relevance, best first."""
        found = self.features(question, collections, outlets, since, until, as_of)
        if found is None:
            return None
        query, pool, passage = found
        scores = self.ranker.scores(passage)
        relevance = self.ranker.probabilities(scores, passage)
        order = np.lexsort((pool.ids, -scores))  # ties: the older passage first, for stable answers
        candidates = [
            Candidate(
                int(i),
                int(pool.ids[i]),
                float(relevance[i]),
                pool.outlets[i],
                pool.hashes[i],
                frozenset(normalise_text(pool.texts[i]).split()),
            )
            for i in order
        ]
        return Scored(query, pool, candidates)

    def hits(self, chosen: list[Candidate], scored: Scored, collections) -> list[Hit]:
        """The chosen candidates as results: passage, article, highlight, syndicated copies."""
        if not chosen:
            return []
        engine = self.engine
        with engine._lock:
            ids = [x.passage_id for c in chosen for x in [c, *c.copies]]
            copies = engine.store.copies_of([c.text_hash for c in chosen], list(collections))
            ids += [pid for group in copies.values() for pid in group]
            passages = engine.store.passages_by_ids(ids)
            articles = engine.store.articles_by_ids(p.article_id for p in passages.values())
        lexical = engine._lexical_index()
        texts = [passages[c.passage_id].text for c in chosen]
        query = scored.query
        highlights = best_sentences(
            query.vector, texts, engine.encoder.encode, lambda ss: lexical.coverages(query.terms, ss)
        )
        hits = []
        for c, highlight in zip(chosen, highlights, strict=True):
            passage = passages[c.passage_id]
            main = articles[passage.article_id]
            others: dict[int, Article] = {}
            for pid in [x.passage_id for x in c.copies] + copies.get(c.text_hash, []):
                art = articles[passages[pid].article_id]
                if art.id != main.id:
                    others.setdefault(art.id, art)
            similarity = float(scored.pool.cosine[c.position])
            hits.append(Hit(passage, main, c.score, similarity, highlight, list(others.values())))
        return hits
