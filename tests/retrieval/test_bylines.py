"""Byline strings to people: the outlet, desks, roles, dates and handles are not names."""

import pytest

from retrieval.bylines import clean_authors


@pytest.mark.parametrize(
    ("byline", "exclude", "people"),
    [
        ("Jill Disis, CNN Business", {"cnn"}, ["Jill Disis"]),
        ("by Madeline Fry | November 18, 2019 12:01 PM Print this article", set(), ["Madeline Fry"]),
        ("By Eric Song, IGN Staff", {"ign"}, ["Eric Song"]),
        ("By DANICA KIRKA and JILL LAWLESS Associated Press", set(), ["Danica Kirka", "Jill Lawless"]),
        ("Meg JamesStaff Writer", set(), ["Meg James"]),
        ("Tim Childers - Live Science Contributor", {"live science"}, ["Tim Childers"]),
        ("Tom Gillespie News reporter @TomGillespie1", set(), ["Tom Gillespie"]),
        ("By Bill Hoppe | Special to the Pioneer Press", set(), ["Bill Hoppe"]),
        ("Amy Kuperinsky | NJ Advance Media for NJ.com", {"nj"}, ["Amy Kuperinsky"]),
        ("Troy L. Smith, Cleveland.com", set(), ["Troy L. Smith"]),
        ("Elliot Brownstein Florida Today", {"florida today"}, ["Elliot Brownstein"]),
        ("By Matthew Digby , Minh Do on Monday, November 18th, 2019", set(), ["Matthew Digby", "Minh Do"]),
        ("Bruce Y. Lee Senior Contributor", set(), ["Bruce Y. Lee"]),
        ("Текст: Венера Ерофеева·24 сентября 2018", set(), ["Венера Ерофеева"]),
        ("Lisa Kaczke and Lisa Kaczke", set(), ["Lisa Kaczke"]),
        ("sam@example.com", set(), []),
    ],
)
def test_people_are_kept_and_the_rest_dropped(byline, exclude, people):
    assert clean_authors([byline], exclude)[0] == people


@pytest.mark.parametrize(
    "placeholder",
    [
        "Science X staff",
        "JERUSALEM POST STAFF",
        "Detroit News wire services",
        "Editorial",
        "Multiple Sources",
        "admin",
        "Гость",
    ],
)
def test_placeholders_name_nobody(placeholder):
    assert clean_authors([placeholder], {"jerusalem post"}) == ([], [])


def test_a_wire_agency_is_kept_apart():
    assert clean_authors(["PTI, Washington, Nov 20 2019"], set()) == ([], ["PTI"])
    assert clean_authors(["By Reuters"], set()) == ([], ["Reuters"])
