"""The question's path end to end over the real store, indexes and packaged model: a moment
prefers its week's coverage, outlets named in part narrow the search, a who-said question
prefers the quotation, number forms match, declined answers carry labelled related coverage
and never passages."""

import datetime as dt

import pytest

from retrieval import Engine
from retrieval.parse import from_fields

FLOOD_MARCH = from_fields(
    "River Tamm floods Riverton again",
    "The River Tamm burst its banks in Riverton on Sunday, sending water into the market square.\n\n"
    "Volunteers filled sandbags through the night while the fire service pumped water from cellars.",
    outlet="Riverton Herald",
    published="2024-03-04",
)
FLOOD_JUNE = from_fields(
    "River Tamm floods Riverton once more",
    "The River Tamm burst its banks in Riverton on Sunday, sending water into the railway station.\n\n"
    "Volunteers filled sandbags through the night while the fire service pumped water from cellars.",
    outlet="Riverton Herald",
    published="2024-06-10",
)


@pytest.fixture
def floods(engine: Engine) -> Engine:
    report = engine.add([FLOOD_MARCH, FLOOD_JUNE])
    assert report.count("added") == 2
    return engine


@pytest.mark.parametrize(("as_of", "place"), [("2024-06-12", "railway station"), ("2024-03-06", "market square")])
def test_a_question_about_this_week_prefers_that_weeks_coverage(floods: Engine, as_of: str, place: str):
    answer = floods.ask("Where did the River Tamm flood water reach this week?", as_of=as_of)
    assert answer.answered
    assert place in answer.hits[0].passage.text
    assert answer.hits[0].article.published <= as_of


def test_coverage_far_from_the_moment_asked_about_is_less_likely_to_answer(floods: Engine):
    """Last year's flood does not answer a question about this week's: the same passages score
    lower when the question is asked a year later."""
    question = "Where did the River Tamm flood water reach this week?"
    near = floods.ask(question, as_of="2024-06-12")
    far = floods.ask(question, as_of="2025-06-12")
    best_far = max((h.score for h in far.hits + far.related), default=0.0)  # none shown: scored lower still
    assert near.hits[0].score > best_far


def test_as_of_is_checked_like_every_other_input(floods: Engine):
    with pytest.raises(Exception, match="as-of date"):
        floods.ask("Where did the flood reach?", as_of="12/06/2024")
    assert floods.ask("Where did the flood reach?", as_of=dt.date(2024, 6, 12)).question


def test_an_outlet_named_in_part_narrows_the_search(engine: Engine):
    common = "The council approved the Kessler Street Bridge replacement on Monday by seven votes to two."
    engine.add(
        [
            from_fields("Bridge vote", common + "\n\nThe mayor called it overdue.", outlet="Northern Ledger"),
            from_fields("Council backs bridge", common + "\n\nShop owners fear the closure.", outlet="Harbor Times"),
        ]
    )
    answer = engine.ask("what did the ledger say about the bridge vote?")
    assert answer.answered
    assert {h.article.outlet for h in answer.hits} == {"Northern Ledger"}
    # The outlet's name says where to look, not what the passage must say.
    assert not any("ledger" in h.passage.text.lower() for h in answer.hits)


def test_a_who_said_question_prefers_the_paragraph_with_the_quotation(engine: Engine):
    """The paragraph that reports the mayor spoke shares more of the question's words; the one
    that quotes her answers it."""
    body = (
        "The mayor of Port Halden spoke about the Kessler Street Bridge on Monday after the council vote, "
        "and said the closure would be hard on shops.\n\n"
        '"This bridge has carried our city for 67 years, and it is time to build its successor," '
        "Mayor Celeste Arando said.\n\n"
        "The council voted 7-2 to replace the bridge at a cost of $148 million."
    )
    engine.add([from_fields("Council votes to replace Kessler Street Bridge", body, outlet="Harbor Times")])
    answer = engine.ask("What did the mayor say about the bridge?")
    assert answer.answered
    assert answer.hits[0].passage.text.startswith('"This bridge has carried our city')


