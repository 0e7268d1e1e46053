"""The BM25 index's files: the versioned save, every state a killed writer can leave, and
corrupt files, each found and repaired by the next open instead of ending every answer."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from retrieval import Engine
from retrieval.lexical import POINTER, LexicalIndex, read_pointer, stray_entries
from tests.conftest import DATA

SOLDIERS = "How many soldiers did Russia lose, according to Trump?"
BRIDGE = "What budget did the council approve for the bridge?"


def version_of(folder: Path) -> Path:
    pointer, why = read_pointer(folder)
    assert pointer, why
    return folder / pointer["version"]


def test_save_then_load_round_trips_and_keeps_one_version(tmp_path: Path):
    folder = tmp_path / "bm25"
    first = LexicalIndex.build(np.array([1, 2, 3]), ["the ferry sails", "the bridge opens", "a storm"])
    first.save(folder, "4")
    second = LexicalIndex.build(np.array([1, 2]), ["the ferry sails", "the bridge opens"])
    second.save(folder, "5")
    loaded, why = LexicalIndex.load(folder)
    assert why == "" and loaded.size == 2 and loaded.generation == "5"
    assert loaded.search(["bridg"], 3)[1].tolist() == [2]
    assert sorted(p.name for p in folder.iterdir()) == sorted([POINTER, loaded.version])  # the old one is gone


def test_the_old_swap_left_bm25_and_bm25_old_and_the_next_change_still_answers(settings, encoder, engine: Engine):
    """A process killed after moving `bm25` to `bm25.old` and the new folder in, before removing
    `bm25.old`: the old code then failed every save with "Directory not empty", forever."""
    engine.close()
    data = settings.data_dir
    shutil.rmtree(data / "bm25")
    (data / "bm25").mkdir()
    (data / "bm25" / "generation.json").write_text('{"generation": "1", "format": 1}')
    (data / "bm25.old").mkdir()
    (data / "bm25.old" / "params.index.json").write_text("{}")
    (data / "bm25.tmp-abc123").mkdir()
    reopened = Engine.open(settings, encoder=encoder)
    reopened.ingest([str(DATA / "bridge.md")])  # a change: BM25 is saved again
    assert "$148 million" in reopened.ask(BRIDGE).hits[0].passage.text
    assert reopened.ask(SOLDIERS).hits[0].passage.ordinal == 3
    assert not (data / "bm25.old").exists() and not (data / "bm25.tmp-abc123").exists()
    assert reopened.check().healthy
    reopened.close()


def _crash_states(folder: Path, state: str) -> None:
    """Make, by hand, the exact files a writer killed at one step of `LexicalIndex.save` leaves."""
    current = version_of(folder)
    if state == "half-written version":
        half = folder / "g9-0badc0de.x1y2.tmp"
        half.mkdir()
        (half / "params.index.json").write_text('{"k1": 1.5')
    elif state == "whole version, pointer not yet replaced":
        shutil.copytree(current, folder / "g9-0badc0de")
    elif state == "pointer replaced, old version not yet removed":
        shutil.copytree(current, folder / "g9-0badc0de")
        (folder / POINTER).write_text(json.dumps({**read_pointer(folder)[0], "version": "g9-0badc0de"}))
    elif state == "pointer's temporary file":
        (folder / f"{POINTER}.abcd.tmp").write_text('{"version": "g9')
    elif state == "pointer missing":
        (folder / POINTER).unlink()
    elif state == "pointer is garbage":
        (folder / POINTER).write_bytes(b"\x00\xff not json")
    elif state == "pointer names a missing version":
        (folder / POINTER).write_text(json.dumps({**read_pointer(folder)[0], "version": "g9-deadbeef"}))


@pytest.mark.parametrize(
    "state",
    [
        "half-written version",
        "whole version, pointer not yet replaced",
        "pointer replaced, old version not yet removed",
        "pointer's temporary file",
        "pointer missing",
        "pointer is garbage",
        "pointer names a missing version",
    ],
)
def test_every_state_a_killed_save_leaves_is_repaired_by_the_next_open(settings, encoder, engine: Engine, state):
    engine.close()
    _crash_states(settings.data_dir / "bm25", state)
    reopened = Engine.open(settings, encoder=encoder)
    assert reopened.ask("800000").hits[0].passage.ordinal == 3  # a lexical-only match
    health = reopened.check()
    assert health.healthy, health.summary()
    assert stray_entries(settings.data_dir / "bm25") == []
    reopened.close()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("indices past the passages", "point past its passages"),
        ("indptr cut short", "do not agree in length"),
        ("vocabulary beyond the columns", "vocabulary"),
        ("ids of another store", "passage ids differ"),
        ("garbage bytes", "cannot be read"),
        ("version is a file", "cannot be read"),
        ("bm25 is a file", "is a file, not a folder"),
    ],
)
def test_corrupt_files_are_found_and_rebuilt_instead_of_ending_every_answer(
    settings, encoder, engine: Engine, damage: str, reason: str
):
    engine.close()
    folder = settings.data_dir / "bm25"
    version = version_of(folder)
    if damage == "indices past the passages":
        indices = np.load(version / "indices.csc.index.npy")
        np.save(version / "indices.csc.index.npy", np.full_like(indices, 10**6))
    elif damage == "indptr cut short":
        np.save(version / "indptr.csc.index.npy", np.load(version / "indptr.csc.index.npy")[:3])
    elif damage == "vocabulary beyond the columns":
        vocab = json.loads((version / "vocab.index.json").read_text())
        (version / "vocab.index.json").write_text(json.dumps({k: v + 10_000 for k, v in vocab.items()}))
    elif damage == "ids of another store":
        np.save(version / "passage_ids.npy", np.load(version / "passage_ids.npy") + 1000)
    elif damage == "garbage bytes":
        (version / "data.csc.index.npy").write_bytes(os.urandom(64))
    elif damage == "version is a file":
        shutil.rmtree(version)
        version.write_text("not a folder")
    elif damage == "bm25 is a file":
        shutil.rmtree(folder)
        folder.write_text("not a folder")
    reopened = Engine.open(settings, encoder=encoder)
    assert any("lexical index" in e and reason in e for e in reopened.events), reopened.events
    assert reopened.ask("800000").hits[0].passage.ordinal == 3
    assert reopened.ask(SOLDIERS).answered
    assert reopened.check().healthy
    reopened.close()


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from retrieval import Engine, Settings, lexical
    from retrieval.parse import from_fields

    data, step = Path(sys.argv[1]), sys.argv[2]
    engine = Engine.open(Settings.from_env(None, data_dir=data))

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if step == "writing the version":
        lexical.fsync_tree = die  # the version's files are written, not yet renamed
    elif step == "before the pointer":
        lexical.atomic_write_text = die
    elif step == "before removing the old version":
        lexical.remove = die
    elif step == "between the index and its sidecar":
        import retrieval.index as index
        index.atomic_write_text = die
    engine.add([from_fields("Ferry log", "The ferry number 12 carried 84 passengers.", outlet="Port Log")])
    print("not killed")
    """
)


@pytest.mark.parametrize(
    "step",
    [
        "writing the version",
        "before the pointer",
        "before removing the old version",
        "between the index and its sidecar",
    ],
)
def test_a_writer_killed_mid_save_leaves_a_folder_the_next_open_repairs(settings, encoder, engine: Engine, step):
    engine.close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(settings.data_dir), step], env=env, capture_output=True, text=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    reopened = Engine.open(settings, encoder=encoder)
    assert reopened.ask("800000").hits[0].passage.ordinal == 3
    # BM25 is saved after the store commits; the vector index before, so a kill there loses the change.
    committed = step != "between the index and its sidecar"
    assert reopened.ask("How many passengers did ferry number 12 carry?").answered is committed
    assert reopened.stats()["articles"] == 1 + committed
    health = reopened.check()
    assert health.healthy, health.summary()
    reopened.close()
