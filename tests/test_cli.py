"""The command line, run in-process through click with a real data folder."""

import json
import os
import threading
from http.server import ThreadingHTTPServer
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
        "related": [],
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


def test_stdin_lines_may_be_json_objects_with_an_as_of_date(run, tmp_path):
    page = tmp_path / "flood.md"
    page.write_text(
        "---\ntitle: River Tamm floods Riverton\noutlet: Riverton Herald\npublished: 2024-06-10\n---\n\n"
        "The River Tamm burst its banks in Riverton on Sunday, sending water into the railway station.\n"
    )
    run("ingest", str(page))
    stdin = "\n".join(
        [
            json.dumps({"question": "Where did the River Tamm flood reach this week?", "as_of": "2024-06-12"}),
            "Where did the River Tamm flood reach?",
            json.dumps({"question": "Where did it flood?", "as_of": "June"}),
            json.dumps({"as_of": "2024-06-12"}),
            "{not json",
        ]
    )
    lines = [json.loads(line) for line in run("ask", "--json", "-", stdin=stdin).stdout.splitlines()]
    assert len(lines) == 5
    assert lines[0]["answered"] and "railway station" in lines[0]["passages"][0]["text"]
    assert lines[1]["question"] == "Where did the River Tamm flood reach?" and "error" not in lines[1]
    assert "YYYY-MM-DD" in lines[2]["error"]
    assert '"question" string' in lines[3]["error"]
    assert "not JSON" in lines[4]["error"]
    asked = ("ask", "Where did the River Tamm flood reach this week?", "--as-of", "2024-06-12", "--json")
    one = json.loads(run(*asked).stdout)
    assert one["answered"]
    bad = run("ask", "Where did it flood?", "--as-of", "12 June")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr


def test_eval_asks_each_question_as_of_its_week(run, tmp_path):
    page = tmp_path / "flood.md"
    page.write_text(
        "---\ntitle: River Tamm floods Riverton\noutlet: Riverton Herald\npublished: 2024-06-10\n"
        "url: https://riverton.example/flood\n---\n\n"
        "The River Tamm burst its banks in Riverton on Sunday, sending water into the railway station.\n"
    )
    run("ingest", str(page))
    questions = tmp_path / "q.jsonl"
    rows = [
        {"question": "Where did the River Tamm flood reach this week?", "expected": ["https://riverton.example/flood"],
         "answer": "railway station", "week": "20240614"},
        {"question": "Where did the River Tamm flood reach?", "expected": ["https://riverton.example/flood"],
         "answer": "railway station", "as_of": "2024-09-30"},
    ]  # fmt: skip
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    data = json.loads(run("eval", str(questions), "--json").stdout)
    assert data["overall"]["hit@1"] == 1.0
    # Fresh: an expected article from the 31 days before the question's date (the first only).
    assert data["fresh"]["answerable"] == 1
    assert "fresh" in run("eval", str(questions)).stdout


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
    assert clean(text) == "abcdef\nghi\tj\nk"  # a carriage return is a line break, never an overwrite
    assert line(" one\ntwo\x1b[K\tthree ") == "one two three"


def errors_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_a_bad_file_in_a_folder_is_skipped_and_the_rest_added(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bridge.md").write_text((DATA / "bridge.md").read_text())
    (folder / "bad.md").write_text("---\ntitle: Bad\npublished: 2025-13-45\n---\n\nSome text for the article.\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    result = run("ingest", str(folder))
    assert result.exit_code == 2
    assert "1 added, 0 updated, 0 unchanged, 2 skipped" in result.stdout
    errors = errors_of(result)
    assert any("bad.md: the date '2025-13-45' is not a real date" in e for e in errors)
    assert any("photo.jpg: unsupported file type .jpg" in e for e in errors)


@pytest.mark.parametrize(("files", "message"), [([], "the folder is empty"), (["a.csv"], "holds no article files")])
def test_an_empty_or_unsupported_only_folder_is_an_error(run, tmp_path, files, message):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in files:
        (folder / name).write_text("x,y\n")
    result = run("ingest", str(folder))
    assert result.exit_code == 2 and len(errors_of(result)) == 1 and message in result.stderr


def test_a_fifo_is_refused_at_once(run, tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result = run("ingest", str(fifo))
    assert result.exit_code == 2 and "not a regular file (a FIFO)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outlet", "Nope Gazette"], "error: no outlet named 'Nope Gazette' in global; outlets held: Caliber.Az"),
        (["--collection", "nope"], "error: no collection named 'nope'; collections held: global"),
        (["--since", "2025-03-01", "--until", "2025-02-01"], "since 2025-03-01 is after until 2025-02-01"),
    ],
)
@pytest.mark.parametrize("command", ["ask", "compare"])
def test_filters_that_match_nothing_say_so(run, command, args, message):
    result = run(command, "Russian losses", *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_settings_errors_are_one_line_and_status_2(run, monkeypatch):
    monkeypatch.setenv("COVERAGE_BOT_INDEX", "bad")
    result = run("stats")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: COVERAGE_BOT_INDEX must be auto, flat or ivf, not 'bad'"


def test_eval_with_an_unknown_split_is_status_2(run, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"question": "Q?", "expected": [SEED_URL], "answer": "x", "split": "dev"}) + "\n")
    result = run("eval", str(questions), "--split", "nosuch")
    assert result.exit_code == 2 and "no split named 'nosuch'" in result.stderr and "splits: dev" in result.stderr


