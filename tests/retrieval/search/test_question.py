"""What ranking reads of a question: an outlet the question names leaves its words and its
meaning."""

import numpy as np
import pytest

from retrieval import Engine
from retrieval.parse import from_fields
from retrieval.search.candidates import without_outlets


@pytest.mark.parametrize(
    ("question", "outlet", "left"),
    [
        (
            "what did the Northern Ledger say about the bridge vote?",
            "Northern Ledger",
            "what did say about the bridge vote?",
        ),
        ("what did the Coastline Post's source in Kyiv say", "Coastline Post", "what did source in Kyiv say"),
        (
            "according to the daily meridian where might a summit happen",
            "Daily Meridian",
            "where might a summit happen",
        ),
        ("what did the ledger say about the bridge vote?", "Northern Ledger", "what did say about the bridge vote?"),
        ("where did caliber.az get its quotes", "Caliber.Az", "where did get its quotes"),
        ("who won the cup final?", None, "who won the cup final?"),
    ],
)
def test_an_outlet_named_is_taken_out_of_the_question(question: str, outlet: str | None, left: str):
    assert without_outlets(question, [outlet] if outlet else []) == left


def test_the_question_is_embedded_without_the_outlet_it_names(engine: Engine):
    """The search is confined to the outlet already; its name in the question's embedding only
    pulls it away from passages, which seldom name their own outlet."""
    vote = "The council approved the Kessler Street Bridge replacement on Monday by seven votes to two."
    engine.add([from_fields("Bridge vote", vote, outlet="Northern Ledger")])
    query, pool, _ = engine.searcher.features(
        "what did the Northern Ledger say about the bridge vote?", ["global"], *[None] * 4
    )
    assert set(pool.outlets) == {"Northern Ledger"}
    expected = engine.encoder.encode(["what did say about the bridge vote?"])[0]
    assert np.allclose(query.vector, expected, atol=1e-5)
