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


def ld(**fields) -> str:
    import json

    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


def test_the_date_is_the_pages_own_calendar_day_not_utcs():
    body = "<h1>Council approves the harbour bridge plan</h1><p>Posted Nov 18, 8:19 PM</p><p>Text.</p>"
    # Structured data gives 01:19 UTC on the 19th; the page's own line says the 18th.
    assert page_metadata(page(ld(datePublished="2019-11-19T01:19:34Z"), body)).published == "2019-11-18"
    # An offset stated elsewhere on the page settles it without a date line.
    head = (
        ld(datePublished="2019-11-19T01:19:34Z")
        + '<meta property="og:updated_time" content="2019-11-19T10:00:00-05:00">'
    )
    assert page_metadata(page(head, "<h1>Council approves the harbour bridge plan</h1>")).published == "2019-11-18"
    # datePublished, not dateModified.
    head = ld(datePublished="2019-11-08T15:30:00-05:00", dateModified="2019-11-13T10:28:18-05:00")
    assert page_metadata(page(head, "<h1>Council approves the bridge</h1><p>Updated Nov 13, 2019</p>")).published == (
        "2019-11-08"
    )


def test_the_date_line_under_the_headline_counts_but_body_text_never_does():
    dek = "<p>The vote came after two years of argument about the cost of the crossing and its route.</p>"
    body = f"<h1>Council approves the harbour bridge plan</h1>{dek}<p>By Sam Okafor</p><p>November 18, 2019</p>"
    meta = page_metadata(page("", body + "<p>Text.</p>"))
    assert meta.published == "2019-11-18" and meta.authors == ["Sam Okafor"]
    body = "<h1>Council approves the harbour bridge plan</h1><p>The bridge opened on 12 May 2002.</p>"
    assert page_metadata(page("", body)).published is None


def test_the_visible_headline_wins_and_a_logo_h1_does_not():
    head = '<meta property="og:site_name" content="Valley Courier">' + ld(headline="Bridge vote: what it means")
    body = "<h1>Valley Courier</h1><h1>Council approves the harbour bridge plan</h1><p>Text.</p>"
    assert page_metadata(page(head, body)).title == "Council approves the harbour bridge plan"


def test_byline_names_are_read_one_by_one():
    body = (
        '<h1>Council approves the harbour bridge plan</h1><div class="byline-section">'
        '<span class="author">Lisa Kaczke and Trevor J. Mitchell</span><span class="publication">Argus Leader</span>'
        "<span>Published 10:02 AM EST Nov 19, 2019</span></div><p>Text.</p>"
    )
    meta = page_metadata(page("", body))
    assert meta.authors == ["Lisa Kaczke", "Trevor J. Mitchell"] and meta.published == "2019-11-19"


def test_structured_data_that_is_not_valid_json_is_still_read():
    head = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Oil falls",
    "description": 'Oil prices fell sharply.', "datePublished": "2019-11-19T21:57:01+0000",
    "publisher": {"@type": "Organization", "name": "Reuters"}}</script><meta property="og:site_name" content="U.S.">"""
    meta = page_metadata(page(head, "<h1>Oil falls</h1><p>Text.</p>"))
    assert meta.outlet == "Reuters" and meta.published == "2019-11-19"


def test_the_outlet_is_a_name_not_a_desk_or_a_tagline():
    head = ld(publisher={"@type": "Organization", "name": "DH News Service"})
    head += '<meta property="og:site_name" content="Deccan Herald | Latest news">'
    assert page_metadata(page(head, "<h1>Headline here today</h1>")).outlet == "Deccan Herald"
    footer = "<footer><p>© 2014-2019 Нормы ГТО и знаний</p></footer>"
    assert page_metadata(page("", "<h1>Headline here today</h1>" + footer)).outlet == "Нормы ГТО и знаний"
    footer = "<footer><p>Copyright © 2019 Dow Jones &amp; Company, Inc. All Rights Reserved.</p></footer>"
    assert page_metadata(page("", "<h1>Headline here today</h1>" + footer)).outlet is None


def test_a_teasers_byline_is_not_the_articles():
    body = (
        '<h1>Scientists spot water vapour on a distant moon</h1><p class="byline">By HNN Staff</p>'
        "<p>" + "The find almost certainly means the moon has liquid water, an essential ingredient. " * 3 + "</p>"
        '<aside><h4>Navy plan will take time</h4><span class="byline">By Lisa Kubota</span></aside>'
    )
    assert page_metadata(page("", body)).authors is None


def test_a_logo_h1_is_not_vouched_for_by_the_site_name_in_the_title():
    head = "<title>Spokane agencies divided on the campaign | The Spokesman-Review</title>"
    body = "<h1>The Spokesman-Review Newspaper</h1><h1>Spokane agencies divided on the campaign</h1><p>Text.</p>"
    assert page_metadata(page(head, body)).title == "Spokane agencies divided on the campaign"
