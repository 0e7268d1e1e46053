"""Starting and syncing the bot: `coverage-bot run` / `python -m bot`, and `coverage-bot sync`.

Both return an exit code: 0 when stopped (Ctrl-C, SIGTERM), 2 for what a restart cannot fix (no
token, a rejected token, a store or settings problem), so a service manager knows not to retry.
Problems a person can fix get one clear line on stderr instead of a traceback; the token itself
is never printed. While running, `Supervisor` restarts the client after anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import aiohttp
import discord

from retrieval import CoverageError, Encoder, Engine, Settings

from . import logs
from .client import create_bot
from .discord_api import DiscordUnavailable
from .supervisor import PORTAL, REJECTED, Backoff, Supervisor, fail

log = logging.getLogger("bot")

NO_TOKEN = (
    "error: DISCORD_TOKEN is not set. Create an application at {portal}, open Bot → Reset Token, and put "
    "DISCORD_TOKEN=<the token> in .env or the environment (see docs/discord.md)."
)
UNREACHABLE = "error: cannot reach Discord ({reason}). Check the network connection and try again."
__all__ = ["NO_TOKEN", "PORTAL", "REJECTED", "UNREACHABLE", "open_engine", "run_bot", "sync_commands"]


def setup_logging(settings: Settings) -> None:
    """A timestamp on every line, as text or JSON lines (COVERAGE_BOT_LOG_FORMAT / --log-format)."""
    logs.configure(settings.log_level, settings.log_format)


async def open_engine(settings: Settings, encoder: Encoder | None = None) -> Engine:
    """Store, model, index: one log line each, all loaded off the event loop."""
    engine = await asyncio.to_thread(Engine.open, settings, encoder)
    stats = await asyncio.to_thread(engine.stats)
    log.info("store: %s (%d articles, %d passages)", settings.db_path, stats["articles"], stats["passages"])
    dimension = await asyncio.to_thread(
        lambda: engine.encoder.dimension
    )  # loads the model now, not on the first question
    log.info("model: %s loaded (%d dimensions)", settings.model, dimension)
    for event in engine.events:
        log.info("index: %s", event)
    log.info("index: %s, %d passages", stats["index_type"], stats["indexed"])
    # The same check as `coverage-bot check`; opening has already rebuilt what is derived.
    health = await asyncio.to_thread(engine.check)
    if health.healthy:
        log.info("check: the data folder is healthy (%d parts checked)", len(health.findings))
    for problem in health.problems:
        log.warning("check: %s: %s (%s)", problem.part, problem.detail, problem.fix)
    return engine


def run_bot(settings: Settings, *, encoder: Encoder | None = None, backoff: Backoff | None = None) -> int:
    """Connect and serve until stopped, restarting the client after failures."""
    setup_logging(settings)
    token = (settings.discord_token or "").strip()
    if not token:
        return fail(NO_TOKEN)
    try:
        return asyncio.run(_run(settings, token, encoder, backoff))
    except KeyboardInterrupt:
        return 0


async def _run(settings: Settings, token: str, encoder: Encoder | None, backoff: Backoff | None) -> int:
    try:
        engine = await open_engine(settings, encoder)
    except CoverageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    supervisor = Supervisor(settings, engine, token, backoff=backoff)
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            loop.add_signal_handler(sig, _stop, supervisor, sig)
            handled.append(sig)
    try:
        return await supervisor.run()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        engine.close()


def _stop(supervisor: Supervisor, sig: signal.Signals) -> None:
    log.info("bot: %s received; closing the connection to Discord", sig.name)
    supervisor.stop()


def sync_commands(settings: Settings, guild: int | None = None) -> int:
    """Register the slash commands now: to one server (`guild` or DISCORD_GUILD_ID) or globally."""
    setup_logging(settings)
    token = (settings.discord_token or "").strip()
    if not token:
        return fail(NO_TOKEN)
    return asyncio.run(_sync(settings, token, guild or settings.discord_guild_id))


async def _sync(settings: Settings, token: str, guild: int | None) -> int:
    try:
        engine = await asyncio.to_thread(Engine.open, settings)
    except CoverageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        bot = create_bot(settings, engine, auto_sync=False, poll_feeds=False)
        async with bot:
            await bot.login(token)
            count = await bot.sync_commands(guild)
        where = f"to server {guild} (available there now)" if guild else "globally (every server the bot is in)"
        print(f"Synced {count} commands {where}.")
        return 0
    except discord.LoginFailure:
        return fail(REJECTED)
    except discord.HTTPException as err:
        return fail("error: Discord refused the sync: {reason}", reason=f"{err.status} {err.text}")
    except (DiscordUnavailable, aiohttp.ClientError, OSError, TimeoutError) as err:
        return fail(UNREACHABLE, reason=logs.describe(err))
    finally:
        engine.close()
