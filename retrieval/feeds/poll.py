"""Following feeds: add, list, pause, remove, and the poll that turns new items into articles.

An item becomes an article through the one path every article takes: its link is fetched and
extracted like any URL (`sources.read_source`) and stored by `Engine.add`, which updates an
article it already holds (same canonical URL, or same text from the same outlet) instead of
adding it twice. When the page cannot be read, the feed's own full text stands in.

Manners: a conditional GET (a 304 costs nothing), a per-feed interval, doubling backoff on
errors capped at a day, caps on feeds per collection and items per check, a lease so no feed is
polled twice at once, and a feed failing for `feed_pause_days` is paused. Time comes from an
injectable clock, so tests never wait.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import BadSource, CoverageError, NotFound
from ..fetch import HTML_TYPES, Page, fetch
from ..models import Article, IngestOutcome, ParsedArticle
from ..sources import read_source
from ..urls import normalise_url
from .parse import (
    FEED_TYPES,
    FeedError,
    FeedItem,
    article_from_feed,
    discover,
    matches,
    read_feed,
    split_keywords,
)
from .store import Feed, FeedStore, SeenItem, parse_stamp, stamp

if TYPE_CHECKING:
    from ..engine import Engine

log = logging.getLogger(__name__)

MIN_INTERVAL = 5  # minutes; no feed is checked more often
MAX_INTERVAL = 1440
MAX_BACKOFF = dt.timedelta(days=1)
MAX_ATTEMPTS = 3  # tries of an item whose page and feed text both fail, on later reads of the feed


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _canonical(url: str) -> str:
    """A feed's address in the one canonical form URLs have here (`urls.normalise_url`), so the
    same feed typed two ways is one feed."""
    try:
        return normalise_url(url)
    except BadSource as err:
        raise FeedError(f"the feed URL cannot be followed: {err}") from None


@dataclass
class ItemOutcome:
    """What one item became in a check."""

    title: str
    link: str | None
    status: str  # added | updated | unchanged | filtered | failed | skipped
    article_id: int | None = None
    reason: str | None = None


@dataclass
class PollResult:
    """One feed's check: its state afterwards and what each new or changed item became."""

    feed: Feed
    status: str  # checked | not modified | failed | busy | paused | stopped
    outcomes: list[ItemOutcome] = field(default_factory=list)
    error: str | None = None
    waiting: int = 0  # items left for the next check by the per-check cap
    paused_now: bool = False  # paused by this check, after failing too long

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def added(self) -> list[ItemOutcome]:
        return [o for o in self.outcomes if o.status == "added"]

    def summary(self) -> str:
        if self.status != "checked":
            return self.status + (f": {self.error}" if self.error else "")
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged", "filtered", "failed", "skipped")]
        text = ", ".join(p for p in parts if not p.startswith("0 ")) or "no new items"
        return text + (f"; {self.waiting} more wait for the next check" if self.waiting else "")

    def to_json(self) -> dict:
        return {
            "feed": {"id": self.feed.id, "collection": self.feed.collection, "url": self.feed.url},
            "title": self.feed.title,
            "status": self.status,
            "error": self.error,
            "waiting": self.waiting,
            "paused_now": self.paused_now,
            "next_check_at": self.feed.next_check_at,
            "items": [asdict(o) for o in self.outcomes],
        }


@dataclass
class FeedAdded:
    feed: Feed
    items: int  # how many items the feed holds now
    discovered_from: str | None = None  # the web page that named the feed, if a page was given


@dataclass
class Announcement:
    """A new article a front end should announce once."""

    item_id: int
    feed: Feed
    article: Article
    first_passage: str


