"""The packaged ranking model: it loads, it ranks a case checked by hand, its relevance is
monotone in the evidence and its calibration rises with the relevance model."""

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import SettingsError
from retrieval.search.model import DEFAULT_PATH, RELEVANCE_INPUTS, Ranker, default_ranker
from retrieval.search.signals import ORDER_ONLY, PASSAGE_SIGNALS, RELEVANCE_ONLY, SIGNS


def signals(**values: float) -> np.ndarray:
    row = np.zeros(len(PASSAGE_SIGNALS))
    for name, value in values.items():
        row[PASSAGE_SIGNALS.index(name)] = value
    return row


ANSWERING = signals(
    cosine=0.72, article_cosine=0.72, cosine_alone=0.66, article_cosine_alone=0.66, bm25=1.0, dense_rank=1.0,
    lexical_rank=1.0, coverage=0.9, coverage_all=1.0, coverage_headline=0.4, coverage_sentence=0.9, names=1.0,
    number_answer=1.1, words=3.4, sentence_end=1.0, position=0.2, lede=1.0,
)  # fmt: skip
OFF_TOPIC = signals(
    cosine=0.18, cosine_gap=-0.54, article_cosine=0.2, cosine_alone=0.15, cosine_alone_gap=-0.51,
    article_cosine_alone=0.15, bm25=0.1, dense_rank=0.3, lexical_rank=0.2, coverage=0.0, coverage_all=0.0,
    missing_rarest=1.0, no_overlap=1.0, unknown_words=0.6, words=3.2, sentence_end=1.0, position=0.5,
)  # fmt: skip


def test_the_packaged_model_loads_with_its_provenance():
    ranker = default_ranker()
    assert ranker.order.names == PASSAGE_SIGNALS
    assert ranker.relevance.names == RELEVANCE_INPUTS
    assert 0 < ranker.floor <= ranker.threshold < 1
    assert ranker.provenance["sets"] and ranker.provenance["command"].startswith("python benchmarks/fit_ranker.py")


def test_it_ranks_a_hand_checked_case():
    """A passage holding the question's words, names and the figure asked for, close in meaning,
    against one that shares none of its words and little meaning."""
    ranker = default_ranker()
    pool = np.vstack([OFF_TOPIC, ANSWERING])
    scores = ranker.scores(pool)
    relevance = ranker.probabilities(scores, pool)
    assert scores[1] > scores[0]
    assert relevance[1] > ranker.threshold > relevance[0]


def test_the_alone_cosines_move_relevance_and_not_the_order():
    """Two passages alike but for how close the paragraph read alone comes to the question."""
    ranker = default_ranker()
    near, far = ANSWERING.copy(), ANSWERING.copy()
    far[PASSAGE_SIGNALS.index("cosine_alone")] = 0.3
    far[PASSAGE_SIGNALS.index("cosine_alone_gap")] = -0.36
    pool = np.vstack([far, near])
    scores = ranker.scores(pool)
    assert scores[0] == scores[1]
    assert all(ranker.order.weights[PASSAGE_SIGNALS.index(n)] == 0 for n in RELEVANCE_ONLY)
    relevance = ranker.probabilities(scores, pool)
    assert relevance[1] > relevance[0]


def test_relevance_never_falls_as_evidence_rises():
    """Every signal with a direction moves relevance that way only (the fit holds the signs)."""
    ranker = default_ranker()
    for name, sign in SIGNS.items():
        if sign == 0 or name in ORDER_ONLY:
            continue
        low, high = ANSWERING.copy(), ANSWERING.copy()
        col = PASSAGE_SIGNALS.index(name)
        low[col], high[col] = 0.0, 1.0
        pool = np.vstack([low, high])
        p = ranker.probabilities(np.zeros(2), pool)  # the same order score: only the signal differs
        assert (p[1] - p[0]) * sign >= -1e-12, name


def test_the_calibration_rises_with_the_relevance_model():
    ranker = default_ranker()
    slope, _ = ranker.calibration
    assert slope > 0
    logits = np.linspace(-6, 6, 50)
    p = 1 / (1 + np.exp(-(slope * logits + ranker.calibration[1])))
    assert np.all(np.diff(p) > 0)


def test_a_model_whose_calibration_falls_is_refused(tmp_path: Path):
    data = json.loads(DEFAULT_PATH.read_text())
    data["calibration"]["slope"] = -1.0
    bad = tmp_path / "ranker.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(SettingsError, match="must rise"):
        Ranker.load(bad)


def test_a_model_fitted_for_other_signals_is_refused(tmp_path: Path):
    data = json.loads(DEFAULT_PATH.read_text())
    data["order"]["names"] = data["order"]["names"][:-1]
    bad = tmp_path / "ranker.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(SettingsError, match=r"refit it with benchmarks/fit_ranker\.py"):
        Ranker.load(bad)
