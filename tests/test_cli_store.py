"""The command line over a data folder in trouble: `check` names each fault and `--repair` fixes
the derived ones; a lost or damaged store is one line and exit status 2; `init` starts over."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from coverage_cli.main import cli
from retrieval.lexical import POINTER, read_pointer


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run(tmp_path: Path, data: Path, encoder):
    def invoke(*args: str):
        base = ["--data-dir", str(data), "--env-file", str(tmp_path / "no.env"), "-q"]
        return CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(run, data: Path) -> Path:
    assert run("stats").exit_code == 0
    gc.collect()  # the command's engine is not closed by click: let its connection go (and checkpoint) now
    return data


def files(data: Path) -> dict[str, bytes]:
    """Every file's bytes (SQLite's own -wal/-shm aside), to show a command wrote nothing."""
    return {
        str(p.relative_to(data)): p.read_bytes()
        for p in sorted(data.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def one_error_line(result) -> str:
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    return line


def test_check_reports_a_healthy_folder_part_by_part(run, seeded: Path):
    result = run("check")
    assert result.exit_code == 0, result.output
    for part in ("store", "schema", "embeddings", "index", "lexical", "generation", "temp files", "marker"):
        assert any(line.startswith(part) and " ok " in line for line in result.stdout.splitlines()), part
    assert result.stdout.rstrip().endswith("healthy")
    data = json.loads(run("check", "--json").stdout)
    assert data["healthy"] is True and {c["part"] for c in data["checks"]} >= {"index", "lexical", "generation"}


def _break(data: Path, fault: str) -> None:
    bm25 = data / "bm25"
    if fault == "lexical pointer garbage":
        (bm25 / POINTER).write_text("{not json")
    elif fault == "lexical indices corrupt":
        import numpy as np

        version = bm25 / read_pointer(bm25)[0]["version"]
        indices = np.load(version / "indices.csc.index.npy")
        np.save(version / "indices.csc.index.npy", indices + 100)
    elif fault == "bm25 is a file":
        shutil.rmtree(bm25)
        bm25.write_text("x")
    elif fault == "sidecar not an object":
        (data / "passages.faiss.json").write_text('"flat"')
    elif fault == "index missing":
        (data / "passages.faiss").unlink()
    elif fault == "index of another model":
        meta = json.loads((data / "passages.faiss.json").read_text())
        (data / "passages.faiss.json").write_text(json.dumps({**meta, "model": "another-model"}))
    elif fault == "index from another generation":
        meta = json.loads((data / "passages.faiss.json").read_text())
        (data / "passages.faiss.json").write_text(json.dumps({**meta, "generation": "0"}))
    elif fault == "stray temp files":
        (data / "passages.faiss.abc123.tmp").write_bytes(b"half")
        (bm25 / "g9-0badc0de.x1.tmp").mkdir()
        export = data / "models" / "all-MiniLM-L6-v2-onnx-int8.tmp-k1ll3d"  # a killed export
        export.mkdir(parents=True)
        (export / "model.onnx").write_bytes(b"half")
        os.utime(export, (time.time() - 7200, time.time() - 7200))
    elif fault == "marker missing":
        (data / "coverage.store.json").unlink()
    elif fault == "embeddings of another model":
        with sqlite3.connect(data / "coverage.sqlite3") as db:
            db.execute("UPDATE meta SET value = 'another-model' WHERE key = 'vector_model'")


@pytest.mark.parametrize(
    ("fault", "part"),
    [
        ("lexical pointer garbage", "lexical"),
        ("lexical indices corrupt", "lexical"),
        ("bm25 is a file", "lexical"),
        ("sidecar not an object", "index"),
        ("index missing", "index"),
        ("index of another model", "index"),
        ("index from another generation", "generation"),
        ("stray temp files", "temp files"),
        ("marker missing", "marker"),
        ("embeddings of another model", "embeddings"),
    ],
)
def test_check_names_each_derived_fault_writes_nothing_and_repair_fixes_it(run, seeded: Path, fault: str, part: str):
    _break(seeded, fault)
    before = files(seeded)
    result = run("check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [c["part"] for c in report["checks"] if not c["ok"]][:1] == [part], report
    assert files(seeded) == before  # read-only
    repaired = run("check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: " in repaired.stdout and repaired.stdout.rstrip().endswith("healthy")
    assert not list((seeded / "models").glob("*.tmp-*"))
    answer = json.loads(run("ask", "How many soldiers did Russia lose?", "--json").stdout)
    assert answer["passages"][0]["paragraph"] == 3


def test_check_names_a_newer_schema_and_repair_leaves_the_store_alone(run, seeded: Path):
    with sqlite3.connect(seeded / "coverage.sqlite3") as db:
        db.execute("PRAGMA user_version = 99")
    result = run("check")
    assert result.exit_code == 1 and "newer than this coverage-bot knows" in result.stdout
    assert "nothing" in run("check", "--repair").stdout


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_store_is_one_line_exit_2_and_init_starts_over(run, seeded: Path, how: str):
    db = seeded / "coverage.sqlite3"
    db.unlink() if how == "deleted" else db.write_bytes(b"")
    index = (seeded / "passages.faiss").read_bytes()
    result = run("ask", "How many soldiers did Russia lose?")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert str(db) in line and "backup" in line and "coverage-bot init" in line
    assert (seeded / "passages.faiss").read_bytes() == index
    check = run("check")
    assert check.exit_code == 1 and "coverage-bot init" in check.stdout
    assert "nothing" in run("check", "--repair").stdout
    made = run("init")
    assert made.exit_code == 0 and "Made a new store" in made.stdout
    assert run("check").exit_code == 0
    again = run("init")
    assert again.exit_code == 2 and "already exists" in one_error_line(again)


@pytest.mark.parametrize("how", ["truncated", "not a database"])
def test_a_damaged_store_is_one_line_and_exit_2(run, seeded: Path, how: str):
    db = seeded / "coverage.sqlite3"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2] if how == "truncated" else b"plain text " * 50)
    for command in (["stats"], ["ask", "anything"], ["ingest", "nothing.md"]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert "restore it from a backup" in one_error_line(result)
    check = run("check")
    assert check.exit_code == 1 and "PROBLEM" in check.stdout.splitlines()[2]


def test_a_damaged_page_found_by_a_query_is_one_line(run, seeded: Path):
    """A file whole in length whose pages are garbage: the thorough check reads every page."""
    db = seeded / "coverage.sqlite3"
    data = bytearray(db.read_bytes())
    data[4096 * 2 :] = b"\x5a" * (len(data) - 4096 * 2)
    db.write_bytes(bytes(data))
    check = run("check")
    assert check.exit_code == 1 and "store" in check.stdout.splitlines()[2]
    result = run("articles")
    assert result.exit_code == 2
    # Found when opening (a migration reads the page) or by the query: either way one line saying what to do.
    line = one_error_line(result)
    assert "coverage-bot check" in line or "restore it from a backup" in line
