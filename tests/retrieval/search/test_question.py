"""What ranking reads of a question: a slip in a long word finds the spelling the coverage
uses, and an outlet the question names leaves its words and its meaning."""

import numpy as np
import pytest

from retrieval import Engine
from retrieval.lexical import LexicalIndex, query_terms, query_words
from retrieval.parse import from_fields
from retrieval.search.candidates import without_outlets
from retrieval.search.question import wants_of

TEXTS = [
    "Quillfeather Systems will cut 1,200 jobs, its chief executive said.",
    "The sanctions on Russian oil take effect in March.",
    "Skaters crowded the frozen lake on Sunday.",
    "The queen's consort opened the new wing.",
]


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    return LexicalIndex.build(np.arange(1, len(TEXTS) + 1), TEXTS)


def read(question: str, lexical: LexicalIndex) -> list[str]:
    return [lexical.spelled(term, word) for term, word in query_words(question).items()]


@pytest.mark.parametrize(
    ("written", "held"),
    [("quilfeather layoffs", "quillfeather layoffs"), ("the sanctons threat", "the sanctions threat")],
)
def test_a_slip_in_a_long_word_finds_the_spelling_the_coverage_uses(lexical: LexicalIndex, written, held):
    assert read(written, lexical)[0] == query_terms(held)[0]
    assert lexical.knows(read(written, lexical)[0])


@pytest.mark.parametrize(
    "question",
    [
        "what did the lakers do",  # short: "laker" is a letter from "lake", another word
        "which consortium bought the port",  # "consort" is a shorter word, not a slip
        "what did quillfeather say",  # held as written
    ],
)
def test_other_words_stay_as_written(lexical: LexicalIndex, question: str):
    assert read(question, lexical) == query_terms(question)


def test_the_question_path_searches_the_held_spelling(engine: Engine):
    engine.add([from_fields("Quillfeather cuts jobs", TEXTS[0], outlet="Lakeside Observer")])
    query, _, _ = engine.searcher.features("what are laid off quilfeather workers getting", ["global"], *[None] * 4)
    assert query_terms("Quillfeather")[0] in query.terms


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


#: (question, kind, whether the question asks for that kind)
KINDS = [
    # an amount asks for a figure
    ("What's the Emirates order for 30 Boeing 787s worth?", "number", True),
    ("what does the wireless charging pad cost", "number", True),
    ("whats the starting price of the new laptop in europe", "number", True),
    ("what was Norland inflation in January", "number", True),
    ("what were Home Depot's Q3 earnings per share", "number", True),
    ("what was the final score of Chargers vs Chiefs", "number", True),
    ("average price of a new vehicle sold in Houston in October?", "number", True),
    ("how cheap does South Korea want solar modules to get by 2030", "number", True),
    ("what sentence did the man get for kidnapping the Fort Worth girl", "number", False),
    ("what did the mayor say about the bridge", "number", False),
    ("Which state has the highest average price for a gallon of regular gas?", "number", False),  # a state
    # "when" asks for a date as a question word, not where it joins two clauses
    ("When did she join Fleetwood Mac?", "date", True),
    ("Christine McVie died Wednesday at age 79. When did she join Fleetwood Mac?", "date", True),
    ("so when is the next rate decision", "date", True),
    ("when's the next home game", "date", True),
    ("Lula has reclaimed the Brazilian presidency after previously holding the role when?", "date", True),
    ("what year did the bridge open", "date", True),
    ("what was the score when Argentina played Chile at the Davis Cup finals", "date", False),
    ("who was James Van Der Beek up against when he got voted off", "date", False),
    ("what weapons did prosecutors say he had at home when he threatened her", "date", False),
    # "who" asks for a person as a question word, not as a relative pronoun
    ("Who won the NHL's Hart Trophy?", "person", True),
    ("Lea Michele joined the cast of “Funny Girl.” Who is she replacing?", "person", True),
    ("so who replaced him", "person", True),
    ("what did Dr Bornstein say about who really wrote the letter", "person", True),
    ("Liz Truss was replaced by who?", "person", True),
    ("whose seat is she filling", "person", True),
    ("how old is the hunter in China who got bubonic plague from eating a rabbit", "person", False),
    ("Kanye West, who changed his name to Ye, is buying which social media platform?", "person", False),
]


@pytest.mark.parametrize(("question", "kind", "wanted"), KINDS)
def test_a_question_asks_for_the_kind_of_thing_its_words_ask_for(question: str, kind: str, wanted: bool):
    assert (kind in wants_of(question)) is wanted
