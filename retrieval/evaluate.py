"""Answer-quality figures for a question set: hit@1, hit@3, MRR, declining, per kind.

A question file is JSON Lines: `question`, `expected` (canonical URLs or article ids), `answer`
(a string that must appear in the returned passage), or `unanswerable: true`; optional `kind`,
`split`, `id`, and the day the question is asked, `as_of` (YYYY-MM-DD) or `week` (YYYYMMDD, as in
RealTime QA). A hit is a returned passage from an expected article that contains the answer.

Questions with a date are also scored on their **fresh** subset: those with an expected article
published within 31 days before the question's date (on RealTime QA the cleaner labels).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadSource
from .models import Answer
from .search.when import parse_date

FRESH_DAYS = 31


@dataclass
class Question:
    question: str
    expected: list[str | int] = field(default_factory=list)
    answer: str | None = None
    unanswerable: bool = False
    kind: str = "other"
    split: str = "dev"
    id: str = ""
    as_of: dt.date | None = None


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
                as_of=parse_date(raw.get("as_of") or raw.get("week")),
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
    fresh: bool | None = None  # an expected article from the 31 days before the as-of date


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
    fresh = [o for o in outcomes if o.fresh or (o.question.unanswerable and o.fresh is not None)]
    return {
        "overall": score(outcomes),
        "by_split": {k: score(v) for k, v in sorted(by_split.items())},
        "by_kind": {k: score(v) for k, v in sorted(by_kind.items())},
        # Answerable questions with a fresh expected article, with every dated unanswerable one.
        "fresh": score(fresh) if any(not o.question.unanswerable for o in fresh) else None,
        "misses": [
            {"id": o.question.id, "question": o.question.question, "answered": o.answered, "rank": o.rank}
            for o in outcomes
            if (o.question.unanswerable and o.answered) or (not o.question.unanswerable and o.rank != 1)
        ],
    }


def is_fresh(q: Question, published: dict[str, str | None]) -> bool | None:
    """Whether an expected article was published within FRESH_DAYS before the question's
    date (None when the question has no date); `published` maps expected ids/URLs to dates."""
    if q.as_of is None:
        return None
    if q.unanswerable:
        return True
    for key in q.expected:
        day = published.get(str(key))
        if day and 0 <= (q.as_of - dt.date.fromisoformat(day[:10])).days <= FRESH_DAYS:
            return True
    return False


def evaluate(
    engine, questions: Sequence[Question], collections: Sequence[str], k: int = 3, progress: bool = False
) -> list[Outcome]:
    """Ask every question as of its own date; the store tells which expected articles are fresh."""
    from tqdm import tqdm

    published = engine.published_dates({str(e) for q in questions for e in q.expected}, collections)
    outcomes = []
    for q in tqdm(questions, desc="Asking", unit="question", disable=not progress, leave=False):
        answer = engine.ask(q.question, collections=collections, k=k, as_of=q.as_of)
        rank = None if q.unanswerable else rank_of_hit(q, answer)
        outcomes.append(Outcome(q, answer.answered, rank, is_fresh(q, published)))
    return outcomes