def test_edit_corrects_metadata_without_reembedding(run):
    [seed] = json.loads(run("articles", "--json").stdout)
    result = run("edit", str(seed["id"]), "--published", "2025-01-24", "--author", "T. Hasanova")
    assert result.exit_code == 0, result.output
    assert "T. Hasanova" in result.stdout and "2025-01-24" in result.stdout
    answer = json.loads(run("ask", "How many soldiers did Russia lose?", "--json").stdout)
    assert answer["passages"][0]["article"]["published"] == "2025-01-24"
    bad = run("edit", str(seed["id"]), "--published", "2025-13-45")
    assert bad.exit_code == 2 and "not a real date" in bad.stderr
    assert run("edit", str(seed["id"])).exit_code == 2


def test_source_shows_the_article_as_a_reader_sees_it(run):
    added = run("ingest", str(DATA / "typed.html"))
    article_id = json.loads(run("articles", "--json").stdout)[0]["id"]
    shown = run("source", str(article_id)).stdout
    assert "What the work involves" in shown and "[teaser] Read more" in shown and "¶3" in shown
    assert "• clearing the outer channel" in shown and "[embed]" in shown
    assert added.exit_code == 0


def test_a_fetched_page_is_stored_under_its_clean_address(run, tmp_path, monkeypatch):
    from tests.retrieval.test_fetch import Handler

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("COVERAGE_BOT_ALLOW_PRIVATE_URLS", "true")
        port = httpd.server_address[1]
        result = run("ingest", f"http://user:secret@127.0.0.1:{port}/storm")
        assert result.exit_code == 0, result.output
        row = json.loads(run("articles", "--json").stdout)[0]
        assert row["url"] == "https://harbortimes.example/news/2025/02/03/storm-power"
        assert "secret" not in json.dumps(row)
        failed = run("ingest", f"http://user:secret@127.0.0.1:{port}/gone", "--json")
        assert failed.exit_code == 2 and "HTTP 404" in failed.stderr
        assert "secret" not in failed.stdout + failed.stderr
    finally:
        httpd.shutdown()


def test_feeds_done_when(run, site, monkeypatch):
    """Follow a feed of three article pages, poll, poll again (conditional), a fourth item, ask."""
    from tests.feed_site import HARBOR, rss2

    monkeypatch.setenv("COVERAGE_BOT_ALLOW_PRIVATE_URLS", "true")
    site.publish("harbor", HARBOR, "Harbor Times", "harbortimes.example")
    site.serve_feed("/harbor/rss.xml", rss2(site.base, HARBOR[:3]))
    url = site.url("/harbor/rss.xml")

    added = run("feed", "add", url, "--collection", "harbour")
    assert added.exit_code == 0, added.output
    assert "Following F1: Harbor Times — Local news (3 items) for collection harbour." in added.stdout

    first = run("feed", "poll", "--once")
    assert first.exit_code == 0, first.output
    assert "F1 Harbor Times — Local news: 3 added" in first.stdout
    rows = json.loads(run("articles", "--json", "--collection", "harbour").stdout)
    assert [(r["outlet"], r["title"], r["published"]) for r in rows] == [
        ("Harbor Times", story.title, story.published) for story in reversed(HARBOR[:3])
    ]

    second = json.loads(run("feed", "poll", "--once", "--json").stdout)
    assert (second["checked"], second["added"], second["feeds"][0]["status"]) == (1, 0, "not modified")
    assert site.hits("/harbor/rss.xml")[-1].headers["if-none-match"] == site.routes["/harbor/rss.xml"].etag

    site.serve_feed("/harbor/rss.xml", rss2(site.base, HARBOR))
    third = json.loads(run("feed", "poll", "--once", "--json").stdout)
    assert third["added"] == 1
    assert [i["title"] for i in third["feeds"][0]["items"]] == [HARBOR[3].title]
    assert len(json.loads(run("articles", "--json", "--collection", "harbour").stdout)) == 4

    answer = json.loads(
        run("ask", "How did the council vote on the footbridge?", "--json", "--collection", "harbour").stdout
    )
    assert answer["answered"] and "21 to 9" in answer["passages"][0]["text"]
    assert answer["passages"][0]["article"]["outlet"] == "Harbor Times"

    listing = run("feed", "list")
    assert "F1  Harbor Times — Local news  [harbour]  ok" in listing.stdout and "4 articles" in listing.stdout
    assert json.loads(run("feed", "list", "--json").stdout)[0]["articles"] == 4
    due = run("feed", "poll", "--once", "--due")
    assert due.exit_code == 0 and "No feeds to check." in due.stdout  # next check is 30 minutes away


