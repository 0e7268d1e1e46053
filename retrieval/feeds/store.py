"""Feeds and the items seen in them, in the article store's SQLite file (tables made by
`retrieval.store.MIGRATIONS`), on a connection of their own.

Its own connection, because polling runs beside the engine's writers in other threads and
processes: every change here is one short transaction, and the poll lease is a single
conditional UPDATE, so two processes never poll one feed at once, across restarts too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadSource, NotFound
from ..store import immediate

COLUMNS = (
    "f.*, (SELECT COUNT(DISTINCT i.article_id) FROM feed_items i JOIN articles a ON a.id = i.article_id "
    "WHERE i.feed_id = f.id AND i.status IN ('added', 'updated')) AS articles"
)


_FEED_ID = re.compile(r"\s*F?\s*(\d{1,12})\s*", re.I)


def parse_feed_id(text: str | None) -> int:
    """A feed id as people write it: F3, f3 or 3 (the front ends show F3). At most 12 digits,
    so a typo never reaches SQLite as a number it cannot hold."""
    match = _FEED_ID.fullmatch(text or "")
    if match is None:
        raise BadSource(f"{text!r} is not a feed id; give it as F3 or 3")
    return int(match.group(1))


def stamp(when: dt.datetime) -> str:
    """How times are kept: UTC ISO 8601 to the second, so text order is time order."""
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_stamp(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@dataclass
class Feed:
    """A followed feed and its polling state."""

    id: int
    collection: str
    url: str
    title: str | None
    outlet: str | None
    keywords: list[str]
    announce_to: str | None  # where a front end announces new articles (a Discord channel id)
    interval_minutes: int
    etag: str | None
    last_modified: str | None
    added_at: str
    added_by: str | None
    checked_at: str | None
    new_at: str | None
    next_check_at: str
    error: str | None
    failing_since: str | None
    failures: int
    paused: str | None  # why it is paused, or None while it is followed
    notice_pending: bool
    lease_owner: str | None = field(default=None, repr=False)
    lease_until: str | None = field(default=None, repr=False)
    articles: int = 0

    @property
    def name(self) -> str:
        return self.title or self.url

    @property
    def state(self) -> str:
        if self.paused:
            return "paused"
        return "failing" if self.error else ("ok" if self.checked_at else "not checked yet")

    def to_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if not k.startswith("lease_")}
        data["state"] = self.state
        return data


@dataclass
class SeenItem:
    id: int
    feed_id: int
    guid: str | None
    link: str | None
    fingerprint: str
    status: str  # added | updated | unchanged | filtered | failed | skipped
    attempts: int
    article_id: int | None


def _feed(row: sqlite3.Row) -> Feed:
    data = dict(row)
    data["keywords"] = json.loads(data["keywords"] or "[]")
    data["notice_pending"] = bool(data["notice_pending"])
    return Feed(**data)


class FeedStore:
    """Thread-safe reads and writes of the feed tables."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, immediate(self.db) as db:
            yield db

    # -- feeds --------------------------------------------------------------------------------
    def feed(self, feed_id: int, collections: Sequence[str] | None = None) -> Feed:
        with self._lock:
            row = self.db.execute(f"SELECT {COLUMNS} FROM feeds f WHERE id = ?", (feed_id,)).fetchone()
        if row is None or (collections is not None and row["collection"] not in collections):
            raise NotFound(f"no feed with id {feed_id}")
        return _feed(row)

    def feeds(self, collections: Sequence[str] | None = None) -> list[Feed]:
        sql = f"SELECT {COLUMNS} FROM feeds f"
        args: list = []
        if collections is not None:
            sql += f" WHERE collection IN ({','.join('?' * len(collections)) or 'NULL'})"
            args = list(collections)
        with self._lock:
            return [_feed(r) for r in self.db.execute(sql + " ORDER BY id", args).fetchall()]

    def find(self, collection: str, url: str) -> Feed | None:
        with self._lock:
            row = self.db.execute(
                f"SELECT {COLUMNS} FROM feeds f WHERE collection = ? AND url = ?", (collection, url)
            ).fetchone()
        return _feed(row) if row else None

    def count(self, collection: str) -> int:
        with self._lock:
            return self.db.execute("SELECT COUNT(*) FROM feeds WHERE collection = ?", (collection,)).fetchone()[0]

    def insert(self, db: sqlite3.Connection, values: dict) -> int:
        values = {**values, "keywords": json.dumps(values.get("keywords") or [])}
        names = ", ".join(values)
        cur = db.execute(f"INSERT INTO feeds({names}) VALUES ({','.join('?' * len(values))})", list(values.values()))
        return int(cur.lastrowid)

    def update(self, feed_id: int, values: dict, owner: str | None = None) -> bool:
        """Change a feed's columns; with `owner`, only while that poll still holds the lease."""
        sets = ", ".join(f"{k} = ?" for k in values)
        sql, args = f"UPDATE feeds SET {sets} WHERE id = ?", [*values.values(), feed_id]
        if owner is not None:
            sql += " AND lease_owner = ?"
            args.append(owner)
        with self._lock:
            return self.db.execute(sql, args).rowcount > 0

    def delete(self, feed_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def due(self, now: dt.datetime, collections: Sequence[str] | None = None, every: bool = False) -> list[Feed]:
        """Followed feeds whose next check has come (or all followed feeds, with `every`)."""
        feeds = [f for f in self.feeds(collections) if not f.paused]
        if every:
            return feeds
        return sorted((f for f in feeds if f.next_check_at <= stamp(now)), key=lambda f: f.next_check_at)

    def next_due(self) -> dt.datetime | None:
        with self._lock:
            row = self.db.execute("SELECT MIN(next_check_at) FROM feeds WHERE paused IS NULL").fetchone()
        return parse_stamp(row[0])

    # -- the poll lease -------------------------------------------------------------------------
    def lease(self, feed_id: int, owner: str, now: dt.datetime, seconds: float) -> bool:
        """Take (or renew) the right to poll a feed; False while another poll holds it."""
        until = stamp(now + dt.timedelta(seconds=seconds))
        with self._lock:
            cur = self.db.execute(
                "UPDATE feeds SET lease_owner = ?, lease_until = ? WHERE id = ? AND paused IS NULL "
                "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until <= ?)",
                (owner, until, feed_id, owner, stamp(now)),
            )
            return cur.rowcount > 0

    def release(self, feed_id: int, owner: str) -> None:
        with self._lock:
            self.db.execute(
                "UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
                (feed_id, owner),
            )

    # -- items ----------------------------------------------------------------------------------
    def seen(self, feed_id: int, guid: str | None, link: str | None) -> SeenItem | None:
        """The item of this feed with that guid, else with that link."""
        with self._lock:
            for column, value in (("guid", guid), ("link", link)):
                if value:
                    row = self.db.execute(
                        f"SELECT id, feed_id, guid, link, fingerprint, status, attempts, article_id "
                        f"FROM feed_items WHERE feed_id = ? AND {column} = ? ORDER BY id DESC LIMIT 1",
                        (feed_id, value),
                    ).fetchone()
                    if row:
                        return SeenItem(*row)
        return None

    def held_elsewhere(self, collection: str, feed_id: int, guid: str | None, link: str | None) -> int | None:
        """An article another feed of the collection already made from this guid or link."""
        with self._lock:
            for column, value in (("guid", guid), ("link", link)):
                if value:
                    row = self.db.execute(
                        f"SELECT i.article_id FROM feed_items i JOIN feeds f ON f.id = i.feed_id "
                        f"WHERE f.collection = ? AND i.feed_id != ? AND i.{column} = ? "
                        "AND i.article_id IS NOT NULL LIMIT 1",
                        (collection, feed_id, value),
                    ).fetchone()
                    if row:
                        return row[0]
        return None

    def record(self, db: sqlite3.Connection, feed_id: int, previous: SeenItem | None, values: dict) -> None:
        """Insert an item, or update the row it was seen as before."""
        if previous is None:
            names = ", ".join(["feed_id", *values])
            db.execute(
                f"INSERT INTO feed_items({names}) VALUES ({','.join('?' * (len(values) + 1))})",
                [feed_id, *values.values()],
            )
        else:
            sets = ", ".join(f"{k} = ?" for k in values)
            db.execute(f"UPDATE feed_items SET {sets} WHERE id = ?", [*values.values(), previous.id])

    def pending_announcements(self, limit: int) -> list[tuple[int, int | None, int]]:
        """(item id, article id, feed id) of new articles not yet announced, oldest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT id, article_id, feed_id FROM feed_items WHERE announce = 'pending' ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        return [tuple(r) for r in rows]

    def mark_announced(self, item_ids: Sequence[int]) -> None:
        if item_ids:
            with self._lock:
                self.db.execute(
                    f"UPDATE feed_items SET announce = 'done' WHERE id IN ({','.join('?' * len(item_ids))})",
                    list(item_ids),
                )

    def item_counts(self, feed_id: int) -> dict[str, int]:
        with self._lock:
            rows = self.db.execute(
                "SELECT status, COUNT(*) FROM feed_items WHERE feed_id = ? GROUP BY status", (feed_id,)
            ).fetchall()
        return {r[0]: r[1] for r in rows}
