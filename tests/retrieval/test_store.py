"""Opening the store file: damaged files are named as such, a folder that cannot be written is
opened read-only, and a sidecar that is not what we wrote is rebuilt."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.errors import StoreDamaged
from retrieval.store import Store, check_file, is_blank

ROOT = Path(__file__).resolve().parents[2]


def damage(db: Path, how: str) -> None:
    data = db.read_bytes()
    if how == "truncated":
        db.write_bytes(data[: len(data) // 3])
    elif how == "not a database":
        db.write_text("These are my notes, saved over the store by mistake.\n" * 10)
    elif how == "a folder":
        db.unlink()
        db.mkdir()
    elif how == "a short header":
        db.write_bytes(data[:40])


@pytest.mark.parametrize("how", ["truncated", "not a database", "a folder", "a short header"])
def test_a_damaged_store_file_is_named_as_such(settings, engine: Engine, how: str):
    engine.close()
    damage(settings.db_path, how)
    with pytest.raises(StoreDamaged) as err:
        Store(settings.db_path)
    assert str(settings.db_path) in str(err.value) and "backup" in str(err.value)
    with pytest.raises(StoreDamaged):
        check_file(settings.db_path)


def test_blank_means_missing_empty_or_without_tables(tmp_path: Path):
    db = tmp_path / "coverage.sqlite3"
    assert is_blank(db)
    db.write_bytes(b"")
    assert is_blank(db)
    Store(db).close()
    assert not is_blank(db)


def test_a_sidecar_that_is_json_but_not_an_object_is_rebuilt(settings, encoder, engine: Engine):
    engine.close()
    settings.index_meta_path.write_text(json.dumps([384, "flat"]))
    reopened = Engine.open(settings, encoder=encoder)
    assert any("not a JSON object" in e for e in reopened.events)
    assert reopened.ask("How many soldiers did Russia lose?").hits[0].passage.ordinal == 3
    assert isinstance(json.loads(settings.index_meta_path.read_text()), dict)
    reopened.close()


def read_only_prefix() -> list[str]:
    """How to run a command that cannot write the test's files: as an ordinary user, chmod is
    enough; root ignores permissions unless it drops the capability that lets it."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv"):
        return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]
    pytest.skip("running as root without setpriv: a folder cannot be made read-only for this test")


@contextmanager
def read_only(folder: Path):
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
    for path, mode in modes.items():
        path.chmod(mode & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def cli(settings, *args: str) -> subprocess.CompletedProcess:
    command = [*read_only_prefix(), sys.executable, "-m", "coverage_cli", "--data-dir", str(settings.data_dir), "-q"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_read_only_data_folder_still_answers_and_refuses_changes_in_one_line(settings, engine: Engine):
    engine.close()
    shutil.rmtree(settings.data_dir / "bm25")  # stale derived files are rebuilt in memory, not saved
    before = sorted(p.name for p in settings.data_dir.iterdir())
    with read_only(settings.data_dir):
        stats = cli(settings, "stats", "--json")
        ask = cli(settings, "ask", "800000", "--json")
        remove = cli(settings, "remove", "1")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["passages"] == 10
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["passages"][0]["paragraph"] == 3
    assert "in memory only" in ask.stderr
    assert remove.returncode == 2 and "Traceback" not in remove.stderr
    [error] = [line for line in remove.stderr.splitlines() if line.startswith("error:")]
    assert "cannot be written" in error and str(settings.data_dir) in error
    assert sorted(p.name for p in settings.data_dir.iterdir()) == before
    assert sqlite3.connect(settings.db_path).execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