class Feeds:
    """The feeds of every collection in one data folder; thread-safe, one per process is plenty."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] | None = None, owner: str | None = None):
        self.engine = engine
        self.settings = engine.settings
        self.store = FeedStore(self.settings.db_path)
        self.clock = clock or utcnow
        # Who holds a lease: this host and process, and this object (two in one process are two pollers).
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def close(self) -> None:
        self.store.close()

    @property
    def lease_seconds(self) -> float:
        """Longer than one fetch can take (twice its timeout); renewed before each fetch."""
        return 4 * self.settings.fetch_timeout + 60

    def _fetch(self, url: str, headers: dict[str, str] | None = None) -> Page:
        return fetch(
            url,
            timeout=self.settings.fetch_timeout,
            max_bytes=self.settings.fetch_max_bytes,
            allow_private=self.settings.allow_private_urls,
            accept=FEED_TYPES + HTML_TYPES,
            headers=headers,
        )

    # -- following ------------------------------------------------------------------------------
    def add(
        self,
        url: str,
        collection: str,
        *,
        keywords: str | None = None,
        announce_to: str | None = None,
        interval: int | None = None,
        added_by: str | None = None,
    ) -> FeedAdded:
        """Follow a feed (or the feed a web page names); the first check is due at once."""
        url = (url or "").strip()
        interval = self.settings.feed_interval if interval is None else int(interval)
        if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
            raise FeedError(f"the interval must be {MIN_INTERVAL} to {MAX_INTERVAL} minutes, not {interval}")
        words = split_keywords(keywords)
        self._check_room(collection, _canonical(url))
        page = self._fetch(url)
        discovered_from = None
        try:
            parsed = read_feed(page)
        except FeedError:
            found = discover(page) if page.content_type in HTML_TYPES else None
            if not found:
                raise
            discovered_from, url = page.url, found  # the page as fetched: no user:pass@
            self._check_room(collection, _canonical(url))
            parsed = read_feed(self._fetch(url))
        url = _canonical(url)
        now = self.clock()
        values = {
            "collection": collection,
            "url": url,
            "title": parsed.title,
            "keywords": words,
            "announce_to": announce_to,
            "interval_minutes": interval,
            "added_at": stamp(now),
            "added_by": added_by,
            "next_check_at": stamp(now),
        }
        with self.store.transaction() as db:
            feed_id = self.store.insert(db, values)
        log.info("following feed %d (%s) for %s", feed_id, url, collection)
        return FeedAdded(self.store.feed(feed_id), len(parsed.items), discovered_from)

    def _check_room(self, collection: str, url: str) -> None:
        if (existing := self.store.find(collection, url)) is not None:
            raise FeedError(f"{url} is already followed here as feed F{existing.id}")
        limit = self.settings.feed_max_feeds
        if self.store.count(collection) >= limit:
            raise FeedError(
                f"{limit} feeds are followed here already, the most allowed (COVERAGE_BOT_FEED_MAX_FEEDS); "
                "remove one first"
            )

    def feeds(self, collections: Sequence[str] | None = None) -> list[Feed]:
        return self.store.feeds(collections)

    def feed(self, feed_id: int, collections: Sequence[str] | None = None) -> Feed:
        return self.store.feed(feed_id, collections)

    def remove(self, feed_id: int, collections: Sequence[str] | None = None) -> Feed:
        """Stop following a feed; the articles it brought stay (remove them one by one)."""
        feed = self.store.feed(feed_id, collections)
        self.store.delete(feed.id)
        log.info("stopped following feed %d (%s)", feed.id, feed.url)
        return feed

    def pause(self, feed_id: int, collections: Sequence[str] | None = None, reason: str = "paused by hand") -> Feed:
        feed = self.store.feed(feed_id, collections)
        if not feed.paused:
            self.store.update(feed.id, {"paused": reason})
        return self.store.feed(feed.id)

    def resume(self, feed_id: int, collections: Sequence[str] | None = None) -> Feed:
        """Follow a paused feed again, checked at once; its failure count starts afresh."""
        feed = self.store.feed(feed_id, collections)
        if feed.paused:
            self.store.update(
                feed.id,
                {
                    "paused": None,
                    "notice_pending": 0,
                    "failures": 0,
                    "failing_since": None,
                    "next_check_at": stamp(self.clock()),
                },
            )
        return self.store.feed(feed.id)

    def next_due(self) -> dt.datetime | None:
        """When the next followed feed is due (None when none is followed)."""
        return self.store.next_due()

    # -- polling --------------------------------------------------------------------------------
    def poll(
        self,
        *,
        collections: Sequence[str] | None = None,
        every: bool = False,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[PollResult]:
        """Check the feeds that are due (or every followed feed, with `every`), one after another;
        a feed that fails is recorded and the others go on."""
        stop = should_stop or (lambda: False)
        results = []
        for feed in self.store.due(self.clock(), collections, every):
            if stop():
                break
            try:
                results.append(self.poll_feed(feed, stop))
            except NotFound:
                log.info("feed %d (%s) was removed while it was being checked", feed.id, feed.url)
            except Exception:  # one feed's bug must not stop the others; it is logged
                log.exception("checking feed %d (%s) failed", feed.id, feed.url)
                results.append(self._failed(feed, "an internal error; see the log"))
        return results

    def poll_feed(self, feed: Feed, should_stop: Callable[[], bool] | None = None) -> PollResult:
        """Check one feed now, unless it is paused or another poll holds its lease."""
        if feed.paused:
            return PollResult(feed, "paused", error=feed.paused)
        if not self.store.lease(feed.id, self.owner, self.clock(), self.lease_seconds):
            return PollResult(feed, "busy", error="another poll is checking it")
        try:
            return self._poll(feed, should_stop or (lambda: False))
        finally:
            self.store.release(feed.id, self.owner)

    def _poll(self, feed: Feed, stop: Callable[[], bool]) -> PollResult:
        validators = {}
        if feed.etag:
            validators["If-None-Match"] = feed.etag
        if feed.last_modified:
            validators["If-Modified-Since"] = feed.last_modified
        try:
            page = self._fetch(feed.url, validators)
            moved = self._moved(feed, page)
            if page.status == 304:
                self._succeeded(feed, moved)
                return PollResult(self.store.feed(feed.id), "not modified")
            parsed = read_feed(page)
        except CoverageError as err:
            return self._failed(feed, str(err), getattr(err, "retry_after", None))
        records: list[tuple[SeenItem | None, dict]] = []
        outcomes, todo, waiting = self._triage(feed, parsed.items, records)
        made: list[tuple[FeedItem, SeenItem | None, ParsedArticle]] = []
        page_outlets: Counter[str] = Counter()
        for item, previous in todo:
            if stop():
                return PollResult(feed, "stopped", outcomes)
            self.store.lease(feed.id, self.owner, self.clock(), self.lease_seconds)
            article, from_page, reason = self._article(feed, item)
            if from_page and article.outlet:
                page_outlets[article.outlet] += 1
            if article is None:
                tries = previous.attempts + 1 if previous and previous.status == "failed" else 1
                records.append((previous, self._item_values(item, "failed", reason=reason, attempts=tries)))
                outcomes.append(ItemOutcome(item.title, item.link, "failed", reason=reason))
            else:
                made.append((item, previous, article))
        if stop():
            return PollResult(feed, "stopped", outcomes)
        # Items told by the feed's own text: the outlet the site's pages give, else its domain.
        outlet = page_outlets.most_common(1)[0][0] if page_outlets else feed.outlet
        for item, _, article in made:
            if article.outlet is None:
                host = urlsplit(item.link).hostname if item.link else None
                article.outlet = outlet or (host.removeprefix("www.") if host else None)
        if made:
            self.store.lease(feed.id, self.owner, self.clock(), self.lease_seconds)
            report = self.engine.add([a for _, _, a in made], collection=feed.collection, added_by=f"feed:{feed.id}")
            by_source = {o.source: o for o in report.outcomes}
            for item, previous, article in made:
                o = by_source.get(article.source) or IngestOutcome(article.source, "skipped", reason="not stored")
                status = o.status
                if status == "unchanged" and previous and previous.status in ("added", "updated"):
                    status = previous.status  # still this feed's article, just not changed
                announce = "pending" if status == "added" and feed.announce_to else None
                records.append((previous, self._item_values(item, status, o.article_id, o.reason, announce=announce)))
                outcomes.append(ItemOutcome(item.title, item.link, status, o.article_id, o.reason))
        values: dict = {"title": parsed.title or feed.title, **moved}
        if page_outlets:  # remembered for later items that must fall back to the feed's text
            values["outlet"] = outlet
        if any(o.status == "added" for o in outcomes):
            values["new_at"] = stamp(self.clock())
        # With items still waiting, forget the validators: a 304 next time would hide them.
        values["etag"] = None if waiting else page.headers.get("etag")
        values["last_modified"] = None if waiting else page.headers.get("last-modified")
        self._succeeded(feed, values, records)
        return PollResult(self.store.feed(feed.id), "checked", outcomes, waiting=waiting)

    def _moved(self, feed: Feed, page: Page) -> dict:
        """The feed's new address when it has moved for good (every redirect permanent), so
        later checks stop paying for the redirect; kept when this collection already follows
        the new address as another feed."""
        if not page.moved_to:
            return {}
        try:
            url = normalise_url(page.moved_to)
        except BadSource:
            return {}
        if url == feed.url or self.store.find(feed.collection, url) is not None:
            return {}
        log.info("feed %d moved permanently: %s -> %s", feed.id, feed.url, url)
        return {"url": url}

    def _triage(
        self, feed: Feed, items: list[FeedItem], records: list
    ) -> tuple[list[ItemOutcome], list[tuple[FeedItem, SeenItem | None]], int]:
        """Which items need their page read (newest first, up to the cap); the rest are seen,
        filtered out or already held."""
        outcomes: list[ItemOutcome] = []
        todo: list[tuple[FeedItem, SeenItem | None]] = []
        waiting = 0
        keys: set[str] = set()
        for item in sorted(items, key=lambda i: i.published or "", reverse=True):
            own = {k for k in (item.guid, item.link) if k}
            if own & keys:
                continue  # the same item twice in one feed
            keys |= own
            previous = self.store.seen(feed.id, item.guid, item.link)
            unchanged = previous and previous.fingerprint == item.fingerprint
            if unchanged and (previous.status != "failed" or previous.attempts >= MAX_ATTEMPTS):
                continue  # seen as it is; a failed item is tried again a few times
            if (previous is None or previous.status == "filtered") and not matches(feed.keywords, item):
                reason = "none of the keywords is in its title or summary"
                records.append((previous, self._item_values(item, "filtered", reason=reason)))
                outcomes.append(ItemOutcome(item.title, item.link, "filtered", reason=reason))
                continue
            if previous is None and (held := self.store.held_elsewhere(feed.collection, feed.id, item.guid, item.link)):
                reason = "already held from another feed"
                records.append((None, self._item_values(item, "unchanged", held, reason)))
                outcomes.append(ItemOutcome(item.title, item.link, "unchanged", held, reason))
                continue
            if len(todo) >= self.settings.feed_max_items:
                waiting += 1
                continue
            todo.append((item, previous))
        return outcomes, todo, waiting

    def _article(self, feed: Feed, item: FeedItem) -> tuple[ParsedArticle | None, bool, str | None]:
        """The item's page as an article, else the feed's own text; the item's title, author and
        date fill what the page lacks. Returns (article, whether from the page, why not)."""
        source = item.link or item.key
        try:
            if not item.link:
                raise BadSource("the item has no link")
            article = read_source(item.link, self.settings)
        except CoverageError as err:
            if not item.content:
                return None, False, f"{err} (and the feed carries only a summary)"
            try:
                article = article_from_feed(item, source)
            except BadSource as second:
                return None, False, f"{err} (and {second})"
            log.info("feed %d: %s could not be read (%s); using the feed's text", feed.id, item.link, err)
            article.source = source
            return article, False, None
        # parse_html falls back to the first paragraph when the page has no headline.
        if item.title and article.title == article.paragraphs[0][:120]:
            article.title = item.title
        article.author = article.author or item.author
        article.published = article.published or item.published
        article.url = article.url or item.link
        article.source = source
        return article, True, None

    def _item_values(
        self,
        item: FeedItem,
        status: str,
        article_id: int | None = None,
        reason: str | None = None,
        attempts: int = 1,
        announce: str | None = None,
    ) -> dict:
        return {
            "guid": item.guid,
            "link": item.link,
            "fingerprint": item.fingerprint,
            "status": status,
            "reason": reason,
            "attempts": attempts,
            "article_id": article_id,
            "seen_at": stamp(self.clock()),
            "announce": announce,
        }

    def _succeeded(self, feed: Feed, values: dict, records: Sequence = ()) -> None:
        now = self.clock()
        values = {
            **values,
            "checked_at": stamp(now),
            "error": None,
            "failing_since": None,
            "failures": 0,
            "next_check_at": stamp(now + dt.timedelta(minutes=max(feed.interval_minutes, MIN_INTERVAL))),
        }
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM feeds WHERE id = ?", (feed.id,)).fetchone() is None:
                raise NotFound(f"no feed with id {feed.id}")  # removed meanwhile: nothing to record
            for previous, item_values in records:
                self.store.record(db, feed.id, previous, item_values)
            db.execute(f"UPDATE feeds SET {sets} WHERE id = ?", [*values.values(), feed.id])

    def _failed(self, feed: Feed, reason: str, retry_after: float | None = None) -> PollResult:
        """Record the error, back off (doubling, at most a day, and at least what the server's
        Retry-After asked for, within that day), pause after failing too long."""
        now = self.clock()
        failures = feed.failures + 1
        since = parse_stamp(feed.failing_since) or now
        interval = dt.timedelta(minutes=max(feed.interval_minutes, MIN_INTERVAL))
        delay = min(interval * 2 ** min(failures, 16), MAX_BACKOFF)
        if retry_after:
            delay = min(max(delay, dt.timedelta(seconds=retry_after)), MAX_BACKOFF)
        values: dict = {
            "checked_at": stamp(now),
            "error": reason,
            "failures": failures,
            "failing_since": stamp(since),
            "next_check_at": stamp(now + delay),
        }
        paused_now = now - since >= dt.timedelta(days=self.settings.feed_pause_days)
        if paused_now:
            values["paused"] = f"paused after failing since {since.date().isoformat()}: {reason}"
            values["notice_pending"] = 1 if feed.announce_to else 0
            log.warning("feed %d (%s) paused: failing since %s (%s)", feed.id, feed.url, since.date(), reason)
        else:
            log.info("feed %d (%s) failed (%s); next try in %s", feed.id, feed.url, reason, delay)
        self.store.update(feed.id, values)
        return PollResult(self.store.feed(feed.id), "failed", error=reason, paused_now=paused_now)

    # -- what front ends tell people -------------------------------------------------------------
    def pending_announcements(self, limit: int = 25) -> list[Announcement]:
        """New articles of feeds with somewhere to announce them, oldest first, not yet announced."""
        out, gone = [], []
        for item_id, article_id, feed_id in self.store.pending_announcements(limit):
            try:
                feed = self.store.feed(feed_id)
                article, passages = self.engine.article(article_id) if article_id else (None, [])
            except NotFound:
                article = None
            if article is None or not feed.announce_to:
                gone.append(item_id)  # removed meanwhile, or the feed no longer announces
                continue
            out.append(Announcement(item_id, feed, article, passages[0].text if passages else ""))
        self.store.mark_announced(gone)
        return out

    def mark_announced(self, item_ids: Sequence[int]) -> None:
        self.store.mark_announced(list(item_ids))

    def pending_notices(self) -> list[Feed]:
        """Feeds paused after failing whose moderators have not been told yet."""
        return [f for f in self.store.feeds() if f.notice_pending and f.announce_to]

    def mark_noticed(self, feed_id: int) -> None:
        self.store.update(feed_id, {"notice_pending": 0})
