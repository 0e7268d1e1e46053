"""The command line, run in-process through click with a real data folder."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coverage_cli.main import cli
from tests.conftest import DATA, SEED_URL


@pytest.fixture
def run(tmp_path: Path, encoder):
    def invoke(*args: str, stdin: str | None = None):
        runner = CliRunner()
        base = ["--data-dir", str(tmp_path / "data"), "--env-file", str(tmp_path / "no.env"), "-q"]
        return runner.invoke(cli, [*base, *args], input=stdin, catch_exceptions=False)

    return invoke


def test_ask_json_contract(run):
    result = run("ask", "How many soldiers did Russia lose, according to Trump?", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["answered"] is True
    top = data["passages"][0]
    assert "800,000" in top["text"] and "800,000" in top["highlight"]
    assert top["paragraph"] == 3
    assert top["article"]["outlet"] == "Caliber.Az"
    assert top["article"]["author"] == "Tamilla Hasanova"
    assert top["article"]["url"] == SEED_URL
    assert set(top) == {"text", "highlight", "score", "paragraph", "article", "also_in"}
    assert "built the store" in result.stderr


def test_ask_declines_off_topic(run):
    result = run("ask", "Who won the 2022 football World Cup?", "--json")
    assert json.loads(result.stdout) == {
        "question": "Who won the 2022 football World Cup?",
        "answered": False,
        "passages": [],
    }


def test_ask_for_people_shows_attribution(run):
    result = run("ask", "How many soldiers did Russia lose?", "-k", "2")
    assert result.exit_code == 0
    assert "800,000" in result.stdout
    assert "Caliber.Az" in result.stdout and "Tamilla Hasanova" in result.stdout and "¶3" in result.stdout
    assert SEED_URL in result.stdout and "date unknown" in result.stdout
    assert result.stdout.count("relevance") <= 2


def test_ask_reads_questions_from_stdin_as_json_lines(run):
    stdin = "How many soldiers did Russia lose?\n\nWho won the 2022 football World Cup?\n" + "x" * 600 + "\n"
    result = run("ask", "--json", "-", stdin=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, False, False]
    assert "800,000" in lines[0]["passages"][0]["text"]
    assert "limit is 500" in lines[2]["error"]


@pytest.mark.parametrize(("question", "message"), [("  ", "the question is empty"), ("x" * 501, "limit is 500")])
def test_bad_question_is_one_line_and_status_2(run, question, message):
    result = run("ask", question)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert message in result.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("binary.txt", "binary"),
        ("empty.txt", "empty"),
        ("table.csv", "unsupported file type"),
        ("empty_page.html", "no article text"),
    ],
)
def test_bad_file_is_one_line_and_status_2(run, name, message):
    result = run("ingest", str(DATA / name))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]
    assert "0 added" in result.stdout


def test_ingest_list_source_remove_stats(run):
    added = run("ingest", str(DATA / "storm.html"), str(DATA / "bridge.md"))
    assert added.exit_code == 0, added.output
    assert "2 added, 0 updated, 0 unchanged, 0 skipped" in added.stdout

    listing = run("articles", "--json")
    rows = json.loads(listing.stdout)
    assert [r["outlet"] for r in rows] == ["Valley Courier", "Harbor Times", "Caliber.Az"]  # newest first
    storm_id = rows[1]["id"]

    shown = run("source", str(storm_id))
    assert "Harbor Times" in shown.stdout and "Jane Roe" in shown.stdout and "¶5" in shown.stdout

    removed = run("remove", str(storm_id))
    assert removed.exit_code == 0 and "Removed article" in removed.stdout
    assert not json.loads(run("ask", "How many homes lost power in the storm?", "--json").stdout)["answered"]
    missing = run("source", str(storm_id))
    assert missing.exit_code == 2 and f"no article with id {storm_id}" in missing.stderr

    stats = json.loads(run("stats", "--json").stdout)
    assert stats["articles"] == 2 and stats["passages"] == stats["indexed"] == 13
    assert stats["model"].startswith("all-MiniLM-L6-v2") and stats["index_type"].startswith("Flat")
    assert "Rebuilt the index: 13 passages." in run("reindex").stdout


def test_compare_and_collections(run):
    run("ingest", "--collection", "team", str(DATA / "bridge.md"))
    assert not json.loads(run("ask", "Who proposed the bridge plan?", "--json").stdout)["answered"]
    local = json.loads(run("ask", "Who proposed the bridge plan?", "--json", "--collection", "team").stdout)
    assert local["passages"][0]["article"]["outlet"] == "Valley Courier"
    compared = json.loads(run("compare", "Russian losses in the war", "--json").stdout)
    assert compared["answered"] and compared["outlets"][0]["outlet"] == "Caliber.Az"


def test_ingest_options_supply_metadata_a_page_lacks(run, tmp_path):
    page = tmp_path / "old.html"
    page.write_text(
        (DATA / "storm.html").read_text().replace('<meta property="og:site_name" content="Harbor Times">', "")
    )
    result = run("ingest", str(page), "--outlet", "Harbor Times Weekly", "--published", "2025-02-04")
    assert result.exit_code == 0, result.output
    rows = json.loads(run("articles", "--json").stdout)
    assert (rows[0]["outlet"], rows[0]["published"]) == ("Harbor Times Weekly", "2025-02-04")
    bad = run("ingest", str(page), str(DATA / "bridge.md"), "--title", "One headline for two")
    assert bad.exit_code == 2 and "one file or URL" in bad.output


def test_eval_prints_the_figures(run, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"question": "How many soldiers did Russia lose?", "expected": [SEED_URL], "answer": "800,000"})
        + "\n"
        + json.dumps({"question": "Who won the 2022 football World Cup?", "unanswerable": True})
        + "\n"
    )
    data = json.loads(run("eval", str(questions), "--json").stdout)
    assert data["overall"]["hit@1"] == 1.0 and data["overall"]["declined_unanswerable"] == 1.0
    table = run("eval", str(questions)).stdout
    assert "hit@3" in table and "100.0" in table


def test_one_bad_stdin_line_does_not_end_the_batch(run):
    questions = [
        b"How many soldiers did Russia lose?",
        b"What did \xff\xfe Trump say?",  # not UTF-8
        b"y" * 70_000,  # longer than any question
        b"Who won the 2022 football World Cup?",
        b"How many soldiers did Russia lose, according to Trump?",
    ]
    result = run("ask", "--json", "-", stdin=b"\n".join(questions) + b"\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, False, False, False, True]
    assert "line 2 is not valid UTF-8" in lines[1]["error"] and lines[1]["line"] == 2
    assert "line 3 is longer than" in lines[2]["error"] and len(lines[2]["question"]) <= 200
    assert "error" not in lines[3] and "800,000" in lines[4]["passages"][0]["text"]


HOSTILE = "\x1b]0;owned\x07\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x9b31m\x9d0;t\x9c\x08"


def test_escape_sequences_in_articles_never_reach_the_terminal(run, tmp_path):
    article = tmp_path / "hostile.txt"
    article.write_text(
        f"Harbour{HOSTILE} ferry strike ends\n"
        f"The ferry workers' strike{HOSTILE} ended on Tuesday after the union accepted a 6% raise.\n"
        "Ferries run on the normal timetable from Wednesday, the operator said.\n"
        f"By Ann{HOSTILE} Writer\n"
    )
    assert run("ingest", str(article), "--outlet", f"Bay{HOSTILE} Post").exit_code == 0
    rows = json.loads(run("articles", "--json").stdout)
    article_id = rows[0]["id"]
    outputs = [
        run("ask", "When did the ferry strike end?").stdout,
        run("compare", "ferry strike").stdout,
        run("articles").stdout,
        run("source", str(article_id)).stdout,
        run("remove", str(article_id)).stdout,
    ]
    for out in outputs:
        assert "ferry" in out.lower() or "Removed" in out
        assert not any(ch in out for ch in "\x1b\x07\x9b\x9c\x9d\x08"), repr(out)


def test_rendering_removes_whole_sequences_from_every_field():
    from coverage_cli import render
    from retrieval.models import Answer, Article, Hit, Passage

    article = Article(
        1, "global", f"Ferry{HOSTILE} strike ends", f"Bay{HOSTILE} Post", f"Ann{HOSTILE} Writer", "2025-03-04",
        f"https://bay.example/a{HOSTILE}", "en", "2025-03-05", f"cli{HOSTILE}", "h", 1,
    )  # fmt: skip
    passage = Passage(7, 1, 1, f"The strike{HOSTILE} ended on Tuesday.")
    hit = Hit(passage, article, 0.9, 0.8, highlight=f"The strike{HOSTILE} ended on Tuesday.", also_in=[article])
    outputs = [
        render.answer(Answer(question="q", answered=True, hits=[hit])),
        render.article_table([article]),
        render.article_detail(article, [passage]),
    ]
    for styled in outputs:
        out = styled.replace("\x1b[1m", "").replace("\x1b[0m", "")  # our own bold, where a terminal shows it
        assert not any(ch in out for ch in "\x1b\x07\x9b\x9c\x9d\x08"), repr(out)
        assert "ZWNobyBwd25lZA" not in out and "owned" not in out, repr(out)
    assert "Bay Post" in outputs[0] and "Ann Writer" in outputs[0] and "The strike ended on Tuesday." in outputs[2]


def test_json_output_escapes_c1_controls():
    from coverage_cli.render import dumps

    text = dumps({"title": "Ferry\x9b strike\x1b ends\x7f"})
    assert not any(ch in text for ch in "\x9b\x1b\x7f") and "\\u009b" in text and "\\u001b" in text
    assert json.loads(text) == {"title": "Ferry\x9b strike\x1b ends\x7f"}


def test_clean_removes_whole_sequences_and_keeps_the_words():
    from coverage_cli.render import clean, line

    text = "a\x1b]0;title\x07b\x1b]52;c;Zm9v\x1b\\c\x1b[1;31md\x1b[0m\x9b2Je\x9d8;;x\x9cf\rg\x00h\x7fi\tj\nk"
    assert clean(text) == "abcdefghi\tj\nk"
    assert line(" one\ntwo\x1b[K\tthree ") == "one two three"
