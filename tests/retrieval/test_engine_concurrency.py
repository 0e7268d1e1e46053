"""Several engines (threads, processes) on one data folder: a long-running reader never ends
behind the store while believing it is current, and nobody saves an index without the lock."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from retrieval import Engine
from retrieval.index import VectorIndex
from retrieval.lexical import LexicalIndex
from retrieval.store import Store
from tests.conftest import DATA

BRIDGE = "What budget did the council approve for the bridge?"
SOLDIERS = "How many soldiers did Russia lose, according to Trump?"
STORM = "How many homes lost electricity in the storm?"


def in_step(engine: Engine) -> bool:
    stats = engine.stats()
    return stats["indexed"] == stats["passages"] and np.array_equal(engine._index.ids(), engine.store.passage_ids())


def test_a_change_landing_while_a_reader_loads_is_never_skipped(settings, encoder, engine: Engine, monkeypatch):
    """The reader loads the index files, then a writer commits, then the reader reads the
    generation: it must not record the new generation for the old index."""
    writer = Engine.open(settings, encoder=encoder)
    writer.ingest([str(DATA / "bridge.md")])  # the reader must reload...
    real_load = VectorIndex.load
    armed = {"left": 1}

    def load_then_let_the_writer_commit(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        if armed["left"]:
            armed["left"] -= 1
            writer.ingest([str(DATA / "storm.html")])  # ...and this lands in the middle of it
        return loaded

    monkeypatch.setattr(VectorIndex, "load", staticmethod(load_then_let_the_writer_commit))
    engine.stats()
    assert armed["left"] == 0  # the writer did commit during the reader's load
    monkeypatch.setattr(VectorIndex, "load", staticmethod(real_load))
    assert in_step(engine)  # the next look at the store catches the change it had not seen
    assert "20,000 homes" in engine.ask(STORM).hits[0].passage.text
    writer.close()


def _lock_is_free(data: Path) -> bool:
    with open(data / ".write.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def test_readers_rebuild_and_save_only_under_the_write_lock(settings, encoder, engine: Engine, monkeypatch, tmp_path):
    """A reader that finds stale index files (left by a killed writer) rebuilds them; whatever
    it saves, it saves holding the cross-process write lock."""
    stale = tmp_path / "stale"
    stale.mkdir()
    for name in ("passages.faiss", "passages.faiss.json"):
        shutil.copy(settings.data_dir / name, stale / name)
    engine.ingest([str(DATA / "bridge.md")])
    engine.close()
    for name in ("passages.faiss", "passages.faiss.json"):
        shutil.copy(stale / name, settings.data_dir / name)
    shutil.rmtree(settings.data_dir / "bm25", ignore_errors=True)
    unlocked: list[str] = []
    real_index_save, real_lexical_save = VectorIndex.save, LexicalIndex.save

    def index_save(self, *args, **kwargs):
        if _lock_is_free(settings.data_dir):
            unlocked.append("passages.faiss")
        return real_index_save(self, *args, **kwargs)

    def lexical_save(self, *args, **kwargs):
        if _lock_is_free(settings.data_dir):
            unlocked.append("bm25")
        return real_lexical_save(self, *args, **kwargs)

    monkeypatch.setattr(VectorIndex, "save", index_save)
    monkeypatch.setattr(LexicalIndex, "save", lexical_save)
    reader = Engine.open(settings, encoder=encoder)
    assert "$148 million" in reader.ask(BRIDGE).hits[0].passage.text
    assert in_step(reader)
    assert unlocked == []
    assert any("rebuilt the index" in e for e in reader.events) and any("lexical" in e for e in reader.events)
    reader.close()


def test_four_ask_processes_starting_together_after_a_change_all_answer(settings, encoder, engine: Engine):
    """The lexical index is out of step (as a writer killed after committing leaves it): four
    processes start at once, each finds it stale, one rebuilds it, none fails."""
    assert engine.ask(BRIDGE).answered is False  # BM25 saved for the store as it is now
    engine.ingest([str(DATA / "bridge.md")])
    engine.close()
    (settings.data_dir / "bm25" / "CURRENT").unlink(missing_ok=True)  # the change's BM25 never got saved
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    command = [
        sys.executable,
        "-m",
        "coverage_cli",
        "--data-dir",
        str(settings.data_dir),
        "-q",
        "ask",
        BRIDGE,
        "--json",
    ]
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err[-2000:]
        assert "$148 million" in json.loads(out)["passages"][0]["text"]
    rebuilt = sum("rebuilt the lexical index" in err for _, _, err in results)
    assert rebuilt == 1  # the others waited for the lock and found it rebuilt


@pytest.mark.parametrize("change", ["add", "remove", "edit"])
def test_a_long_running_reader_follows_every_change_of_another_process(settings, encoder, engine: Engine, change):
    other = Engine.open(settings, encoder=encoder)
    if change == "add":
        other.ingest([str(DATA / "bridge.md")])
        assert "$148 million" in engine.ask(BRIDGE).hits[0].passage.text
    elif change == "remove":
        [seed] = other.articles(["global"])
        other.remove(seed.id)
        assert not engine.ask("How many soldiers did Russia lose?").answered
    else:
        [seed] = other.articles(["global"])
        other.edit(seed.id, {"author": "A. N. Other"})
        assert engine.ask("How many soldiers did Russia lose?").hits[0].article.author == "A. N. Other"
    assert in_step(engine)
    other.close()


def test_a_reader_answers_from_its_indexes_while_another_process_holds_the_lock(settings, engine: Engine):
    """Between a writer's commit and its saving BM25, the files are behind the store: a reader
    that has indexes keeps answering (removed passages filtered out) instead of waiting."""
    engine.ingest([str(DATA / "bridge.md")])
    [seed] = [a for a in engine.articles(["global"]) if a.outlet == "Caliber.Az"]
    with open(settings.data_dir / ".write.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the other process's change, committed, BM25 not yet saved:
        store = Store(settings.db_path)
        with store.transaction():
            store.delete_article(seed.id)
            generation = str(int(store.get_meta("generation")) + 1)
            store.set_meta("generation", generation)
            store.set_meta("vectors_generation", generation)
        store.close()
        answers: dict = {}
        reader = threading.Thread(
            target=lambda: answers.update(soldiers=engine.ask(SOLDIERS), bridge=engine.ask(BRIDGE))
        )
        reader.start()
        reader.join(timeout=20)
        waited = reader.is_alive()
        fcntl.flock(held, fcntl.LOCK_UN)
    reader.join()
    assert not waited
    assert not answers["soldiers"].answered  # the removal shows at once
    assert "$148 million" in answers["bridge"].hits[0].passage.text
    assert in_step(engine)  # once the lock is free, the reader catches up
