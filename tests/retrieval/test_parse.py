import os
from pathlib import Path

import pytest

from retrieval.errors import BadSource, UnsupportedSource
from retrieval.parse import from_fields, parse_bytes, parse_file, parse_txt
from tests.conftest import DATA, ROOT, SEED_URL


def test_seed_txt_with_sidecar():
    article = parse_file(ROOT / "seeds" / "000_1696f38fa888702a.txt")
    assert article.title.startswith("Russia, Ukraine, and diplomacy")
    assert article.author == "Tamilla Hasanova"
    assert article.outlet == "Caliber.Az"
    assert article.url == SEED_URL
    assert article.published is None
    assert len(article.paragraphs) == 10  # headline and byline are not passages
    assert "800,000 soldiers" in article.paragraphs[2]
    assert not any(p.startswith("By ") for p in article.paragraphs)


def test_last_line_is_a_byline_only_when_it_is_a_name():
    article = parse_txt("Headline\nFirst paragraph.\nBy the river, the town waited.")
    assert article.author is None
    assert article.paragraphs[-1] == "By the river, the town waited."
    article = parse_txt("Headline\nFirst paragraph.\nBy Ana de la Cruz and Li Wei")
    assert article.author == "Ana de la Cruz and Li Wei"
    assert article.paragraphs == ["First paragraph."]
    article = parse_txt("Headline\nFirst paragraph.\nSecond paragraph.")
    assert article.author is None
    assert article.paragraphs == ["First paragraph.", "Second paragraph."]


def test_markdown_front_matter():
    article = parse_file(DATA / "bridge.md")
    assert article.title == "Council approves Kessler Street Bridge replacement"
    assert article.outlet == "Valley Courier"
    assert article.author == "Sam Okafor"
    assert article.published == "2025-02-11"
    assert article.url == "https://valleycourier.example/local/kessler-bridge-vote"
    assert len(article.paragraphs) == 3
    assert "**" not in article.paragraphs[0]  # Markdown markup is not quoted
    assert "Kessler Street Bridge" in article.paragraphs[0]


def test_html_main_text_and_metadata():
    article = parse_file(DATA / "storm.html")
    assert article.title == "Storm knocks out power to 20,000 homes"
    assert article.outlet == "Harbor Times"
    assert article.author == "Jane Roe"
    assert article.published == "2025-02-03"
    assert article.url == "https://harbortimes.example/news/2025/02/03/storm-power"
    assert article.language == "en"
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("A winter storm swept")
    joined = " ".join(article.paragraphs)
    assert "Most read" not in joined and "All rights reserved" not in joined


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("empty_page.html", "no article text"),
    ],
)
def test_bad_files_name_the_problem(name: str, message: str):
    with pytest.raises(BadSource, match=message):
        parse_file(DATA / name)


def test_unsupported_type():
    with pytest.raises(UnsupportedSource, match=r"unsupported file type \.csv"):
        parse_file(DATA / "table.csv")


def test_bad_date_in_front_matter():
    data = b"---\ntitle: T\npublished: 24 January\n---\n\nA paragraph of text here.\n"
    with pytest.raises(BadSource, match="YYYY-MM-DD"):
        parse_bytes(data, ".md", "x.md")


def test_pasted_fields():
    article = from_fields("  A headline ", "Para one.\n\nPara two\ncontinues.", outlet="Wire", published="2025-01-02")
    assert article.title == "A headline"
    assert article.paragraphs == ["Para one.", "Para two continues."]
    assert article.published == "2025-01-02"
    with pytest.raises(BadSource, match="empty"):
        from_fields("Headline", "   ")


def test_missing_file(tmp_path: Path):
    from retrieval.settings import Settings
    from retrieval.sources import read_source

    with pytest.raises(BadSource, match="no such file"):
        read_source(str(tmp_path / "nope.txt"), Settings())


