"""/source (citations and whole articles, with autocomplete) and /articles."""

import json
from pathlib import Path

from retrieval.parse import from_fields

from .fake_discord import GUILD_A


def test_a_citation_shows_the_paragraph_with_its_neighbours(harness):
    shown = harness.slash("source", citation="A1¶3")[0]
    text = shown.embed["description"]
    assert text.index("**¶2**") < text.index("**¶3** **Trump noted") < text.index("**¶4**")
    assert "`A1¶3`" in text and "Caliber.Az" in text
    assert shown.buttons[0]["label"] == "Full article A1"
    assert "not a citation" in harness.slash("source", citation="hello")[0].content
    assert "paragraphs 1 to 10, not 99" in harness.slash("source", citation="A1¶99")[0].content
    assert "either a citation" in harness.slash("source")[0].content


def test_article_autocomplete_and_metadata(harness):
    choices = harness.autocomplete("source", "article", article="Caliber")[0]
    assert choices.type == 8
    options = choices.payload["data"]["choices"]
    assert options and options[0]["value"] == "1" and options[0]["name"].startswith("A1 · Caliber.Az")
    assert all(len(o["name"]) <= 100 for o in options)
    shown = harness.slash("source", article="1")[0]
    fields = {f["name"]: f["value"] for f in shown.embed["fields"]}
    assert fields["Outlet"] == "Caliber.Az" and fields["Author"] == "Tamilla Hasanova"
    assert fields["Added"].startswith("by seeds") and fields["URL"].startswith("https://caliber.az/")
    assert [b["label"] for b in shown.buttons] == ["◀ Previous", "Next ▶"]


def test_articles_lists_newest_first_and_pages(harness):
    first = harness.slash("articles")[0]
    assert first.ephemeral and "page 1 of 2 · 13 articles" in first.embed["footer"]["text"]
    lines = first.embed["description"].splitlines()
    assert len(lines) == 10
    second = harness.click(first, "Next")[0]
    assert second.type == 7 and "page 2 of 2" in second.embed["footer"]["text"]
    assert "Caliber.Az" in second.embed["description"]  # undated, so last
    only = harness.slash("articles", outlet="Caliber.Az")[0]
    assert "1 article" in only.embed["footer"]["text"] and not only.buttons
    assert "13 articles" not in harness.slash("articles", guild=None)[0].embed["footer"]["text"]


def test_a_very_long_article_stays_within_every_limit(harness, engine):
    sentence = "The harbour authority said the long breakwater would need repairs before the winter storms. "
    huge = from_fields(
        "Breakwater " + "repairs " * 60,  # a 500-character headline
        "\n\n".join([sentence * 150, sentence * 40, "Short closing paragraph about the breakwater repairs."] * 8),
        outlet="Very Long Outlet Name " * 4,
        author="A. Writer " * 20,
        published="2025-03-01",
        url="https://example.com/" + "x" * 300,
    )
    report = engine.add([huge], collection=str(GUILD_A), added_by="discord:102")
    article_id = report.outcomes[0].article_id
    answer = harness.slash("ask", question="Does the breakwater need repairs before winter?", count=10)[-1]
    text = answer.embed["description"]
    assert f"`A{article_id}¶" in text and "…" in text  # cut, but the citation is there
    assert text.count("— **") == len(answer.embed["description"].split("\n\n"))  # every passage attributed
    page = harness.slash("source", article=str(article_id))[0]
    assert "page 1 of " in page.embed["footer"]["text"]  # long paragraphs are split, then paged
    harness.slash("compare", topic="breakwater repairs")
    harness.slash("source", citation=f"A{article_id}¶1")
    # assert_manners (run after every test) checks every embed above against Discord's limits.
    assert json.dumps(page.embed)
    assert Path(engine.settings.db_path).exists()
