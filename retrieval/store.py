"""The article store: SQLite in WAL mode, the one source of truth the index is checked against.

Passage ids come from AUTOINCREMENT, so an id is never reused: an index that holds exactly the
store's ids holds exactly its passages. Each passage keeps its embedding (float32) with the name
of the model that made it, so the index can be rebuilt without re-encoding.

Opening checks the file is whole before anything else (a truncated or overwritten file gets a
`StoreDamaged` that says so, never a traceback), and a folder that cannot be written is opened
read-only: questions still work, changes say why they cannot be made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
import struct
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import NotFound, StoreDamaged, StoreReadOnly
from .models import Article, Block, ParsedArticle, Passage

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    url TEXT,
    outlet TEXT,
    title TEXT NOT NULL,
    author TEXT,
    published TEXT,
    language TEXT,
    added_at TEXT NOT NULL,
    added_by TEXT,
    content_hash TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS articles_url ON articles(collection, url);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(collection, content_hash);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    UNIQUE(article_id, ordinal)
);
CREATE INDEX IF NOT EXISTS passages_hash ON passages(text_hash);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    article_id INTEGER,
    action TEXT NOT NULL,
    actor TEXT,
    at TEXT NOT NULL,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    question TEXT NOT NULL,
    answered INTEGER NOT NULL,
    asked_by TEXT,
    asked_at TEXT NOT NULL,
    passages TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    user TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (question_id, user)
);
"""

