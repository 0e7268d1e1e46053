"""The bot's background feed poller: checks the feeds that are due, announces each new article
once in its feed's channel, and tells moderators once when a failing feed is paused.

Checking feeds (fetching, extraction, embedding) runs on the bot's fetch threads
(`CoverageBot.run_fetch`), so a slow feed never holds the threads questions are answered on;
store reads run like every other engine call (`CoverageBot.run`). The event loop only waits and
sends. Announcements come from the store, so articles a `coverage-bot feed poll` cron job
added are announced too, and a restart neither repeats nor loses one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

import discord

from retrieval.feeds import Feeds

from . import feed_embeds
from .checks import NO_PINGS

if TYPE_CHECKING:
    from .client import CoverageBot

log = logging.getLogger(__name__)

#: The task's name (tests' drain loops leave it alone, as they do timers).
TASK_NAME = "coverage-bot feed poller"
MIN_IDLE, MAX_IDLE = 5.0, 300.0  # seconds between looks at the store for due feeds
ANNOUNCE_BATCH = 25
ANNOUNCE_IDLE = 60.0  # seconds between looks for articles to announce when another process polls


class FeedPoller:
    """`enabled`: run at all (not for `coverage-bot sync`); `check`: check feeds, or only announce
    what another process (a `feed poll` timer) added (COVERAGE_BOT_FEED_POLLING=false)."""

    def __init__(self, bot: CoverageBot, *, enabled: bool = True, check: bool = True):
        self.bot = bot
        self.feeds = Feeds(bot.engine)
        self.enabled = enabled
        self.check = check
        self._task: asyncio.Task | None = None
        self._stop = threading.Event()  # read by the poll in its thread, between feeds and items
        self._waiter: asyncio.Future | None = None
        self._woken = False
        self.started = self.finished = 0  # cycles, for `next_cycle`
        self._finished: list[tuple[int, asyncio.Future]] = []

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name=TASK_NAME)
            log.info("feeds: %s in the background", "polling" if self.check else "announcing (polling is off)")

    def wake(self) -> None:
        """Look for due feeds now (after `/feed add` or `/feed resume`)."""
        self._woken = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next_cycle(self) -> None:
        """Wake the poller and wait until a cycle that started after this call has finished."""
        target = self.started + 1
        future = asyncio.get_running_loop().create_future()
        self._finished.append((target, future))
        self.wake()
        await future

    async def stop(self, timeout: float | None = None) -> None:
        """Finish the feed being checked (a fetch ends within its timeout), then stop."""
        self._stop.set()
        self.wake()
        if self._task is not None:
            limit = timeout if timeout is not None else 2 * self.bot.settings.fetch_timeout + 10
            try:
                await asyncio.wait_for(asyncio.shield(self._task), limit)
            except TimeoutError:
                log.warning("feeds: the poller did not stop within %.0f s; cancelling it", limit)
                self._task.cancel()
            self._task = None
        self.feeds.close()

    async def _loop(self) -> None:
        while not self._stop.is_set():
            self._woken = False  # this cycle answers every wake so far
            self.started += 1
            try:
                await self.cycle()
            except Exception:  # a bad cycle must not end polling; the next one retries
                log.exception("feeds: a poll cycle failed")
            self.finished += 1
            for target, future in [f for f in self._finished if f[0] <= self.finished]:
                self._finished.remove((target, future))
                if not future.done():
                    future.set_result(None)
            if not self._stop.is_set():
                await self._idle()

    async def _idle(self) -> None:
        """Sleep until the next feed is due (within bounds), or until woken."""
        if self._woken:
            return
        if self.check:
            next_due = await self.bot.run(self.feeds.next_due)
            delay = MAX_IDLE if next_due is None else (next_due - self.feeds.clock()).total_seconds()
            delay = min(max(delay, MIN_IDLE), MAX_IDLE)
        else:
            delay = ANNOUNCE_IDLE
        if self._woken:  # woken while looking
            return
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        # A timer rather than wait_for: no helper task to outlive the poller.
        handle = loop.call_later(delay, lambda w=self._waiter: w.done() or w.set_result(None))
        try:
            await self._waiter
        finally:
            handle.cancel()
            self._waiter = None

    async def cycle(self) -> None:
        """One pass: check due feeds, then announce and notify from the store."""
        results = await self.bot.run_fetch(self.feeds.poll, should_stop=self._stop.is_set) if self.check else []
        for r in results:
            if r.status == "failed":
                log.info("feeds: F%d %s failed: %s", r.feed.id, r.feed.url, r.error)
            elif r.status == "checked":
                log.info("feeds: F%d %s: %s", r.feed.id, r.feed.url, r.summary())
        if not self._stop.is_set():
            await self.announce()
            await self.notify()

    async def announce(self) -> None:
        for a in await self.bot.run(self.feeds.pending_announcements, ANNOUNCE_BATCH):
            channel = self.bot.get_partial_messageable(int(a.feed.announce_to), guild_id=_guild(a.feed.collection))
            try:
                await channel.send(embed=feed_embeds.announcement(a), allowed_mentions=NO_PINGS)
            except (discord.HTTPException, ValueError) as err:
                # Gone or forbidden: said once in the log, not retried forever.
                log.warning("feeds: cannot announce A%d in channel %s (%s)", a.article.id, a.feed.announce_to, err)
            await self.bot.run(self.feeds.mark_announced, [a.item_id])

    async def notify(self) -> None:
        for feed in await self.bot.run(self.feeds.pending_notices):
            channel = self.bot.get_partial_messageable(int(feed.announce_to), guild_id=_guild(feed.collection))
            try:
                await channel.send(feed_embeds.paused_notice(feed), allowed_mentions=NO_PINGS)
            except (discord.HTTPException, ValueError) as err:
                log.warning("feeds: cannot tell channel %s that F%d is paused (%s)", feed.announce_to, feed.id, err)
            await self.bot.run(self.feeds.mark_noticed, feed.id)


def _guild(collection: str) -> int | None:
    return int(collection) if collection.isdigit() else None
