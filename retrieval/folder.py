"""The data folder: which files in it are ours, what they say about its past, and the lock
that lets one process at a time change it.

    coverage.sqlite3        the store, the one source of truth (back this up)
    coverage.store.json     written with a new store: this folder has held one
    passages.faiss(.json)   the vector index and its sidecar (derived: rebuilt from the store)
    bm25/                   the lexical index (derived): versions and a CURRENT pointer
    models/                 the ONNX export of the model (derived)
    bot.sqlite3             the Discord bot's settings
    .write.lock             the cross-process write lock

A store that is missing or empty in a folder holding any of the others was lost, not never
made: `open_store` refuses it rather than seed a new one over its index.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import lexical
from .errors import StoreExists, StoreMissing, StoreReadOnly
from .files import atomic_write_text, remove, temp_pattern
from .onnx_encoder import stray_exports
from .settings import Settings
from .store import Store, is_blank

log = logging.getLogger(__name__)

MARKER = "coverage.store.json"
LOCK = ".write.lock"
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}


class WriteLock:
    """An exclusive `flock` on the data folder's lock file, re-entrant within the process (a
    second `flock` from the same process on a new descriptor would wait for itself)."""

    def __init__(self, path: Path):
        self.path = path
        self._thread = threading.RLock()
        self._depth = 0
        self._handle = None

    def acquire(self, blocking: bool = True) -> bool:
        if not self._thread.acquire(blocking=blocking):
            return False
        if self._depth == 0:
            try:
                handle = open(self.path, "a")  # noqa: SIM115 - held open while the lock is
            except OSError as err:
                self._thread.release()
                if err.errno in _READ_ONLY:
                    raise StoreReadOnly(
                        f"the data folder {self.path.parent} cannot be written ({err.strerror}); "
                        "this command changes it: run it where the folder can be written"
                    ) from None
                raise
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                handle.close()
                self._thread.release()
                return False
            self._handle = handle
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
        self._thread.release()

    @contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    @property
    def mine(self) -> bool:
        """Does this process hold it (from any thread)?"""
        return self._depth > 0


class DataFolder:
    """Paths and states of the files in one data folder."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path = settings.data_dir
        self.db = settings.db_path
        self.index = settings.index_path
        self.index_meta = settings.index_meta_path
        self.bm25 = self.path / "bm25"
        self.marker = self.path / MARKER
        self.lock = WriteLock(self.path / LOCK)

    def writable(self) -> bool:
        """Can this process write here? (Asked of the file system: permission bits do not
        tell for root, read-only mounts or ACLs.)"""
        try:
            with open(self.lock.path, "a"):
                return True
        except OSError:
            return False

    def traces(self) -> list[str]:
        """The entries that show a store was made here: derived files only exist beside one."""
        names = [MARKER, self.index.name, self.index_meta.name, "bm25", "models", "bot.sqlite3", f"{self.db.name}-wal"]
        return [n for n in names if (self.path / n).exists()]

    def stray(self) -> list[Path]:
        """Temporary files and old versions a killed writer may leave; safe to remove only
        under the write lock (a live writer's files look the same)."""
        found: list[Path] = []
        for path in (self.index, self.index_meta, self.marker):
            found += self.path.glob(temp_pattern(path))
        found += [p for p in (self.path / "bm25.old",) if p.exists()]
        found += self.path.glob("bm25.tmp-*")  # the old swap's leftovers
        found += lexical.stray_entries(self.bm25)
        found += stray_exports(self.path / "models")
        return sorted(set(found))

    def clean(self) -> list[Path]:
        """Remove stray files; call under the write lock."""
        stray = self.stray()
        for path in stray:
            remove(path)
        if stray:
            log.info("removed %d stray file(s): %s", len(stray), ", ".join(p.name for p in stray))
        return stray

    def read_marker(self) -> dict | None:
        try:
            marker = json.loads(self.marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return marker if isinstance(marker, dict) else None

    def write_marker(self, store_id: str) -> None:
        marker = {
            "store_id": store_id,
            "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "note": "This folder holds a coverage-bot store; see docs/operations.md before deleting anything.",
        }
        atomic_write_text(self.marker, json.dumps(marker, indent=1) + "\n")


def missing_message(folder: DataFolder) -> str:
    state = "missing" if not folder.db.exists() else "empty"
    traces = ", ".join(folder.traces())
    return (
        f"the store {folder.db} is {state}, but this data folder held one ({traces}); restore "
        f"{folder.db.name} from your backup, or run `coverage-bot init` to start a new, empty store here"
    )


def open_store(folder: DataFolder, new: bool = False) -> Store:
    """The folder's store, made if this is its first start (or `new` asks for one).

    A lost store (missing or empty beside the files that only exist with one) is never replaced
    silently: `StoreMissing` says what to do and nothing is written."""
    blank = is_blank(folder.db)
    if blank and not new and folder.traces():
        raise StoreMissing(missing_message(folder))
    if not blank and new:
        raise StoreExists(
            f"a store already exists at {folder.db}; `init` only makes a new one where there is none "
            "(move the data folder away first to start over)"
        )
    if blank:
        # An empty file, and what a lost predecessor left: SQLite would replay a stray -wal into
        # the new store.
        try:
            for suffix in ("", "-wal", "-shm"):
                folder.db.with_name(folder.db.name + suffix).unlink(missing_ok=True)
        except OSError as err:
            raise StoreReadOnly(f"cannot make a store in {folder.path} ({err.strerror})") from None
    if not folder.path.exists():
        try:
            folder.path.mkdir(parents=True)
        except OSError as err:
            raise StoreReadOnly(f"cannot make the data folder {folder.path} ({err.strerror})") from None
    store = Store(folder.db)
    if not store.read_only:
        mark(folder, store, replace=new)
    return store


def mark(folder: DataFolder, store: Store, replace: bool = False) -> None:
    """Give the store an id and write the marker if either is missing (stores made before the
    marker existed get theirs at their next start); `replace` writes it for a new store."""
    store_id = store.get_meta("store_id")
    if store_id is None:
        store_id = uuid.uuid4().hex
        with store.transaction():
            store.set_meta("store_id", store_id)
    if replace or folder.read_marker() is None:
        try:
            folder.write_marker(store_id)
        except OSError as err:
            log.warning("cannot write %s: %s", folder.marker, err)
