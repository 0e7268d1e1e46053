"""The data folder's past: a lost store is refused (never replaced by seeds over its index), a
new store is made only on a first start or by `init`, and a killed writer's files are removed."""

from __future__ import annotations

import fcntl
import sqlite3
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.errors import StoreExists, StoreMissing
from retrieval.folder import MARKER, DataFolder
from retrieval.store import Store
from tests.conftest import DATA


def snapshot(data: Path) -> dict[str, bytes]:
    """Every file's bytes, to show nothing was written."""
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}


def lose(db: Path, how: str) -> None:
    if how == "deleted":
        db.unlink()
    elif how == "emptied":
        db.write_bytes(b"")
    elif how == "replaced by a blank database":
        db.unlink()
        blank = sqlite3.connect(db)
        blank.executescript("CREATE TABLE t(x); DROP TABLE t;")  # a whole SQLite file, no tables
        blank.close()
        assert db.stat().st_size > 0


@pytest.mark.parametrize("how", ["deleted", "emptied", "replaced by a blank database"])
def test_a_lost_store_is_refused_and_nothing_is_overwritten(settings, encoder, engine: Engine, how: str):
    engine.ingest([str(DATA / "bridge.md")])
    assert engine.stats()["indexed"] == 13
    engine.close()
    lose(settings.db_path, how)
    before = snapshot(settings.data_dir)
    with pytest.raises(StoreMissing) as err:
        Engine.open(settings, encoder=encoder)
    message = str(err.value)
    assert str(settings.db_path) in message and "coverage-bot init" in message and "backup" in message
    assert snapshot(settings.data_dir) == before  # the 13-vector index is still there, untouched


def test_init_makes_a_new_store_where_one_was_lost(settings, encoder, engine: Engine):
    engine.ingest([str(DATA / "bridge.md")])
    old_id = DataFolder(settings).read_marker()["store_id"]
    engine.close()
    settings.db_path.unlink()
    fresh = Engine.init(settings, encoder=encoder)
    assert fresh.stats()["articles"] == 1 and fresh.stats()["indexed"] == 10  # the seeds, re-indexed
    assert DataFolder(settings).read_marker()["store_id"] == fresh.store.get_meta("store_id") != old_id
    assert fresh.check().healthy
    fresh.close()
    assert Engine.open(settings, encoder=encoder).events == []  # and it opens as any store does


def test_init_without_seeds_and_refusing_an_existing_store(settings, encoder, engine: Engine):
    engine.close()
    with pytest.raises(StoreExists, match="already exists"):
        Engine.init(settings, encoder=encoder)
    settings.db_path.unlink()
    empty = Engine.init(settings, encoder=encoder, seeds=False)
    assert empty.stats()["articles"] == 0 and empty.stats()["indexed"] == 0
    empty.close()


def test_a_folder_that_never_held_a_store_is_a_first_start(settings, encoder):
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "notes.txt").write_text("mine")
    settings.db_path.write_bytes(b"")  # an empty file is not a lost store when nothing else is here
    engine = Engine.open(settings, encoder=encoder)
    assert engine.stats()["articles"] == 1 and (settings.data_dir / MARKER).exists()
    engine.close()


def test_a_first_start_killed_while_seeding_continues_it(settings, encoder):
    Store(settings.db_path).close()  # the store was made, the seeds not yet added
    engine = Engine.open(settings, encoder=encoder)
    assert engine.stats()["articles"] == 1
    engine.close()


def test_a_store_from_before_the_marker_gets_one(settings, encoder, engine: Engine):
    engine.close()
    (settings.data_dir / MARKER).unlink()
    Engine.open(settings, encoder=encoder).close()
    assert DataFolder(settings).read_marker()["store_id"]


def test_stray_temporary_files_are_removed_at_open_unless_a_writer_is_at_work(settings, encoder, engine: Engine):
    engine.close()
    data = settings.data_dir
    strays = [
        data / "passages.faiss.k2j3h4.tmp",
        data / "passages.faiss.json.a8s7d6.tmp",
        data / "bm25.tmp-x1y2z3",
        data / "bm25" / "g7-0123abcd.q1w2.tmp",
        data / "bm25" / "CURRENT.r4t5.tmp",
    ]
    for path in strays:
        path.mkdir() if "bm25.tmp" in path.name or path.name.endswith(".q1w2.tmp") else path.write_text("x")
    with open(data / ".write.lock", "a") as held:  # another process is writing: its files look the same
        fcntl.flock(held, fcntl.LOCK_EX)
        Engine.open(settings, encoder=encoder).close()
        assert all(p.exists() for p in strays)
        fcntl.flock(held, fcntl.LOCK_UN)
    reopened = Engine.open(settings, encoder=encoder)
    assert not any(p.exists() for p in strays)
    assert any("removed 5 stray file(s)" in e for e in reopened.events), reopened.events
    reopened.close()
