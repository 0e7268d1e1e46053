"""The real-pages question set (benchmarks/page_questions.jsonl) stays what docs/quality.md says
it is: questions `coverage-bot eval` reads, each answer copied from a page of the benchmark."""

from __future__ import annotations

import json

import pytest

from benchmarks.common import DEVDATA
from retrieval.evaluate import load_questions
from tests.conftest import ROOT

QUESTIONS = ROOT / "benchmarks" / "page_questions.jsonl"
GROUND_TRUTH = DEVDATA / "article-extraction-benchmark" / "ground-truth.json"


def test_the_set_reads_as_an_eval_file_with_unique_ids():
    questions = load_questions(QUESTIONS)
    assert len({q.id for q in questions}) == len(questions)
    assert len({q.question.lower() for q in questions}) == len(questions)
    assert all(q.expected and q.answer for q in questions if not q.unanswerable)
    assert all(not q.expected and q.answer is None for q in questions if q.unanswerable)


def test_every_answer_is_copied_from_a_page_and_every_question_names_its_page():
    if not GROUND_TRUTH.is_file():
        pytest.skip(f"the extraction benchmark is not at {GROUND_TRUTH}")
    bodies = {key: page["articleBody"] for key, page in json.loads(GROUND_TRUTH.read_text("utf-8")).items()}
    rows = [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines() if line.strip()]
    assert all(row["page"] in bodies for row in rows)
    for row in rows:
        if row["answer"] is not None:
            assert any(row["answer"] in body for body in bodies.values()), row["id"]
