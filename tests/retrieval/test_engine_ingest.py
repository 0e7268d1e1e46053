"""Bulk ingest in batches: each batch whole on disk, a killed run keeps what it finished, and a
re-run encodes only what is left."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from retrieval import Engine
from retrieval.health import inspect

ROOT = Path(__file__).resolve().parents[2]


def write_articles(folder: Path, n: int, paragraphs: int = 4) -> None:
    folder.mkdir()
    for i in range(n):
        body = "\n\n".join(
            f"Harbour bulletin {i}, item {j}: the ferry {i * 10 + j} carried {i * 7 + j} passengers to pier {j}."
            for j in range(paragraphs)
        )
        front = f'---\ntitle: "Harbour bulletin {i}"\noutlet: "Port Log"\npublished: 2025-03-{1 + i % 28:02d}\n---\n'
        (folder / f"bulletin-{i:03}.md").write_text(front + "\n" + body + "\n")


def articles_in(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def test_a_killed_bulk_ingest_keeps_finished_batches_and_a_rerun_encodes_only_the_rest(
    settings, encoder, engine: Engine, tmp_path: Path, monkeypatch
):
    engine.close()
    folder = tmp_path / "bulletins"
    write_articles(folder, 60)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COVERAGE_BOT_INGEST_BATCH": "4"}  # one article a batch
    command = [sys.executable, "-m", "coverage_cli", "--data-dir", str(settings.data_dir), "-q", "ingest", str(folder)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while articles_in(settings.db_path) < 1 + 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = articles_in(settings.db_path) - 1  # the seed aside
    assert 3 <= kept < 60, f"the ingest was not killed part-way ({kept} kept)"

    encoded: list[str] = []
    real_encode = encoder.encode
    monkeypatch.setattr(encoder, "encode", lambda texts, **kw: encoded.extend(texts) or real_encode(texts, **kw))
    resumed = Engine.open(settings, encoder=encoder)
    report = resumed.ingest([str(folder)])
    assert report.count("unchanged") == kept and report.count("added") == 60 - kept
    assert len(encoded) == 2 * 4 * (60 - kept)  # each new passage twice (with headline, alone); nothing held
    assert resumed.stats()["indexed"] == 10 + 4 * 60
    assert not list(settings.data_dir.rglob("*.tmp"))
    assert resumed.check().healthy
    resumed.close()


def test_after_every_batch_the_folder_on_disk_is_whole(settings, encoder, engine: Engine, tmp_path: Path, monkeypatch):
    folder = tmp_path / "bulletins"
    write_articles(folder, 6, paragraphs=3)
    states: list[tuple[int, bool]] = []
    real_commit = Engine._commit

    def commit_then_look(self, *args, **kwargs):
        outcomes = real_commit(self, *args, **kwargs)
        health = inspect(self.settings, self.vector_key, thorough=False)
        states.append((self.store.counts()["articles"], health.healthy))
        return outcomes

    monkeypatch.setattr(Engine, "_commit", commit_then_look)
    small = Engine.open(settings.with_(ingest_batch=6), encoder=encoder)  # two articles a batch
    report = small.ingest([str(folder)])
    assert report.count("added") == 6
    assert states == [(3, True), (5, True), (7, True)]
    small.close()


def test_progress_runs_across_batches(settings, encoder, engine: Engine, tmp_path: Path, capsys):
    folder = tmp_path / "bulletins"
    write_articles(folder, 20)
    small = Engine.open(settings.with_(ingest_batch=8), encoder=encoder)
    small.ingest([str(folder)], progress=True)
    err = capsys.readouterr().err
    assert "Embedding" in err and "80/80" in err and "20 articles saved" in err
    small.close()
