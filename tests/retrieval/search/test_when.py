"""Time words in a question resolve against the day it is asked."""

import datetime as dt

import pytest

from retrieval.search.when import moment, parse_date

AS_OF = dt.date(2022, 12, 30)  # a Friday


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("Which city was hit by a blizzard this week?", "2022-12-23", "2022-12-30"),
        ("who won yesterday", "2022-12-29", "2022-12-30"),
        ("What did the mayor say on Monday?", "2022-12-26", "2022-12-28"),
        ("what did trump say on january 23", "2022-01-23", "2022-01-25"),
        ("what did he say on 23 Jan 2021", "2021-01-23", "2021-01-25"),
        ("what was inflation in March", "2022-03-01", "2022-04-03"),
        ("what happened in 2019", "2019-01-01", "2020-01-07"),
    ],
)
def test_moments(question: str, start: str, end: str):
    m = moment(question, AS_OF)
    assert (m.start.isoformat(), m.end.isoformat()) == (start, end)


def test_latest_means_the_last_month_or_so():
    m = moment("the latest on the Sudan evacuation", AS_OF)
    assert m.recent and m.end == AS_OF and (AS_OF - m.start).days == 30


@pytest.mark.parametrize("question", ["what just happened in Kyiv", "Which company has just been fined?"])
def test_just_before_a_past_form_means_lately(question: str):
    assert moment(question, AS_OF).recent


@pytest.mark.parametrize(
    "question",
    [
        "Agents searched the Mar-a-Lago home",
        "Prices may rise",
        "How many soldiers did Russia lose?",
        "how much would it have cost to just fix up the old bridge",
        'who said "we will strike tonight"?',  # the claim's words, not the question's moment
        "Who wrote “See you in April”?",
    ],
)
def test_no_moment(question: str):
    assert moment(question, AS_OF) is None


def test_parse_date_reads_iso_and_quiz_weeks():
    assert parse_date("2022-12-30") == parse_date("20221230") == AS_OF
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("30/12/2022")
