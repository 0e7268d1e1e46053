"""The evaluation metrics on a tiny case worked out by hand."""

import json
from pathlib import Path

import pytest

from retrieval.errors import BadSource
from retrieval.evaluate import Outcome, Question, load_questions, rank_of_hit, report, score
from retrieval.models import Answer, Article, Hit, Passage


def article(aid: int, url: str) -> Article:
    return Article(aid, "global", "T", "Outlet", None, None, url, None, "", None, "")


def hit(aid: int, text: str, url: str, also_in: list[Article] | None = None) -> Hit:
    return Hit(Passage(aid * 10, aid, 1, text), article(aid, url), 0.5, 0.5, also_in=also_in or [])


def test_rank_of_hit_needs_the_expected_article_and_the_answer_string():
    q = Question("how many?", expected=["https://a.example/1"], answer="800,000")
    answer = Answer(
        "how many?",
        True,
        [
            hit(2, "Russia lost 800,000 soldiers.", "https://b.example/2"),  # right words, wrong article
            hit(1, "Russia lost many soldiers.", "https://a.example/1"),  # right article, no answer
            hit(3, "He said 800,000.", "https://c.example/3", also_in=[article(1, "https://a.example/1")]),
        ],
    )
    assert rank_of_hit(q, answer) == 3  # a syndicated copy of the expected article counts


def test_scores_by_hand():
    ans = [Question(f"q{i}", ["u"], "x") for i in range(4)]
    una = [Question(f"u{i}", unanswerable=True, kind="unanswerable") for i in range(2)]
    outcomes = [
        Outcome(ans[0], True, 1),  # hit at 1
        Outcome(ans[1], True, 2),  # hit at 2
        Outcome(ans[2], True, None),  # answered, no hit
        Outcome(ans[3], False, None),  # wrongly declined
        Outcome(una[0], False, None),  # rightly declined
        Outcome(una[1], True, None),  # answered what it should have declined
    ]
    figures = score(outcomes)
    assert figures["hit@1"] == 0.25  # 1 of 4
    assert figures["hit@3"] == 0.5  # 2 of 4
    assert figures["mrr"] == 0.375  # (1 + 1/2 + 0 + 0) / 4
    assert figures["declined_unanswerable"] == 0.5  # 1 of 2
    assert figures["wrongly_declined"] == 0.25  # 1 of 4
    full = report(outcomes)
    assert full["by_kind"]["unanswerable"]["declined_unanswerable"] == 0.5
    assert {m["question"] for m in full["misses"]} == {"q1", "q2", "q3", "u1"}


def test_question_file_is_checked(tmp_path: Path):
    good = tmp_path / "q.jsonl"
    good.write_text(
        json.dumps({"question": "a?", "expected": ["u"], "answer": "x", "split": "holdout"})
        + "\n\n"
        + json.dumps({"question": "b?", "unanswerable": True})
        + "\n"
    )
    loaded = load_questions(good)
    assert [(q.split, q.unanswerable, q.kind) for q in loaded] == [
        ("holdout", False, "other"),
        ("dev", True, "unanswerable"),
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "a?"}) + "\n")
    with pytest.raises(BadSource, match="needs `expected` and `answer`"):
        load_questions(bad)
