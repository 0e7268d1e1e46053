"""The typed article: block kinds, prose-only passages, headings as context."""

import pytest

from retrieval.blocks import paragraph_kind
from retrieval.parse import from_fields, parse_file
from tests.conftest import DATA


def test_a_news_page_keeps_every_block_and_quotes_only_prose():
    article = parse_file(DATA / "typed.html")
    kinds = [b.kind for b in article.blocks]
    assert {"heading", "paragraph", "teaser", "list_item", "embed", "table_row"} <= set(kinds)
    joined = "\n".join(article.paragraphs)
    assert "Read more" not in joined and "pic.twitter.com" not in joined
    assert not any(p == "What the work involves" for p in article.paragraphs)
    # A list is one passage with the sentence that introduces it, items unmarked.
    stages = next(p for p in article.paragraphs if p.startswith("The plan has three stages:"))
    assert "clearing the outer channel" in stages and "moving the silt" in stages and "- " not in stages
    assert any("Turning basin | 2.7 million" in p for p in article.paragraphs)  # tables are kept
    # Each passage knows the section it sits under; before the first subhead, none.
    assert len(article.headings) == len(article.paragraphs)
    assert article.headings[0] is None
    assert article.headings[article.paragraphs.index(stages)] == "What the work involves"
    assert article.headings[-1] == "Costs"
    # Blocks point at the passage they went into; non-prose blocks at none.
    teaser = next(b for b in article.blocks if b.kind == "teaser")
    assert teaser.passage is None
    assert [b.passage for b in article.blocks if b.kind == "list_item"] == [3, 3, 3]


def test_markdown_teasers_subheads_bylines_and_tweets_are_not_passages():
    article = parse_file(DATA / "teasers.md")
    assert article.author == "Sam Okafor"  # the byline line, without the outlet
    assert [b.kind for b in article.blocks] == [
        "byline",
        "paragraph",
        "teaser",
        "teaser",
        "heading",
        "paragraph",
        "embed",
        "paragraph",
    ]
    assert len(article.paragraphs) == 3
    assert article.headings == [None, "What It Means For You", "What It Means For You"]


def test_scripts_without_spaces_are_measured_in_characters():
    article = parse_file(DATA / "japanese.html")
    assert article.title == "港の浚渫工事、春に開始へ"
    assert len(article.paragraphs) == 3 and article.language == "ja"


def test_a_paragraph_over_the_limit_is_split_at_sentence_ends():
    sentence = "The live blog adds another update about the harbour works. "
    article = from_fields("Live: harbour works", sentence * 600)  # about 36,000 characters
    assert len(article.paragraphs) > 10
    assert all(len(p) <= 2000 for p in article.paragraphs)
    assert all(p.endswith("works.") for p in article.paragraphs)


GALLERY = " ".join(
    f"Mourners wait in line on day {n} to see the coffin lying in state in London. Yui Mok/Pool/AP" for n in range(4)
)
#: (line, what it is). Prose that only mentions such words stays prose.
LINES = [
    ("READ MORE: China plague outbreak confirmed in Beijing", "teaser"),
    ("It's a bear:We're in a bear market again. Here is what that means.", "teaser"),
    ("►Gas prices 2022:Gas prices will fall below $3 per gallon, projections say", "teaser"),
    ("►More: Safer baby swings to replace your recalled MamaRoo", "teaser"),
    ("Joe Biden proclamation on pardoning marijuana:In historic move, Biden pardons those convicted", "teaser"),
    ("It arrived in Minneapolis at 7:16 a.m. CT.", "paragraph"),  # a time, not a label
    ("Sign up for our daily newsletter to get the top headlines.", "teaser"),
    ("(Reporting by Greg Roumeliotis; editing by Martin Howell)", "byline"),
    ("Contributing: Kate Mabus and Alia Wong, USA TODAY; The Associated Press", "byline"),
    ("Contributing to the higher egg prices, the report said, is avian influenza.", "paragraph"),
    ("Updated 11:02 AM ET, Tue November 19, 2019", "dateline"),
    ("Defensive Line", "heading"),
    ("JUST WATCHED Analysis: Would Putin invade again? Replay More Videos ... MUST WATCH Analysis: Would", "embed"),
    ("A dredger works in the harbour. (Photo by Jane Roe/Getty Images)", "caption"),
    ("Police use teargas as protesters storm the prime minister's office. Rafiq Maqbool/AP", "caption"),
    ("Trump leads 50%-43%, a new USA TODAY/Suffolk University Poll finds.", "paragraph"),
    (GALLERY, "caption"),  # a gallery's captions run together
    # How to reach the writer is no passage; a paragraph asking readers to call the police is.
    ("Write to Al Root at allen.root@dowjones.com", "byline"),
    ("Bill Poehler covers Marion County. Contact him at bpoehler@journal.example", "byline"),
    ("Reach Benjamin Duer at 330-580-8567 or ben.duer@cantonrep.example", "byline"),
    ("Morgan Watkins: 502-582-4502; mwatkins@courier.example; Twitter: @mw", "byline"),
    ("Anyone with information is asked to contact detectives at 555-1234.", "paragraph"),
    ("Trump said he would contact Putin on Monday.", "paragraph"),
    ("An undisclosed number of customers signed up for the free trial, Mayer said.", "paragraph"),
    ("Now get prepping!", "paragraph"),
]


@pytest.mark.parametrize(("line", "kind"), LINES)
def test_recognisable_non_prose_lines(line: str, kind: str):
    assert paragraph_kind(line) == kind
