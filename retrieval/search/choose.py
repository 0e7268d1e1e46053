"""From scored candidates to the passages shown: decline when none is likely enough to answer,
fold syndicated copies into one result, and spread the results across outlets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Candidate:
    """A scored candidate: `score` is its calibrated relevance (model.py)."""

    position: int  # in the question's Pool
    passage_id: int
    score: float
    outlet: str = ""
    text_hash: str = ""
    words: frozenset[str] = field(default_factory=frozenset)
    copies: list[Candidate] = field(default_factory=list)


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
    candidates: Sequence[Candidate], threshold: float, floor: float, k: int, margin: float, offset: int = 0
) -> list[Candidate]:
    """The passages to show, in the ranking's order: those reaching `floor`, copies folded,
    spread over outlets; none at all unless one of them reaches `threshold` (the coverage does
    not answer). `candidates` must be in the ranking's order, best first."""
    # Folding compares pairs; past a few times k the rest cannot reach the answer anyway.
    pool = [c for c in candidates[: max(20, 4 * (k + offset))] if c.score >= floor]
    shown = spread(fold_copies(pool), k + offset, margin)
    if not any(c.score >= threshold for c in shown):
        return []
    return shown[offset:]


def related(candidates: Sequence[Candidate], k: int, floor: float) -> list[Candidate]:
    """For a declined answer: the passages that reach `floor`, copies folded, for the caller to
    label as coverage that may not answer."""
    return fold_copies([c for c in candidates[: 4 * k] if c.score >= floor])[:k]
