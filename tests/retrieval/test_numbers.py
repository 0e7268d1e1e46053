"""Every way a news page or a question writes a number is one word to the lexical side."""

import pytest

from retrieval.lexical import tokenize
from retrieval.numbers import is_figure, normalise_numbers


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("800,000", "800000"),
        ("800k", "800000"),
        ("800K soldiers", "800000 soldiers"),
        ("eight hundred thousand", "800000"),
        ("$9,000", "$9000"),
        ("9,000", "9000"),
        ("nine thousand", "9000"),
        ("1.5 million", "1500000"),
        ("$2bn", "$2000000000"),
        ("€1.2m", "€1200000"),
        ("twenty-five", "25"),
        ("one hundred and five", "105"),
    ],
)
def test_number_forms_become_digits(text: str, digits: str):
    assert normalise_numbers(text) == digits


@pytest.mark.parametrize("text", ["one of them", "3.75%", "version 2.13.0", "the 1990s", "5.5 metres"])
def test_other_text_is_left_alone(text: str):
    assert normalise_numbers(text) == text


def test_each_form_matches_the_same_token():
    forms = ["800k", "800,000", "eight hundred thousand", "800000"]
    assert {tuple(t) for t in tokenize(forms)} == {("800000",)}
    assert tokenize(["$9,000"]) == tokenize(["nine thousand"]) == tokenize(["9,000"])


def test_a_decimal_is_one_figure_not_nothing():
    """A word pattern of two characters or more read "2.6%" as no word at all."""
    assert tokenize(["Prices rose 2.6% in January"]) == [["price", "rose", "2_6", "januari"]]
    assert tokenize(["$2.53 a share", "40,816.38", "1.5 million"]) == [["2_53", "share"], ["40816_38"], ["1500000"]]
    assert tokenize(["2.6%"])[0] == tokenize(["2.6 per cent"])[0][:1] == ["2_6"]
    assert normalise_numbers("3.75%") == "3.75%"  # the text itself is left as written
    assert is_figure("2_6") and is_figure("800000")
    assert not any(map(is_figure, ["2_", "_6", "5g", "covid"]))