def test_feed_commands_refuse_bad_input_with_one_line(run, site, monkeypatch):
    monkeypatch.setenv("COVERAGE_BOT_ALLOW_PRIVATE_URLS", "true")
    site.serve_feed("/broken.xml", b"<!DOCTYPE html><html><body><p>Not a feed at all</p></body></html>", "text/html")
    for args, message in [
        (("feed", "add", "ftp://example.com/feed"), "must start with http:// or https://"),
        (("feed", "add", site.url("/broken.xml")), "is a web page, not an RSS or Atom feed"),
        (("feed", "remove", "F9"), "no feed with id 9"),
    ]:
        result = run(*args)
        assert result.exit_code == 2 and result.stderr.strip().splitlines()[-1].startswith("error: ")
        assert message in result.stderr
    assert run("feed", "list").stdout.startswith("No feeds followed.")
    assert "goes with --once" in run("feed", "poll", "--due").output

    site.publish("harbor", [], "Harbor Times", "harbortimes.example")
    site.serve_feed("/ok.xml", b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ok</title></channel></rss>')
    assert run("feed", "add", site.url("/ok.xml")).exit_code == 0
    site.routes["/ok.xml"].status = 500
    failed = run("feed", "poll", "--once")
    assert failed.exit_code == 2 and "error: F1" in failed.stderr and "HTTP 500" in failed.stderr
    assert "failing" in run("feed", "list").stdout
    assert run("feed", "pause", "1").stdout.startswith("Paused F1")
    assert run("feed", "resume", "F1").stdout.startswith("Resumed F1")
    removed = run("feed", "remove", "1")
    assert removed.exit_code == 0 and "Stopped following F1: Ok" in removed.stdout


def test_feed_output_is_terminal_safe_whatever_the_store_holds(run, site, monkeypatch, tmp_path, capsys):
    """Feed titles, errors and item titles are printed through `render`, as every command's are
    (a store written before ingest cleaned them may still hold escape sequences)."""
    from coverage_cli.feeds import _print
    from retrieval import Settings
    from retrieval.feeds import ItemOutcome, PollResult
    from retrieval.feeds.store import FeedStore

    monkeypatch.setenv("COVERAGE_BOT_ALLOW_PRIVATE_URLS", "true")
    site.serve_feed("/ok.xml", b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ok</title></channel></rss>')
    assert run("feed", "add", site.url("/ok.xml"), "--keywords", "ferry").exit_code == 0
    store = FeedStore(Settings(data_dir=tmp_path / "data").db_path)
    try:
        hostile = {"title": f"Bay{HOSTILE} Post", "error": f"HTTP{HOSTILE} 500", "keywords": '["ferry\\u001b[2J"]'}
        store.update(1, hostile)
        feed = store.feed(1)
    finally:
        store.close()
    outputs = [run("feed", "list").stdout, run("feed", "list", "--json").stdout, run("feed", "pause", "1").stdout]
    outputs += [run("feed", "resume", "1").stdout, run("feed", "remove", "1").stdout]
    outcome = ItemOutcome(f"Ferry{HOSTILE} strike ends", "https://bay.example/a", "failed", reason=f"gone{HOSTILE}")
    _print([PollResult(feed, "checked", [outcome]), PollResult(feed, "failed", error=f"HTTP{HOSTILE} 500")], False)
    _print([PollResult(feed, "checked", [outcome])], True)
    printed = capsys.readouterr()
    outputs += [printed.out, printed.err]
    assert "Bay Post" in outputs[0] and "HTTP 500" in outputs[0] and "keywords: ferry" in outputs[0]
    assert json.loads(outputs[1])[0]["title"] == f"Bay{HOSTILE} Post"  # JSON keeps the data, escaped
    assert "Ferry strike ends (gone)" in printed.out and "error: F1" in printed.err
    for out in outputs:
        assert not any(ch in out for ch in "\x1b\x07\x9b\x9c\x9d\x08"), repr(out)
    for out in [outputs[0], *outputs[2:5], printed.out.split("{")[0], printed.err]:  # the text, not the JSON
        assert "owned" not in out and "ZWNobyBwd25lZA" not in out, repr(out)


def test_the_data_folders_name_is_printed_terminal_safe(tmp_path):
    """Paths and health details reach the terminal through `render` too (`stats`, `check`)."""
    data = tmp_path / f"data{HOSTILE}"
    base = ["--data-dir", str(data), "--env-file", str(tmp_path / "no.env"), "-q"]
    outputs = [CliRunner().invoke(cli, [*base, *args], catch_exceptions=False) for args in (["stats"], ["check"])]
    assert [r.exit_code for r in outputs] == [0, 0]
    for result in outputs:
        assert "data folder: " in result.stdout and "owned" not in result.stdout
        assert not any(ch in result.stdout for ch in "\x1b\x07\x9b\x9c\x9d\x08"), repr(result.stdout)


@pytest.mark.parametrize("given", ["FF3", "F 3x", "99999999999999999999", "3.5"])
def test_a_feed_id_is_read_by_the_bots_rule(run, given):
    """The command line and `/feed` read feed ids by one rule (F3, f3 or 3; at most 12 digits)."""
    result = run("feed", "remove", given)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == f"error: {given!r} is not a feed id; give it as F3 or 3"