@pytest.mark.parametrize(
    "question", ["Did Russia lose 800k soldiers?", "Did Russia lose eight hundred thousand soldiers?"]
)
def test_number_forms_find_the_figure(engine: Engine, question: str):
    answer = engine.ask(question)
    assert answer.answered and "800,000" in answer.hits[0].passage.text


def test_a_declined_answer_shows_related_coverage_apart(engine: Engine):
    threshold = engine.searcher.threshold
    for question in ("Who won the 2022 football World Cup?", "What did Zelenskyy say about Crimea in March?"):
        answer = engine.ask(question)
        if answer.answered:
            continue
        assert answer.hits == [] and answer.to_json()["passages"] == []
        assert all(h.score < threshold for h in answer.related)
        assert "related" in answer.to_json()


def test_scores_are_calibrated_relevance_not_ranks(engine: Engine):
    answer = engine.ask("How many soldiers did Russia lose, according to Trump?")
    scores = [h.score for h in answer.hits]
    assert answer.hits[0].passage.ordinal == 3
    assert all(0 < s < 1 for s in scores)  # a probability: not the old "1.00 for first place"
    assert scores[0] >= engine.searcher.threshold
    assert all(s >= engine.searcher.floor for s in scores)


@pytest.mark.parametrize(
    ("headline", "body", "question", "answer"),
    [
        # Years answer "when", not "how much": the paragraph with the project's dates shares the
        # question's words, the one with its price answers it.
        (
            "Council approves new Kessler Street Bridge",
            "Building the new Kessler Street Bridge is scheduled to begin in April 2026 and finish in early 2028.\n\n"
            "The city council approved the Kessler Street Bridge replacement on Monday night, a $148 million plan.",
            "How much will the new Kessler bridge cost?",
            "$148 million",
        ),
        # A day of a month is a date, not a count: the paragraph that says when tickets go on sale
        # shares the question's words, the one with the number of shows answers it.
        (
            "Doobie Brothers announce reunion tour",
            "Tickets for the Doobie Brothers reunion tour shows go on sale on Dec. 16.\n\n"
            "The reunion tour will have 30 shows, starting in June.",
            "How many shows are on the Doobie Brothers reunion tour?",
            "30 shows",
        ),
        # A decimal is a figure: the paragraph with the rate answers, not the one that only
        # repeats the question's words.
        (
            "Norland inflation eases",
            "Inflation in Norland eased in January, the statistics office said on Tuesday, as energy bills fell.\n\n"
            "Consumer prices rose 2.6% in the year to January, down from 2.9% in December.",
            "What was Norland's inflation rate in January?",
            "2.6%",
        ),
    ],
    ids=["a sum, not a timetable", "a count, not a calendar day", "a decimal is a figure"],
)
def test_a_how_much_question_prefers_the_figure_it_asks_for(
    engine: Engine, headline: str, body: str, question: str, answer: str
):
    engine.add([from_fields(headline, body, outlet="Harbor Times")])
    found = engine.ask(question)
    assert found.answered
    assert answer in found.hits[0].passage.text


def test_a_when_question_prefers_a_date_written_the_news_way(engine: Engine):
    """ "Dec. 6" is a date, as "December 6" is: the abbreviated month's token is no date word."""
    engine.add(
        [
            from_fields(
                "Doobie Brothers announce reunion tour",
                "Tickets for the Doobie Brothers reunion tour will be sold through the band's website.\n\n"
                "They go on sale Dec. 6 at 10 a.m. local time.",
                outlet="Harbor Times",
            )
        ]
    )
    found = engine.ask("When do tickets for the Doobie Brothers reunion tour go on sale?")
    assert found.answered
    assert "Dec. 6" in found.hits[0].passage.text
