"""Page metadata: structured data first, cleaned, and never a guessed date."""

from retrieval.page import page_metadata, strip_site_name
from retrieval.parse import parse_file
from tests.conftest import DATA


def test_json_ld_wins_and_fields_are_cleaned():
    article = parse_file(DATA / "typed.html")
    assert article.title == "Harbour dredging to start in spring, port says"  # not the social og:title
    assert article.author == "Ana de la Cruz"  # the publisher named as a second author is dropped
    assert article.outlet == "Harbor Times"
    assert article.published == "2025-03-04"
    assert article.url == "https://harbortimes.example/news/dredging"


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def test_a_date_the_page_does_not_state_stays_unknown():
    html = page(
        "<title>Looking back on a season | Valley Courier</title>",
        "<h1>Looking back on a season</h1><p>The 2002 season was the best the club ever had, "
        "and fans still talk about the final of 12 May 2002.</p>",
    )
    meta = page_metadata(html)
    assert meta.published is None
    assert meta.title == "Looking back on a season" and meta.outlet == "Valley Courier"


def test_authors_lose_placeholders_and_the_outlet_but_keep_a_lone_agency():
    head = '<meta property="og:site_name" content="CNN"><meta name="author" content="By Staff, CNN">'
    assert page_metadata(page(head, "<h1>Headline here</h1><p>Text.</p>")).authors is None
    head = '<meta property="og:site_name" content="Harbor Times"><meta name="author" content="Reuters">'
    assert page_metadata(page(head, "<h1>Headline here</h1><p>Text.</p>")).authors == ["Reuters"]


def test_trailing_site_name_is_removed():
    assert strip_site_name("Senate passes the bill | CNN Politics", "CNN") == "Senate passes the bill"
    assert strip_site_name("Royal Self-Indicting Arrogance -- Sott.net", "Sott.net") == "Royal Self-Indicting Arrogance"
    assert strip_site_name("Yes - No: a debate", "Harbor Times") == "Yes - No: a debate"
