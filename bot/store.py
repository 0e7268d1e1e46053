"""The bot's own small SQLite file (data/bot.sqlite3): per-server settings, the questions behind
"More" buttons, and what was last synced to Discord. Articles live in the library's store.

Every query here touches a few rows by primary key. Reads are cheap enough for the event loop;
the one write made per question ("More" state) runs in a worker thread, since a commit waits for
the disk. Q&A channels are cached in memory because `on_message` checks them for every message.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

from retrieval.errors import StoreReadOnly
from retrieval.store import connect_writable, is_read_only

SCHEMA = """
CREATE TABLE IF NOT EXISTS guild_settings (guild_id INTEGER PRIMARY KEY, moderator_role_id INTEGER);
CREATE TABLE IF NOT EXISTS qa_channels (
    guild_id INTEGER NOT NULL, channel_id INTEGER NOT NULL, PRIMARY KEY (guild_id, channel_id)
);
CREATE TABLE IF NOT EXISTS asked (
    question_id INTEGER PRIMARY KEY, question TEXT NOT NULL, collections TEXT NOT NULL, k INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class BotStore:
    """Thread-safe access to the bot's settings file."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        try:
            # A power cut may lose the last few "More" states (no fsync per commit).
            self.db = connect_writable(path, SCHEMA)
        except sqlite3.OperationalError as err:
            if not is_read_only(err):
                raise
            # The bot records settings and button state as it runs: it needs this file writable.
            raise StoreReadOnly(
                f"{path}: {err}; the bot keeps its settings there and must be able to write the data "
                f"folder {path.parent}: run it as a user who can"
            ) from err
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(asked)")}
        if "as_of" not in columns:  # files from before questions kept their day
            self.db.execute("ALTER TABLE asked ADD COLUMN as_of TEXT")
        self._qa: dict[int, set[int]] = {}
        for guild_id, channel_id in self.db.execute("SELECT guild_id, channel_id FROM qa_channels"):
            self._qa.setdefault(guild_id, set()).add(channel_id)

    def close(self) -> None:
        self.db.close()

    # -- per-server settings ---------------------------------------------------------------------
    def qa_channels(self, guild_id: int) -> set[int]:
        return set(self._qa.get(guild_id, ()))

    def is_qa_channel(self, guild_id: int, channel_id: int) -> bool:
        return channel_id in self._qa.get(guild_id, ())

    def set_qa_channel(self, guild_id: int, channel_id: int, on: bool) -> bool:
        """Add or remove a Q&A channel; False when nothing changed."""
        with self._lock:
            if on:
                cur = self.db.execute("INSERT OR IGNORE INTO qa_channels VALUES (?, ?)", (guild_id, channel_id))
                self._qa.setdefault(guild_id, set()).add(channel_id)
            else:
                cur = self.db.execute(
                    "DELETE FROM qa_channels WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id)
                )
                self._qa.get(guild_id, set()).discard(channel_id)
            return cur.rowcount > 0

    def moderator_role(self, guild_id: int) -> int | None:
        row = self.db.execute("SELECT moderator_role_id FROM guild_settings WHERE guild_id = ?", (guild_id,)).fetchone()
        return row[0] if row else None

    def set_moderator_role(self, guild_id: int, role_id: int | None) -> None:
        with self._lock:
            self.db.execute(
                "INSERT INTO guild_settings VALUES (?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET moderator_role_id = excluded.moderator_role_id",
                (guild_id, role_id),
            )

    # -- questions behind "More" -------------------------------------------------------------------
    def remember(
        self, question_id: int, question: str, collections: list[str], k: int, as_of: dt.date | None = None
    ) -> None:
        """The question behind a "More" button, with the day it was asked (so More pages mean
        the same "this week")."""
        with self._lock:
            self.db.execute(
                "INSERT OR REPLACE INTO asked(question_id, question, collections, k, as_of) VALUES (?, ?, ?, ?, ?)",
                (question_id, question, json.dumps(collections), k, as_of.isoformat() if as_of else None),
            )

    def asked(self, question_id: int) -> tuple[str, list[str], int, dt.date | None] | None:
        row = self.db.execute(
            "SELECT question, collections, k, as_of FROM asked WHERE question_id = ?", (question_id,)
        ).fetchone()
        if row is None:
            return None
        return row[0], json.loads(row[1]), row[2], dt.date.fromisoformat(row[3]) if row[3] else None

    # -- bookkeeping ---------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