#: Schema changes after SCHEMA, in order; `PRAGMA user_version` is how many have run. Append
#: only: a store made by an older version runs the ones it lacks when it is opened.
MIGRATIONS: list[str] = [
    # 1: the typed article. Each passage keeps the section heading it sits under; every block
    # of the article (headings, captions, lists ...) is kept in order for showing it whole;
    # `source` is the file or address it was read from, so re-adding it finds it again.
    """
    ALTER TABLE passages ADD COLUMN heading TEXT;
    ALTER TABLE articles ADD COLUMN source TEXT;
    CREATE TABLE IF NOT EXISTS article_blocks (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        level INTEGER,
        passage INTEGER,
        PRIMARY KEY (article_id, ordinal)
    );
    CREATE INDEX IF NOT EXISTS articles_source ON articles(collection, source);
    """,
    # 2: followed feeds (retrieval/feeds/) and the items seen in them, with the article each became.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT,
        outlet TEXT,
        keywords TEXT NOT NULL DEFAULT '',
        announce_to TEXT,
        interval_minutes INTEGER NOT NULL,
        etag TEXT,
        last_modified TEXT,
        added_at TEXT NOT NULL,
        added_by TEXT,
        checked_at TEXT,
        new_at TEXT,
        next_check_at TEXT NOT NULL,
        error TEXT,
        failing_since TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        paused TEXT,
        notice_pending INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until TEXT,
        UNIQUE (collection, url)
    );
    CREATE INDEX feeds_due ON feeds(next_check_at);
    CREATE TABLE feed_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT,
        link TEXT,
        fingerprint TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 1,
        article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        seen_at TEXT NOT NULL,
        announce TEXT
    );
    CREATE INDEX feed_items_feed ON feed_items(feed_id);
    CREATE INDEX feed_items_guid ON feed_items(guid);
    CREATE INDEX feed_items_link ON feed_items(link);
    CREATE INDEX feed_items_article ON feed_items(article_id);
    CREATE INDEX feed_items_announce ON feed_items(announce) WHERE announce = 'pending';
    """,
    # 3: each passage's embedding read alone (without its headline), a ranking signal beside the
    # indexed one. NULL in rows written before it: opening such a store re-embeds it, since the
    # vectors' key (embed.PASSAGE_CONTEXT) names both readings.
    "ALTER TABLE passages ADD COLUMN vector_alone BLOB;",
]

ARTICLE_COLUMNS = (
    "a.id, a.collection, a.title, a.outlet, a.author, a.published, a.url, a.language, "
    "a.added_at, a.added_by, a.content_hash, "
    "(SELECT COUNT(*) FROM passages p WHERE p.article_id = a.id) AS paragraphs"
)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


_NOT_WORD = re.compile(r"[\W_]+")


def normalise_text(text: str) -> str:
    """Lower case, letters and digits only: what makes two copies of a paragraph "the same"."""
    return _NOT_WORD.sub(" ", text.lower()).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode()).hexdigest()[:32]


def content_hash(paragraphs: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(normalise_text(p) for p in paragraphs).encode()).hexdigest()


def _article(row: sqlite3.Row | dict) -> Article:
    if isinstance(row, dict):
        return Article(**row)
    return Article(**{k: row[k] for k in row.keys()})  # noqa: SIM118 - Row iterates values


SQLITE_HEADER = b"SQLite format 3\x00"
_READ_ONLY_CODES = {8, 14}  # SQLITE_READONLY, SQLITE_CANTOPEN (primary codes)
DAMAGED = 'restore it from a backup (docs/operations.md, "The data folder")'


@dataclass(frozen=True)
class Snapshot:
    """What the indexes are checked against, read in one transaction so the parts agree."""

    generation: str | None  # bumped by every change
    vectors_generation: str | None  # the generation at which passages or their vectors last changed
    ids: np.ndarray
    vector_model: str | None
    vector_dimension: int | None


def check_file(path: Path) -> None:
    """Raise `StoreDamaged` if `path` is not a whole SQLite database: another kind of file, or
    shorter than its header says (truncated). Cheap: reads the first 100 bytes."""
    if path.is_dir():
        raise StoreDamaged(f"the store {path} is a folder, not a database file; move it away and {DAMAGED}")
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
        size = path.stat().st_size
    except OSError as err:
        raise StoreDamaged(f"the store {path} cannot be read ({err.strerror})") from None
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise StoreDamaged(f"the store {path} is not a SQLite database (overwritten or damaged?); {DAMAGED}")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    (change_counter,), (pages,), (valid_for,) = (struct.unpack(">I", header[i : i + 4]) for i in (24, 28, 92))
    # The page count in the header is trusted only when its "valid for" counter matches.
    if pages and change_counter == valid_for and size < pages * page_size:
        raise StoreDamaged(
            f"the store {path} is damaged: the file is {size:,} bytes but its header says "
            f"{pages * page_size:,} (truncated?); {DAMAGED}"
        )


def is_blank(path: Path) -> bool:
    """No store here yet: no file, an empty file, or a SQLite database without a single table."""
    if not path.exists():
        return True
    if path.is_file() and path.stat().st_size == 0:
        return True
    check_file(path)
    db = connect_read_only(path)
    try:
        return db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    except sqlite3.DatabaseError as err:
        raise damaged(path, err) from None
    finally:
        db.close()


def connect_writable(path: Path, schema: str, timeout: float = 5.0) -> sqlite3.Connection:
    """A read-write connection in WAL mode with `schema` applied, closed again if any of that
    fails. No fsync per commit: WAL stays consistent, and a power cut loses at most the last
    few commits."""
    db = sqlite3.connect(path, timeout=timeout, check_same_thread=False, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except sqlite3.Error:
        db.close()
        raise
    return db


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes. A WAL database in a folder that cannot be written has
    no shared-memory file to use, so it is opened as immutable, which is safe only when no
    `-wal` file holds changes not yet in the main file."""
    uri = path.resolve().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return db
    except sqlite3.OperationalError as err:
        if not is_read_only(err):
            raise damaged(path, err) from None
    except sqlite3.DatabaseError as err:
        raise damaged(path, err) from None
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreReadOnly(
            f"the data folder {path.parent} is read-only and {wal.name} holds changes not yet written to "
            f"{path.name}; open the store once where the folder can be written (or copy the folder)"
        )
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False, isolation_level=None)


