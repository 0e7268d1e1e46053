"""Every way a news page or a question writes a number is one word to the lexical side."""

import pytest

from retrieval.lexical import tokenize
from retrieval.numbers import normalise_numbers


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
