"""The life of a question, from its words to the passages shown: candidates from both indexes,
their signals, fusion, the decision to decline, syndicated copies folded, highlights.

`Searcher` holds no state of its own: it reads the engine's store and indexes through
`Engine._view`, which takes them under the engine's lock, so a question never sees an index
half-way through a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..highlight import best_sentences
from ..models import Answer, Article, Comparison, Hit, OutletCoverage
from ..parse import normalise_date
from ..quotes import QuoteMatch, unframe
from ..quotes import rank as rank_quotes
from ..store import normalise_text
from .candidates import Candidate, Found, topical_terms
from .choose import DeclineRule, choose, fold_copies, fuse

if TYPE_CHECKING:
    from ..engine import Engine


class Searcher:
    """ask, quote and compare over one engine's store and indexes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        s = engine.settings
        self.rule = DeclineRule(
            s.min_similarity, s.min_similarity_lexical, s.min_term_coverage, s.unknown_term_coverage
        )

    def ask(
        self,
        question: str,
        collections: Sequence[str],
        k: int,
        outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        offset: int = 0,
    ) -> Answer:
        found = self.candidates(question, collections, outlets, since, until)
        if found is None:
            return Answer(question, False, [])
        unknown = self.rule.unknown_term_coverage > 0 and self._has_unknown_terms(found.terms)
        chosen = choose(found.candidates, self.rule, k, self.engine.settings.diversity_margin, offset, unknown)
        hits = self.hits(chosen, found, collections)
        return Answer(question, bool(hits), hits)

    def quote(self, text: str, collections: Sequence[str], limit: int = 10) -> list[QuoteMatch]:
        quotation, _ = unframe(text)
        found = self.candidates(quotation, collections, None, None, None)
        if found is None:
            return []
        hits = self.hits(fold_copies(found.candidates[: limit * 3]), found, collections)
        matches = rank_quotes(quotation, hits)
        close = [m for m in matches if m.kind != "related"]
        if close:
            return close[:limit]
        relevant = {c.passage_id for c in found.candidates if self.rule.relevant(c)}
        return [m for m in matches if m.hit.passage.id in relevant][:3]

    def compare(
        self,
        topic: str,
        collections: Sequence[str],
        per_outlet: int,
        max_outlets: int,
        outlets: Sequence[str] | None,
        since: str | None,
        until: str | None,
    ) -> Comparison:
        found = self.candidates(topic, collections, outlets, since, until)
        relevant = [c for c in found.candidates if self.rule.relevant(c)] if found else []
        if not relevant:
            return Comparison(topic, False, [])
        groups: dict[str, list[Candidate]] = {}
        for c in relevant:
            group = groups.setdefault(c.outlet.lower(), [])
            if len(group) < per_outlet and not any(x.text_hash == c.text_hash for x in group):
                group.append(c)
        picked = list(groups.values())[:max_outlets]
        hits = self.hits([c for g in picked for c in g], found, collections)
        by_outlet: dict[str, list[Hit]] = {}
        for hit in hits:
            by_outlet.setdefault(hit.article.outlet or "Unknown outlet", []).append(hit)
        return Comparison(topic, bool(hits), [OutletCoverage(o, h) for o, h in by_outlet.items()])

    def _has_unknown_terms(self, terms: Sequence[str]) -> bool:
        """Does the question use a word that no held passage uses?"""
        lexical = self.engine._lexical_index()
        return any(not lexical.knows(t) for t in terms)

    # -- the steps ----------------------------------------------------------------------------
    def candidates(self, question, collections, outlets, since, until) -> Found | None:
        """Candidates from both retrievers with every signal, fused and sorted best first."""
        engine, settings = self.engine, self.engine.settings
        since, until = normalise_date(since), normalise_date(until)
        view = engine._view(question, collections, outlets, since, until)
        if view is None:
            return None
        query = engine.encoder.encode([question])[0]
        terms = topical_terms(question, view.named)
        store, lexical, n = engine.store, view.lexical, settings.candidates
        with engine._lock:
            d_scores, d_ids = view.index.search(query, n, view.allowed)
            l_scores, l_ids = lexical.search(terms, n, view.allowed)
            cands: dict[int, Candidate] = {}
            for rank, (s, pid) in enumerate(zip(d_scores, d_ids, strict=True), 1):
                cands[int(pid)] = Candidate(int(pid), similarity=float(s), dense_rank=rank)
            for rank, (s, pid) in enumerate(zip(l_scores, l_ids, strict=True), 1):
                c = cands.setdefault(int(pid), Candidate(int(pid)))
                c.bm25, c.lexical_rank = float(s), rank
            # Exact cosine from the stored vectors: the index's scores may be approximate (IVF),
            # and lexical-only candidates have none.
            for pid, vector in store.vectors_of(cands).items():
                cands[pid].similarity = float(vector @ query)
            passages = store.passages_by_ids(cands)
            outlet_of = store.outlets_of(p.article_id for p in passages.values())
            hashes = store.hash_of(cands)
        # Only candidates close enough to pass the decline rule need their words counted.
        floor = min(self.rule.min_similarity_lexical, self.rule.min_similarity)
        close = [c for c in cands.values() if c.similarity >= floor]
        for c, coverage in zip(
            close, lexical.coverages(terms, [passages[c.passage_id].text for c in close]), strict=True
        ):
            c.coverage = coverage
            c.words = frozenset(normalise_text(passages[c.passage_id].text).split())
        for pid, c in cands.items():
            c.outlet = outlet_of[passages[pid].article_id] or ""
            c.text_hash = hashes[pid]
        fuse(list(cands.values()), settings.fusion, settings.rrf_k, settings.dense_weight)
        return Found(query, terms, sorted(cands.values(), key=lambda c: -c.score))

    def hits(self, chosen: list[Candidate], found: Found, collections) -> list[Hit]:
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
        highlights = best_sentences(
            found.query, texts, engine.encoder.encode, lambda ss: lexical.coverages(found.terms, ss)
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
            hits.append(Hit(passage, main, c.score, c.similarity, highlight, list(others.values())))
        return hits
