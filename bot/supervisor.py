"""Keeping the bot up: one client at a time, and a new one, after a pause that grows, whenever
something ends it (Discord out of reach at start, a failed command sync, an error inside
discord.py's gateway handling). Only what a restart cannot fix ends the process: a rejected
token or settings Discord refuses (exit 2), or a stop request (exit 0).

discord.py already reconnects a dropped gateway by itself; this loop is for what escapes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import discord

from retrieval import Engine, Settings

from .client import CoverageBot, create_bot
from .discord_api import DiscordUnavailable
from .logs import describe

log = logging.getLogger("bot")  # start-up and restarts: the same logger as main.py

PORTAL = "https://discord.com/developers/applications"
REJECTED = (
    "error: Discord rejected DISCORD_TOKEN (401 Unauthorized). Copy a fresh token from the Developer Portal "
    "({portal} → your application → Bot → Reset Token) into .env or the environment."
)
#: Gateway close codes a restart cannot fix (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
FATAL_CLOSE = {
    4004: "the token was rejected",
    4010: "an invalid shard was sent",
    4011: "the bot is in too many servers to connect without sharding",
    4012: "the gateway API version is not supported",
    4013: "the intents asked for are invalid",
}
EXIT_STOPPED = 0
EXIT_DO_NOT_RESTART = 2


def fail(template: str, **kw: str) -> int:
    print(template.format(portal=PORTAL, **kw), file=sys.stderr)
    return EXIT_DO_NOT_RESTART


@dataclass
class Backoff:
    """Pauses between restarts: `first`, doubling up to `cap`, each shortened by up to a half at
    random so that many bots restarting together do not return in step."""

    first: float = 2.0
    cap: float = 300.0

    def delay(self, attempt: int) -> float:
        base = min(self.cap, self.first * 2 ** max(attempt - 1, 0))
        return base * random.uniform(0.5, 1.0)


class Supervisor:
    """Runs `CoverageBot`s over one open engine until stopped."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        token: str,
        *,
        backoff: Backoff | None = None,
        healthy_after: float = 600.0,
        make_bot: Callable[..., CoverageBot] = create_bot,
    ):
        self.settings, self.engine, self.token = settings, engine, token
        self.backoff = backoff or Backoff()
        self.healthy_after = healthy_after  # a client that ran this long starts the pauses afresh
        self.make_bot = make_bot
        self.bot: CoverageBot | None = None
        self.restarts = 0
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Ask the running client to close; `run` then returns 0 (safe from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def run(self) -> int:
        message_content = True
        attempt = 0
        while not self.stopping:
            bot = self.bot = self.make_bot(self.settings, self.engine, message_content=message_content)
            started = time.monotonic()
            try:
                log.info("gateway: logging in")
                await self._serve(bot)
                if self.stopping:
                    break
                reason, level, trace = "the connection to Discord ended", logging.WARNING, None
            except discord.LoginFailure:
                return fail(REJECTED)
            except discord.PrivilegedIntentsRequired:
                if not message_content:
                    return fail("error: Discord refused the bot's intents even without Message Content.")
                message_content = False
                log.warning(
                    "gateway: the Message Content intent is not enabled in the Developer Portal; reconnecting "
                    "without it (slash commands and @mentions work, Q&A channels do not)"
                )
                continue
            except discord.ConnectionClosed as err:
                if err.code in FATAL_CLOSE:
                    if err.code == 4004:
                        return fail(REJECTED)
                    return fail(
                        "error: Discord closed the gateway with code {code}: {why}. Check the bot's settings.",
                        code=str(err.code),
                        why=FATAL_CLOSE[err.code],
                    )
                reason, level, trace = f"the gateway closed ({describe(err)})", logging.WARNING, None
            except (DiscordUnavailable, aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound) as err:
                reason, level, trace = f"cannot reach Discord ({describe(err)})", logging.WARNING, None
            except discord.HTTPException as err:  # a 5xx after discord.py's retries, or a refused sync
                reason, level, trace = f"Discord answered {err.status} ({describe(err)})", logging.WARNING, None
            except Exception as err:  # noqa: BLE001 - a bug, ours or discord.py's: worth a trace, not a dead bot
                reason, level, trace = f"an unexpected error ({describe(err)})", logging.ERROR, err
            finally:
                await bot.close()
            if self.stopping:
                break
            attempt = 1 if time.monotonic() - started > self.healthy_after else attempt + 1
            self.restarts += 1
            delay = self.backoff.delay(attempt)
            log.log(
                level, "bot: stopped by %s; restarting in %.1f s (attempt %d)", reason, delay, attempt, exc_info=trace
            )
            await self._pause(delay)
        return EXIT_STOPPED

    async def _serve(self, bot: CoverageBot) -> None:
        """Log in and serve until the client ends (raising what ended it) or a stop is asked."""
        start = asyncio.ensure_future(bot.start(self.token))
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({start, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not start.done():  # stopped: close, then let the start task finish quietly
            await bot.close()
            await asyncio.gather(start, return_exceptions=True)
            return
        start.result()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
