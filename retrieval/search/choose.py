"""From scored candidates to the passages shown: fuse dense and lexical ranks, keep only passages that
are about the question (or decline), fold syndicated copies together, spread across outlets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .candidates import Candidate


def fuse(candidates: Sequence[Candidate], method: str, rrf_k: int, dense_weight: float) -> None:
    """Set `score` in 0..1: reciprocal rank fusion normalised so that first in both lists is 1,
    or a convex mix of cosine and max-normalised BM25."""
    if method == "rrf":
        best = 2.0 / (rrf_k + 1)
        for c in candidates:
            total = sum(1.0 / (rrf_k + r) for r in (c.dense_rank, c.lexical_rank) if r is not None)
            c.score = total / best
    elif method == "convex":
        top = max((c.bm25 for c in candidates), default=0.0) or 1.0
        for c in candidates:
            c.score = dense_weight * max(c.similarity, 0.0) + (1 - dense_weight) * c.bm25 / top
    else:
        raise ValueError(f"unknown fusion {method!r}")


@dataclass(frozen=True)
class DeclineRule:
    """A passage answers only if it is close in meaning, or moderately close while holding most
    of the question's rare words. Cosine alone cannot separate the two cases (see docs).

    And a question that uses a word the coverage never uses ("Crimea", "Macron") is declined
    unless one of the best passages holds at least `unknown_term_coverage` of its rare-word
    weight: a related passage that lacks the asked-about thing does not answer it."""

    min_similarity: float
    min_similarity_lexical: float
    min_term_coverage: float
    unknown_term_coverage: float = 0.0

    def relevant(self, c: Candidate) -> bool:
        if c.similarity >= self.min_similarity:
            return True
        return c.similarity >= self.min_similarity_lexical and c.coverage >= self.min_term_coverage


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def fold_copies(candidates: Sequence[Candidate], threshold: float = 0.9) -> list[Candidate]:
    """One result per paragraph: exact (normalised) copies and near-copies (word-set Jaccard
    >= threshold) join the best-scoring one's `copies`. Input must be sorted best first."""
    kept: list[Candidate] = []
    for c in candidates:
        for k in kept:
            if c.text_hash == k.text_hash or jaccard(c.words, k.words) >= threshold:
                k.copies.append(c)
                break
        else:
            kept.append(c)
    return kept


def spread(
    candidates: Sequence[Candidate], k: int, margin: float, key: Callable[[Candidate], str] | None = None
) -> list[Candidate]:
    """Pick k best, but prefer an outlet not yet shown when its best passage scores within
    `margin` of the next passage from an outlet already shown."""
    key = key or (lambda c: c.outlet.lower())
    pool = list(candidates)
    chosen: list[Candidate] = []
    seen: set[str] = set()
    while pool and len(chosen) < k:
        best = pool[0]
        if key(best) in seen:
            fresh = next((c for c in pool if key(c) not in seen), None)
            if fresh is not None and fresh.score >= best.score - margin:
                best = fresh
        chosen.append(best)
        seen.update(key(c) for c in [best, *best.copies])
        pool.remove(best)
    return chosen


def choose(
    candidates: Sequence[Candidate],
    rule: DeclineRule,
    k: int,
    margin: float,
    offset: int = 0,
    unknown_terms: bool = False,
) -> list[Candidate]:
    """The passages to show: relevant ones, copies folded, spread over outlets, best first.
    An empty list means the coverage does not answer."""
    relevant = [c for c in candidates if rule.relevant(c)]
    if unknown_terms and relevant and max(c.coverage for c in relevant[:5]) < rule.unknown_term_coverage:
        return []
    # Folding compares pairs; past a few times k the rest cannot reach the answer anyway.
    pool = relevant[: max(20, 4 * (k + offset))]
    return spread(fold_copies(pool), k + offset, margin)[offset:]