def damaged(path: Path, err: sqlite3.DatabaseError) -> StoreDamaged:
    return StoreDamaged(f"the store {path} cannot be read ({err}); {DAMAGED}")


def is_read_only(err: sqlite3.Error) -> bool:
    """Whether SQLite failed because the file or its folder cannot be written (or opened)."""
    return (getattr(err, "sqlite_errorcode", 0) & 0xFF) in _READ_ONLY_CODES


class Store:
    """Articles and passages in one SQLite file; every change is one transaction.

    `read_only` opens without writing anything (for `check`); a folder that cannot be written
    is opened read-only whatever is asked, and `self.read_only` says so."""

    def __init__(self, path: Path, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        if path.exists() and not (path.is_file() and path.stat().st_size == 0):  # empty: SQLite fills it
            check_file(path)
        elif read_only:
            raise StoreReadOnly(f"there is no store at {path}")
        try:
            self.db = self._connect()
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys=ON")
            self.schema_version = self.db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as err:
            raise damaged(path, err) from None
        if self.read_only and self.schema_version < len(MIGRATIONS):
            raise StoreReadOnly(
                f"the store {path} needs an upgrade (schema {self.schema_version} of {len(MIGRATIONS)}) "
                "and its folder cannot be written; open it once where it can"
            )

    def _connect(self) -> sqlite3.Connection:
        """Read-write with the schema brought up to date, or read-only if the folder says so."""
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = None
            try:
                db = connect_writable(self.path, SCHEMA, timeout=30)
                self.db = db
                self._migrate()
                return db
            except sqlite3.OperationalError as err:
                if db is not None:
                    db.close()
                if not is_read_only(err):
                    raise
                if not self.path.exists():
                    raise StoreReadOnly(
                        f"cannot make a store in {self.path.parent}: the folder cannot be written"
                    ) from None
                self.read_only = True
        return connect_read_only(self.path)

    @property
    def tables(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def snapshot(self) -> Snapshot:
        """The generation, passage ids and embedding model as of one moment."""
        own = not self.db.in_transaction
        if own:
            self.db.execute("BEGIN")
        try:
            meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
            ids = self.passage_ids()
        finally:
            if own:
                self.db.execute("COMMIT")
        dimension = meta.get("vector_dimension")
        return Snapshot(
            meta.get("generation"),
            meta.get("vectors_generation"),
            ids,
            meta.get("vector_model"),
            int(dimension) if dimension and dimension.isdigit() else None,
        )

    def quick_check(self, limit: int = 5) -> list[str]:
        """SQLite's own check of every page (reads the whole file); ['ok'] when it is whole."""
        return [r[0] for r in self.db.execute(f"PRAGMA quick_check({int(limit)})").fetchall()]

    def _migrate(self) -> None:
        """Run the migrations this file has not seen yet, each in its own transaction."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            try:
                self.db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        return immediate(self.db)

    # -- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- reads ------------------------------------------------------------------------------
    def find_existing(self, collection: str, article: ParsedArticle, chash: str) -> Article | None:
        """The stored article this one would replace: same canonical URL, or the same text from
        the same outlet (or from the same file, or where either outlet is unknown). The same
        text from another outlet is a syndicated copy, kept apart."""
        if article.url:
            row = self.db.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE collection = ? AND url = ?",
                (collection, article.url),
            ).fetchone()
            if row:
                return _article(row)
        rows = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS}, a.source AS source FROM articles a WHERE collection = ? AND content_hash = ?",
            (collection, chash),
        ).fetchall()
        new_outlet = (article.outlet or "").lower()
        for row in rows:
            old_outlet = (row["outlet"] or "").lower()
            same_source = row["source"] is not None and row["source"] == article.origin
            if old_outlet == new_outlet or not old_outlet or not new_outlet or same_source:
                return _article({k: row[k] for k in row.keys() if k != "source"})  # noqa: SIM118
        return None

    def article_with_url(self, collection: str, url: str) -> Article | None:
        row = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE collection = ? AND url = ?", (collection, url)
        ).fetchone()
        return _article(row) if row else None

    def collections(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT collection FROM articles ORDER BY collection")]

    def count_matching(
        self, collections: Sequence[str], outlets: Sequence[str] | None, since: str | None, until: str | None
    ) -> int:
        """Articles a query's filters let through."""
        sql = f"SELECT COUNT(*) FROM articles WHERE collection IN ({_marks(collections)})"
        args: list = list(collections)
        if outlets:
            sql += f" AND lower(outlet) IN ({_marks(outlets)})"
            args += [o.lower() for o in outlets]
        if since:
            sql += " AND published >= ?"
            args.append(since)
        if until:
            sql += " AND published <= ?"
            args.append(until)
        return self.db.execute(sql, args).fetchone()[0]

    def article(self, article_id: int, collections: Sequence[str] | None = None) -> Article:
        row = self.db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE id = ?", (article_id,)).fetchone()
        if row is None or (collections is not None and row["collection"] not in collections):
            raise NotFound(f"no article with id {article_id}")
        return _article(row)

    def articles_by_ids(self, ids: Iterable[int]) -> dict[int, Article]:
        ids = list(set(ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE id IN ({marks})", ids).fetchall()
        return {row["id"]: _article(row) for row in rows}

    def outlets_of(self, article_ids: Iterable[int]) -> dict[int, str | None]:
        ids = list(set(article_ids))
        if not ids:
            return {}
        rows = self.db.execute(f"SELECT id, outlet FROM articles WHERE id IN ({_marks(ids)})", ids).fetchall()
        return {r[0]: r[1] for r in rows}

    def published_dates(self, keys: Iterable[str], collections: Sequence[str]) -> dict[str, str | None]:
        """{id or URL: published} for the articles the keys name."""
        rows = self.db.execute(
            f"SELECT id, url, published FROM articles WHERE collection IN ({_marks(collections)})", list(collections)
        ).fetchall()
        keys = set(keys)
        out: dict[str, str | None] = {}
        for aid, url, published in rows:
            for key in (str(aid), url):
                if key in keys:
                    out[key] = published
        return out

    def list_articles(
        self,
        collections: Sequence[str],
        outlet: str | None = None,
        query: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Article]:
        """Newest first (by publication date, then by when it was added)."""
        sql = f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE collection IN ({_marks(collections)})"
        args: list = list(collections)
        if outlet:
            sql += " AND lower(outlet) = lower(?)"
            args.append(outlet)
        if query:
            sql += " AND (title LIKE ? OR outlet LIKE ?)"
            args += [f"%{query}%", f"%{query}%"]
        sql += " ORDER BY coalesce(published, '') DESC, added_at DESC, id DESC LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [_article(r) for r in self.db.execute(sql, args).fetchall()]

    def outlets(self, collections: Sequence[str]) -> list[str]:
        rows = self.db.execute(
            f"SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL AND collection IN ({_marks(collections)})",
            list(collections),
        ).fetchall()
        return [r[0] for r in rows]

    def count_articles(self, collections: Sequence[str], outlet: str | None = None) -> int:
        sql = f"SELECT COUNT(*) FROM articles WHERE collection IN ({_marks(collections)})"
        args: list = list(collections)
        if outlet:
            sql += " AND lower(outlet) = lower(?)"
            args.append(outlet)
        return self.db.execute(sql, args).fetchone()[0]

    def passages_of(self, article_id: int) -> list[Passage]:
        rows = self.db.execute(
            "SELECT id, article_id, ordinal, text, heading FROM passages WHERE article_id = ? ORDER BY ordinal",
            (article_id,),
        ).fetchall()
        return [Passage(*r) for r in rows]

    def blocks_of(self, article_id: int) -> list[Block]:
        """Every block of the article in order; empty for articles stored before blocks were."""
        rows = self.db.execute(
            "SELECT kind, text, level, passage FROM article_blocks WHERE article_id = ? ORDER BY ordinal",
            (article_id,),
        ).fetchall()
        return [Block(*r) for r in rows]

    def passages_by_ids(self, ids: Iterable[int]) -> dict[int, Passage]:
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        rows = self.db.execute(
            f"SELECT id, article_id, ordinal, text, heading FROM passages WHERE id IN ({_marks(ids)})", ids
        ).fetchall()
        return {r[0]: Passage(*r) for r in rows}

    def passage_ids(
        self,
        collections: Sequence[str] | None = None,
        outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> np.ndarray:
        """Sorted ids of the passages a query may return."""
        sql = "SELECT p.id FROM passages p"
        where, args = [], []
        if collections is not None or outlets or since or until:
            sql += " JOIN articles a ON a.id = p.article_id"
        if collections is not None:
            where.append(f"a.collection IN ({_marks(collections)})")
            args += list(collections)
        if outlets:
            where.append(f"lower(a.outlet) IN ({_marks(outlets)})")
            args += [o.lower() for o in outlets]
        if since:
            where.append("a.published >= ?")
            args.append(since)
        if until:
            where.append("a.published <= ?")
            args.append(until)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY p.id"
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples: a million sqlite3.Row objects are slow
        rows = cursor.execute(sql, args).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def copies_of(self, hashes: Iterable[str], collections: Sequence[str]) -> dict[str, list[int]]:
        """Passage ids carrying each normalised text, within the collections (syndication)."""
        hashes = list(set(hashes))
        if not hashes:
            return {}
        rows = self.db.execute(
            # CROSS JOIN keeps SQLite on passages_hash first instead of walking every article.
            f"SELECT p.text_hash, p.id FROM passages p CROSS JOIN articles a ON a.id = p.article_id "
            f"WHERE p.text_hash IN ({_marks(hashes)}) AND a.collection IN ({_marks(collections)}) "
            "ORDER BY p.id",
            [*hashes, *collections],
        ).fetchall()
        out: dict[str, list[int]] = {}
        for h, pid in rows:
            out.setdefault(h, []).append(pid)
        return out

    def hash_of(self, passage_ids: Iterable[int]) -> dict[int, str]:
        ids = list(passage_ids)
        if not ids:
            return {}
        rows = self.db.execute(f"SELECT id, text_hash FROM passages WHERE id IN ({_marks(ids)})", ids).fetchall()
        return dict(rows)

    def candidate_rows(self, ids: Iterable[int]) -> list[tuple]:
        """What ranking reads of each candidate, in one query: (id, article_id, ordinal, text,
        text_hash, vector, title, outlet, published, paragraphs in its article, heading,
        vector_alone)."""
        ids = [int(i) for i in ids]
        if not ids:
            return []
        cursor = self.db.cursor()
        cursor.row_factory = None
        return cursor.execute(
            "SELECT p.id, p.article_id, p.ordinal, p.text, p.text_hash, p.vector, a.title, a.outlet, a.published, "
            "(SELECT MAX(q.ordinal) FROM passages q WHERE q.article_id = p.article_id), p.heading, p.vector_alone "
            f"FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN ({_marks(ids)})",
            ids,
        ).fetchall()

    def iter_vectors(self, batch: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) in id order, a batch at a time, for rebuilding the index."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, vector FROM passages WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            vectors = np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            yield ids, vectors
            last = int(ids[-1])

    def vectors_of(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        rows = self.db.execute(f"SELECT id, vector FROM passages WHERE id IN ({_marks(ids)})", ids).fetchall()
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def sample_vectors(self, limit: int) -> np.ndarray:
        """A random sample of stored vectors, to train an IVF index on."""
        rows = self.db.execute("SELECT vector FROM passages ORDER BY random() LIMIT ?", (limit,)).fetchall()
        return np.vstack([np.frombuffer(r[0], dtype=np.float32) for r in rows])

    def iter_texts(self, batch: int = 10_000) -> Iterator[tuple[np.ndarray, list[str]]]:
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, text FROM passages WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            yield np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows]
            last = rows[-1][0]

    def iter_embedding_inputs(self, batch: int = 10_000) -> Iterator[tuple[np.ndarray, list[tuple]]]:
        """(ids, [(headline, section heading, text)]) in id order: what each passage is embedded from."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT p.id, a.title, p.heading, p.text FROM passages p JOIN articles a ON a.id = p.article_id "
                "WHERE p.id > ? ORDER BY p.id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            yield np.array([r[0] for r in rows], dtype=np.int64), [(r[1], r[2], r[3]) for r in rows]
            last = rows[-1][0]

    def replace_article_vectors(self, article_id: int, vectors: np.ndarray) -> list[int]:
        """New vectors for an article's passages (its headline changed); returns their ids in order."""
        ids = [
            r[0]
            for r in self.db.execute("SELECT id FROM passages WHERE article_id = ? ORDER BY ordinal", (article_id,))
        ]
        self.replace_vectors(np.array(ids, dtype=np.int64), vectors)
        return ids

    def counts(self) -> dict[str, int]:
        articles = self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        passages = self.db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        collections = self.db.execute("SELECT COUNT(DISTINCT collection) FROM articles").fetchone()[0]
        return {"articles": articles, "passages": passages, "collections": collections}

    def history(self, collection: str, limit: int = 25) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM history WHERE collection = ? ORDER BY id DESC LIMIT ?", (collection, limit)
        ).fetchall()

    # -- writes (call inside `transaction()`) -----------------------------------------------
    def insert_article(self, collection: str, article: ParsedArticle, chash: str, added_by: str | None) -> int:
        cur = self.db.execute(
            "INSERT INTO articles(collection, url, outlet, title, author, published, language, "
            "added_at, added_by, content_hash, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                collection,
                article.url,
                article.outlet,
                article.title,
                article.author,
                article.published,
                article.language,
                now(),
                added_by,
                chash,
                article.origin,
            ),
        )
        article_id = int(cur.lastrowid)
        self.replace_blocks(article_id, article.blocks)
        return article_id

    def update_article(self, article_id: int, article: ParsedArticle, chash: str) -> None:
        self.db.execute(
            "UPDATE articles SET url=?, outlet=?, title=?, author=?, published=?, language=?, "
            "content_hash=?, source=coalesce(?, source) WHERE id=?",
            (
                article.url,
                article.outlet,
                article.title,
                article.author,
                article.published,
                article.language,
                chash,
                article.origin,
                article_id,
            ),
        )
        self.replace_blocks(article_id, article.blocks)
        # The text may be the same and only its headings changed: keep them in step.
        self.db.executemany(
            "UPDATE passages SET heading = ? WHERE article_id = ? AND ordinal = ?",
            ((article.heading_of(i), article_id, i + 1) for i in range(len(article.paragraphs))),
        )

    def replace_blocks(self, article_id: int, blocks: Sequence[Block]) -> None:
        self.db.execute("DELETE FROM article_blocks WHERE article_id = ?", (article_id,))
        self.db.executemany(
            "INSERT INTO article_blocks(article_id, ordinal, kind, text, level, passage) VALUES (?,?,?,?,?,?)",
            ((article_id, i, b.kind, b.text, b.level, b.passage) for i, b in enumerate(blocks, start=1)),
        )

    def update_fields(self, article_id: int, fields: dict) -> None:
        allowed = {"title", "outlet", "author", "published", "url", "language"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"cannot edit {sorted(bad)}")
        if fields:
            sets = ", ".join(f"{k} = ?" for k in fields)
            self.db.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*fields.values(), article_id])

    def delete_passages(self, article_id: int) -> list[int]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE article_id = ?", (article_id,))]
        self.db.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
        return ids

    def insert_passages(
        self,
        article_id: int,
        paragraphs: Sequence[str],
        vectors: np.ndarray,
        headings: Sequence[str | None] | None = None,
        alone: np.ndarray | None = None,
    ) -> list[int]:
        """Insert an article's passages with their vectors (read with the headline, and `alone`)."""
        ids = []
        headings = list(headings or [])
        pairs = zip(_blobs(vectors, len(paragraphs)), _blobs(alone, len(paragraphs)), strict=True)
        for ordinal, (text, (vector, own)) in enumerate(zip(paragraphs, pairs, strict=True), start=1):
            heading = headings[ordinal - 1] if ordinal <= len(headings) else None
            cur = self.db.execute(
                "INSERT INTO passages(article_id, ordinal, text, text_hash, vector, heading, vector_alone) "
                "VALUES (?,?,?,?,?,?,?)",
                (article_id, ordinal, text, text_hash(text), vector, heading, own),
            )
            ids.append(int(cur.lastrowid))
        return ids

    def replace_vectors(self, ids: np.ndarray, vectors: np.ndarray, alone: np.ndarray | None = None) -> None:
        """New indexed vectors for passages, and new alone vectors when given (else kept)."""
        self.db.executemany(
            "UPDATE passages SET vector = ?, vector_alone = COALESCE(?, vector_alone) WHERE id = ?",
            zip(_blobs(vectors, len(ids)), _blobs(alone, len(ids)), map(int, ids), strict=True),
        )

    def delete_article(self, article_id: int) -> list[int]:
        ids = self.delete_passages(article_id)
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return ids

    def record_question(
        self, collection: str, question: str, answered: bool, asked_by: str | None, passage_ids: Sequence[int]
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO questions(collection, question, answered, asked_by, asked_at, passages) VALUES (?,?,?,?,?,?)",
            (collection, question, int(answered), asked_by, now(), ",".join(map(str, passage_ids))),
        )
        return int(cur.lastrowid)

    def record_feedback(self, question_id: int, user: str, helpful: bool) -> None:
        self.db.execute(
            "INSERT INTO feedback(question_id, user, helpful, at) VALUES (?,?,?,?) "
            "ON CONFLICT(question_id, user) DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
            (question_id, user, int(helpful), now()),
        )

    def gaps(self, collection: str, since: str, limit: int) -> list[sqlite3.Row]:
        """Unanswered or unhelpful questions, grouped by their normalised text, most asked first."""
        return self.db.execute(
            """
            SELECT lower(trim(q.question)) AS key, MIN(q.question) AS question, COUNT(*) AS times,
                   SUM(q.answered = 0) AS unanswered,
                   SUM(EXISTS(SELECT 1 FROM feedback f WHERE f.question_id = q.id AND f.helpful = 0)) AS unhelpful,
                   MAX(q.asked_at) AS last_asked
            FROM questions q
            WHERE q.collection = ? AND q.asked_at >= ?
              AND (q.answered = 0 OR EXISTS(SELECT 1 FROM feedback f WHERE f.question_id = q.id AND f.helpful = 0))
            GROUP BY key ORDER BY times DESC, last_asked DESC LIMIT ?
            """,
            (collection, since, limit),
        ).fetchall()

    def log(self, collection: str, article_id: int | None, action: str, actor: str | None, detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO history(collection, article_id, action, actor, at, detail) VALUES (?,?,?,?,?,?)",
            (collection, article_id, action, actor, now(), detail),
        )


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on a connection in autocommit mode: BEGIN IMMEDIATE ... COMMIT,
    rolled back on any error (the article store's and the feed store's)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _marks(values: Sequence) -> str:
    return ",".join("?" * len(values)) or "NULL"


def _blobs(vectors: np.ndarray | None, n: int) -> list[bytes | None]:
    """Each vector as stored (float32 bytes); NULLs when there are none."""
    if vectors is None:
        return [None] * n
    return [np.asarray(v, np.float32).tobytes() for v in vectors]