def test_a_page_saved_by_a_browser_keeps_its_address():
    html = (DATA / "storm.html").read_text()
    html = html.replace('<link rel="canonical" href="https://harbortimes.example/news/2025/02/03/storm-power">', "")
    html = html.replace(
        '<meta property="og:url" content="https://harbortimes.example/news/2025/02/03/storm-power">', ""
    )
    html = html.replace('<meta property="og:site_name" content="Harbor Times">', "")
    saved = "<!-- saved from url=(0040)https://www.harbortimes.example/s/storm -->\n" + html
    article = parse_bytes(saved.encode(), ".html", "saved.html")
    assert article.url == "https://www.harbortimes.example/s/storm"
    assert article.outlet == "Harbor Times"  # the site name its <title> ends with


def test_a_bad_date_in_front_matter_names_the_problem():
    with pytest.raises(BadSource, match="'2025-13-45' is not a real date"):
        parse_bytes(b"---\ntitle: T\npublished: 2025-13-45\n---\n\nA paragraph of text here.\n", ".md", "x.md")


def test_a_control_character_in_front_matter_is_one_clear_reason():
    with pytest.raises(BadSource, match=r"x.md: the front matter is not valid YAML \(the character #x0007"):
        parse_bytes(b"---\ntitle: Bell\x07 here\n---\n\nA paragraph of text here.\n", ".md", "x.md")


def test_yaml_aliases_cannot_expand_the_front_matter():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "---\n" + "\n".join(levels) + "\ntitle: *i\n---\n\nA paragraph of text here.\n"
    assert len(bomb) < 1000
    with pytest.raises(BadSource, match="aliases"):
        parse_bytes(bomb.encode(), ".md", "bomb.md")


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: " + "x" * 600, "the title is 600 characters long; the limit is 500"),
        ("title: [a, b]", "the title must be text, not a list"),
        ("title: T\nurl: ftp://example.com/x", "http:// or https://"),
        ("[1, 2]", "must be `key: value` lines"),
    ],
)
def test_front_matter_fields_are_checked(front, message):
    with pytest.raises(BadSource, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_bytes(f"---\n{front}\n---\n\nA paragraph of text here.\n".encode(), ".md", "x.md")


def test_credentials_and_tracking_never_reach_the_stored_url():
    data = b"---\ntitle: T\nurl: https://user:pass@Example.com/a?utm_source=x&id=4#c\n---\n\nA paragraph here.\n"
    assert parse_bytes(data, ".md", "x.md").url == "https://example.com/a?id=4"


def test_escape_sequences_are_removed_whole_from_text_and_metadata():
    article = parse_txt("Head\x1b]0;pwned\x07line\nThe port \x1b]52;c;aGk=\x07reopened on \x9b1mMonday.\n")
    assert article.title == "Headline" and article.paragraphs == ["The port reopened on Monday."]
    md = parse_bytes(
        b'---\ntitle: "Ferry\\e]0;owned\\a strike ends"\noutlet: "Bay\\e[2J Post"\n---\n\n'
        b"The strike\x1b]8;;https://evil.example\x1b\\ ended on Tuesday.\n",
        ".md",
        "x.md",
    )
    assert (md.title, md.outlet, md.paragraphs) == ("Ferry strike ends", "Bay Post", ["The strike ended on Tuesday."])


def test_only_regular_files_are_read(tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(BadSource, match="not a regular file \\(a FIFO\\)"):
        parse_file(fifo)
    with pytest.raises(BadSource, match="not a regular file \\(a device\\)"):
        parse_file(Path("/dev/zero"))


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path, monkeypatch):
    import retrieval.parse

    monkeypatch.setattr(retrieval.parse, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("Headline\n" + "word " * 400)
    with pytest.raises(BadSource, match="the limit is"):
        parse_file(big)


def test_a_page_of_a_million_empty_paragraphs_is_refused_before_extraction():
    html = "<html><body>" + "<p></p>" * 1_000_000 + "<p>Text of the article.</p></body></html>"
    with pytest.raises(BadSource, match="HTML tags"):
        parse_bytes(html.encode(), ".html", "many.html")
