"""`coverage-bot check`: the data folder verified part by part against the store, read-only.

One finding per part: the store file (whole, readable, schema version), the stored embeddings
(model, dimension), the vector index and BM25 (ids, counts, model, kind, sidecar), the
generation they were written at, stray temporary files and the marker. What is derived from the
store can be rebuilt (`check --repair`, or any start of the engine); the store itself can only
be restored from a backup, so for it the finding says how.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import StoreError
from .folder import DataFolder
from .index import VectorIndex, wanted_kind
from .lexical import LexicalIndex
from .settings import Settings
from .store import MIGRATIONS, Snapshot, Store, check_file

REPAIR = "`coverage-bot check --repair` rebuilds it from the store (so does the next start)"
RESTORE = "restore coverage.sqlite3 from your backup (docs/operations.md)"


@dataclass
class Finding:
    part: str
    ok: bool
    detail: str
    fix: str = ""  # what to do about a problem
    derived: bool = False  # rebuilt from the store by `--repair`


@dataclass
class Health:
    data_dir: Path
    findings: list[Finding]
    repaired: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    @property
    def repairable(self) -> bool:
        """Every problem is in a derived part (the store itself is readable)."""
        return bool(self.problems) and all(f.derived for f in self.problems)

    def summary(self) -> str:
        if self.healthy:
            return "healthy"
        return "problems: " + "; ".join(f"{f.part}: {f.detail}" for f in self.problems)

    def to_json(self) -> dict:
        return {
            "data_dir": str(self.data_dir),
            "healthy": self.healthy,
            "checks": [asdict(f) for f in self.findings],
            "repaired": self.repaired,
        }


def inspect(settings: Settings, model_key: str, thorough: bool = True) -> Health:
    """Every part of the data folder, checked without writing anything. `thorough` also reads
    every page of the store and every stored vector (seconds on a large store)."""
    folder = DataFolder(settings)
    health = Health(folder.path.resolve(), [])
    store, finding = _open(folder, thorough)
    health.findings.append(finding)
    if store is None:
        health.findings += [_stray(folder), _marker(folder, None)]
        return health
    try:
        snap = store.snapshot()
        health.findings += [
            _schema(store),
            _embeddings(store, snap, model_key, thorough),
            _vector_index(settings, snap, model_key),
            _lexical(folder, snap),
            _generation(settings, folder, snap),
            _stray(folder),
            _marker(folder, store),
        ]
    except sqlite3.DatabaseError as err:
        health.findings[0] = Finding("store", False, f"{folder.db.name} cannot be read ({err})", RESTORE)
    finally:
        store.close()
    return health


def _open(folder: DataFolder, thorough: bool) -> tuple[Store | None, Finding]:
    db = folder.db
    if not db.exists() or (db.is_file() and db.stat().st_size == 0):
        state = "missing" if not db.exists() else "empty"
        if traces := folder.traces():
            fix = f"{RESTORE}, or run `coverage-bot init` to start a new, empty store"
            return None, Finding(
                "store", False, f"{db.name} is {state}, but this folder held one ({', '.join(traces)})", fix
            )
        return None, Finding(
            "store", False, f"no store yet in {folder.path}", "the first start (or `coverage-bot init`) makes one"
        )
    store = None
    try:
        check_file(db)
        store = Store(db, read_only=True)
        if not {"articles", "passages", "meta"} <= store.tables:
            store.close()
            return None, Finding("store", False, f"{db.name} is a SQLite file but not a coverage-bot store", RESTORE)
        if thorough and (result := store.quick_check()) != ["ok"]:
            store.close()
            return None, Finding("store", False, f"{db.name} is damaged: {'; '.join(result)}", RESTORE)
        counts = store.counts()
    except StoreError as err:
        return None, Finding("store", False, str(err), RESTORE)
    except sqlite3.DatabaseError as err:
        if store is not None:
            store.close()
        return None, Finding("store", False, f"{db.name} cannot be read ({err})", RESTORE)
    integrity = "every page read back" if thorough else "pages not read (quick check)"
    held = f"{_count(counts['articles'], 'article')}, {_count(counts['passages'], 'passage')}"
    detail = f"{db.name}: {held}, {_megabytes(db)} MB, {integrity}"
    return store, Finding("store", True, detail)


def _schema(store: Store) -> Finding:
    have, know = store.schema_version, len(MIGRATIONS)
    if have > know:
        return Finding(
            "schema", False, f"version {have}, newer than this coverage-bot knows ({know})", "upgrade coverage-bot"
        )
    if have < know:
        return Finding("schema", False, f"version {have} of {know}", "the next start upgrades it", derived=True)
    return Finding("schema", True, f"version {have}")


def _embeddings(store: Store, snap: Snapshot, model_key: str, thorough: bool) -> Finding:
    n = len(snap.ids)
    if n == 0:
        return Finding("embeddings", True, "none yet")
    if snap.vector_model != model_key:
        return Finding(
            "embeddings",
            False,
            f"made with {snap.vector_model!r}; the settings ask for {model_key!r}",
            "`coverage-bot check --repair` embeds every passage again with the model the settings name",
            derived=True,
        )
    dimension = snap.vector_dimension
    if dimension is None:
        return Finding(
            "embeddings", False, "the store does not record their dimension", "`coverage-bot reindex --reencode`"
        )
    if thorough:
        wrong = store.db.execute(
            "SELECT COUNT(*) FROM passages WHERE length(vector) != ?1 "
            "OR vector_alone IS NULL OR length(vector_alone) != ?1",
            (dimension * 4,),
        ).fetchone()[0]
        if wrong:
            return Finding(
                "embeddings",
                False,
                f"{wrong} of {n} passages do not have both vectors (with headline, alone) of {dimension} numbers",
                "`coverage-bot reindex --reencode`",
            )
    return Finding("embeddings", True, f"{n} vectors by {snap.vector_model}, {dimension} dimensions")


def _vector_index(settings: Settings, snap: Snapshot, model_key: str) -> Finding:
    n = len(snap.ids)
    if n == 0 and not settings.index_path.exists():
        return Finding("index", True, "none yet (made with the first article)")
    index, why = VectorIndex.load(settings.index_path, settings.index_meta_path, settings.nprobe)
    if index is not None:
        why = index.check(snap.ids, model_key, wanted_kind(settings.index, settings.ivf_threshold, n, index.kind))
        if not why and snap.vector_dimension and index.dimension != snap.vector_dimension:
            why = f"it has {index.dimension} dimensions and the stored vectors {snap.vector_dimension}"
    if why:
        return Finding("index", False, f"{settings.index_path.name}: {why}", REPAIR, derived=True)
    return Finding("index", True, f"{settings.index_path.name}: {index.description}, {index.size} vectors, ids match")


def _lexical(folder: DataFolder, snap: Snapshot) -> Finding:
    if len(snap.ids) == 0 and not folder.bm25.exists():
        return Finding("lexical", True, "none yet (made with the first article)")
    lexical, why = LexicalIndex.load(folder.bm25)
    if lexical is not None:
        why = lexical.check(snap.ids)
    if why:
        return Finding("lexical", False, f"{folder.bm25.name}/: {why}", REPAIR, derived=True)
    return Finding("lexical", True, f"{folder.bm25.name}/{lexical.version}: {lexical.size} passages, ids match")


def _generation(settings: Settings, folder: DataFolder, snap: Snapshot) -> Finding:
    """The store's generation and the ones the indexes were written at. The vector index must
    have been written after the vectors last changed (a re-encoding keeps the ids)."""
    vectors = snap.vectors_generation
    written = VectorIndex.saved_generation(settings.index_meta_path) if settings.index_meta_path.exists() else None
    lexical, _ = LexicalIndex.load(folder.bm25)
    detail = f"store {snap.generation or 0} (vectors changed at {vectors or 'unknown'}); index written at {written}"
    detail += f", BM25 at {lexical.generation if lexical else None}"
    if vectors is not None and written is not None and written != vectors and len(snap.ids):
        return Finding("generation", False, detail, REPAIR, derived=True)
    return Finding("generation", True, detail)


def _stray(folder: DataFolder) -> Finding:
    if not folder.path.is_dir():
        return Finding("temp files", True, "none")
    stray = folder.stray()
    if not stray:
        return Finding("temp files", True, "none")
    names = ", ".join(p.name for p in stray[:4]) + (f" and {len(stray) - 4} more" if len(stray) > 4 else "")
    if _writer_at_work(folder):
        return Finding("temp files", True, f"{len(stray)} ({names}); a change is in progress, so they may be its own")
    return Finding(
        "temp files",
        False,
        f"{len(stray)} left by a stopped writer: {names}",
        "`coverage-bot check --repair` removes them",
        derived=True,
    )


def _writer_at_work(folder: DataFolder) -> bool:
    """Is another process holding the write lock? (Opening the existing lock file writes nothing.)"""
    if not folder.lock.path.exists():
        return False
    try:
        if folder.lock.acquire(blocking=False):
            folder.lock.release()
            return False
    except (StoreError, OSError):
        return False
    return True


def _marker(folder: DataFolder, store: Store | None) -> Finding:
    marker = folder.read_marker()
    if marker is None and store is None and not folder.marker.exists():
        return Finding("marker", True, "none yet")
    if marker is None:
        exists = "cannot be read" if folder.marker.exists() else "is missing"
        return Finding(
            "marker",
            store is None,
            f"{folder.marker.name} {exists}",
            "`coverage-bot check --repair` writes it",
            derived=True,
        )
    store_id = store.get_meta("store_id") if store is not None else None
    if store_id and marker.get("store_id") != store_id:
        return Finding(
            "marker",
            True,
            f"{folder.marker.name} names store {marker.get('store_id')}, the store is {store_id} "
            "(restored from another folder?)",
        )
    return Finding("marker", True, f"{folder.marker.name}, store {store_id or marker.get('store_id')}")


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
