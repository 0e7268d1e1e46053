"""Starting and syncing the bot: `coverage-bot run` / `python -m bot`, and `coverage-bot sync`.

Both return an exit code. Problems a person can fix (no token, a rejected token, Discord out of
reach) get one clear line on stderr instead of a traceback; the token itself is never printed.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import aiohttp
import discord

from retrieval import CoverageError, Encoder, Engine, Settings

from .client import create_bot

log = logging.getLogger("bot")

PORTAL = "https://discord.com/developers/applications"
NO_TOKEN = (
    "error: DISCORD_TOKEN is not set. Create an application at {portal}, open Bot → Reset Token, and put "
    "DISCORD_TOKEN=<the token> in .env or the environment (see docs/discord.md)."
)
REJECTED = (
    "error: Discord rejected DISCORD_TOKEN (401 Unauthorized). Copy a fresh token from the Developer Portal "
    "({portal} → your application → Bot → Reset Token) into .env or the environment."
)
UNREACHABLE = "error: cannot reach Discord ({reason}). Check the network connection and try again."


def _fail(template: str, **kw: str) -> int:
    print(template.format(portal=PORTAL, **kw), file=sys.stderr)
    return 2


def setup_logging(settings: Settings) -> None:
    """Startup steps at INFO on the console even when the CLI keeps the root logger quieter."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot").setLevel(settings.log_level)
    logging.getLogger("discord").setLevel(logging.WARNING)


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


def run_bot(settings: Settings, *, encoder: Encoder | None = None) -> int:
    """Connect and serve until stopped."""
    setup_logging(settings)
    token = (settings.discord_token or "").strip()
    if not token:
        return _fail(NO_TOKEN)
    try:
        return asyncio.run(_run(settings, token, encoder))
    except KeyboardInterrupt:
        return 0


async def _run(settings: Settings, token: str, encoder: Encoder | None) -> int:
    try:
        engine = await open_engine(settings, encoder)
    except CoverageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    message_content = True
    try:
        while True:
            bot = create_bot(settings, engine, message_content=message_content)
            try:
                async with bot:
                    log.info("gateway: logging in")
                    await bot.start(token)
                return 0
            except discord.LoginFailure:
                return _fail(REJECTED)
            except discord.PrivilegedIntentsRequired:
                if not message_content:
                    raise
                message_content = False
                log.warning(
                    "gateway: the Message Content intent is not enabled in the Developer Portal; reconnecting "
                    "without it (slash commands and @mentions work, Q&A channels do not)"
                )
            except (aiohttp.ClientError, OSError) as err:
                return _fail(UNREACHABLE, reason=type(err).__name__)
    finally:
        engine.close()


def sync_commands(settings: Settings, guild: int | None = None) -> int:
    """Register the slash commands now: to one server (`guild` or DISCORD_GUILD_ID) or globally."""
    setup_logging(settings)
    token = (settings.discord_token or "").strip()
    if not token:
        return _fail(NO_TOKEN)
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
        return _fail(REJECTED)
    except discord.HTTPException as err:
        return _fail("error: Discord refused the sync: {reason}", reason=f"{err.status} {err.text}")
    except (aiohttp.ClientError, OSError) as err:
        return _fail(UNREACHABLE, reason=type(err).__name__)
    finally:
        engine.close()
