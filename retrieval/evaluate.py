"""Answer-quality figures for a question set: hit@1, hit@3, MRR, declining, per kind.

A question file is JSON Lines: `question`, `expected` (canonical URLs or article ids), `answer`
(a string that must appear in the returned passage), or `unanswerable: true`; optional `kind`,
`split` and `id`. A hit is a returned passage from an expected article that contains the answer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadSource
from .models import Answer


@dataclass
class Question:
    question: str
    expected: list[str | int] = field(default_factory=list)
    answer: str | None = None
    unanswerable: bool = False
    kind: str = "other"
    split: str = "dev"
    id: str = ""


def load_questions(path: Path) -> list[Question]:
    questions = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as err:
        raise BadSource(f"{path}: cannot read the question file ({err.strerror})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            q = Question(
                question=raw["question"],
                expected=list(raw.get("expected", [])),
                answer=raw.get("answer"),
                unanswerable=bool(raw.get("unanswerable", False)),
                kind=raw.get("kind", "unanswerable" if raw.get("unanswerable") else "other"),
                split=raw.get("split", "dev"),
                id=str(raw.get("id", n)),
            )
        except (ValueError, KeyError, TypeError) as err:
            raise BadSource(f"{path}:{n}: not a question line ({err})") from None
        if not q.unanswerable and (not q.expected or not q.answer):
            raise BadSource(f"{path}:{n}: an answerable question needs `expected` and `answer`")
        questions.append(q)
    return questions


def rank_of_hit(q: Question, answer: Answer) -> int | None:
    """1-based rank of the first returned passage that answers q, counting syndicated copies."""
    wanted = {str(e) for e in q.expected}
    for rank, hit in enumerate(answer.hits, 1):
        articles = [hit.article, *hit.also_in]
        from_expected = any(str(a.id) in wanted or (a.url and a.url in wanted) for a in articles)
        if from_expected and q.answer in hit.passage.text:
            return rank
    return None


@dataclass
class Outcome:
    question: Question
    answered: bool
    rank: int | None


def score(outcomes: Sequence[Outcome]) -> dict:
    """The figures for a set of outcomes (answerable and unanswerable questions mixed)."""
    answerable = [o for o in outcomes if not o.question.unanswerable]
    unanswerable = [o for o in outcomes if o.question.unanswerable]

    def share(items: Iterable[bool], n: int) -> float | None:
        return round(sum(items) / n, 4) if n else None

    n = len(answerable)
    return {
        "questions": len(outcomes),
        "answerable": n,
        "unanswerable": len(unanswerable),
        "hit@1": share((o.rank == 1 for o in answerable), n),
        "hit@3": share((o.rank is not None and o.rank <= 3 for o in answerable), n),
        "mrr": round(sum(1 / o.rank for o in answerable if o.rank) / n, 4) if n else None,
        "declined_unanswerable": share((not o.answered for o in unanswerable), len(unanswerable)),
        "wrongly_declined": share((not o.answered for o in answerable), n),
    }


def report(outcomes: Sequence[Outcome]) -> dict:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    by_split: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.question.kind].append(o)
        by_split[o.question.split].append(o)
    return {
        "overall": score(outcomes),
        "by_split": {k: score(v) for k, v in sorted(by_split.items())},
        "by_kind": {k: score(v) for k, v in sorted(by_kind.items())},
        "misses": [
            {"id": o.question.id, "question": o.question.question, "answered": o.answered, "rank": o.rank}
            for o in outcomes
            if (o.question.unanswerable and o.answered) or (not o.question.unanswerable and o.rank != 1)
        ],
    }


def evaluate(engine, questions: Sequence[Question], collections: Sequence[str], k: int = 3) -> list[Outcome]:
    outcomes = []
    for q in questions:
        answer = engine.ask(q.question, collections=collections, k=k)
        outcomes.append(Outcome(q, answer.answered, None if q.unanswerable else rank_of_hit(q, answer)))
    return outcomes
