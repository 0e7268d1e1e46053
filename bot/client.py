"""The bot object: built from settings and an open engine, without connecting (tests build it the
same way). `setup_hook` adds the cogs and persistent buttons, and syncs slash commands only when
their definitions changed; nothing is synced in `on_ready`, which fires on every reconnect.

Failures stay small: every Discord API call has a deadline (discord_api.py), an error while
answering gets the member a short message and the log one line, and page fetches run on their
own two threads so slow sites never take the threads questions are answered on.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import CoverageError, Engine, Settings

from .checks import CONVERSION, NO_PINGS, OUR_SIDE, SEND_FAILED, Cooldowns, UnusableOption, reply, wait_text
from .discord_api import DiscordUnavailable, LastStatus, bound_interactions, bound_requests
from .logs import describe
from .poller import FeedPoller
from .store import BotStore
from .views import DYNAMIC_ITEMS

log = logging.getLogger(__name__)
T = TypeVar("T")


def intents(message_content: bool = True) -> discord.Intents:
    """Guilds and messages; message content (privileged) lets Q&A channels read questions."""
    value = discord.Intents.default()
    value.message_content = message_content
    value.typing = False
    value.presences = False
    value.members = False
    return value


STALE_COMMAND = "This command changed since Discord last saw it; try again in a minute, or reopen Discord."
PERMISSIONS = {
    app_commands.BotMissingPermissions: "I need the {} permission here to do that.",
    app_commands.MissingPermissions: "You need the {} permission to use this command.",
}


def member_text(interaction: discord.Interaction, error: app_commands.AppCommandError) -> str:
    """The short message for a command error; logs what people cannot act on."""
    original = getattr(error, "original", error)
    command = interaction.command.qualified_name if interaction.command else "?"
    if isinstance(original, CoverageError | UnusableOption):
        return str(original)
    if isinstance(error, app_commands.CommandOnCooldown):
        return wait_text(error.retry_after)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    for kind, template in PERMISSIONS.items():
        if isinstance(error, kind):
            names = ", ".join(p.replace("_", " ").replace("guild", "server").title() for p in error.missing_permissions)
            return template.format(names)
    if isinstance(error, app_commands.TransformerError):
        log.info("/%s: could not convert a %s option (%s)", command, error.type.name, type(error.value).__name__)
        return CONVERSION.get(error.type, "One of the options given cannot be used; pick it again from the list.")
    if isinstance(error, app_commands.CommandSignatureMismatch | app_commands.CommandNotFound):
        log.warning("/%s: Discord's copy of the command is out of date (%s)", command, type(error).__name__)
        return STALE_COMMAND
    if isinstance(error, app_commands.CheckFailure):
        return str(error)
    if isinstance(original, discord.HTTPException | DiscordUnavailable):
        log.warning("/%s: a reply to Discord failed (%s)", command, describe(original))
        return SEND_FAILED
    log.error("error in /%s", command, exc_info=original)
    return OUR_SIDE


class CoverageTree(app_commands.CommandTree):
    """Turns every command error into a short ephemeral reply; traces go to the log."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        text = member_text(interaction, error)
        try:
            await reply(interaction, text)
        except (discord.HTTPException, DiscordUnavailable) as err:
            log.warning("could not tell %s about an error (%s)", interaction.user.id, describe(err))


class CoverageBot(commands.Bot):
    """A thin Discord face on `Engine`: everything it quotes comes from the engine."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        message_content: bool = True,
        auto_sync: bool = True,
        poll_feeds: bool = True,
    ):
        statuses = LastStatus()
        super().__init__(
            command_prefix=commands.when_mentioned,  # required by commands.Bot; there are no text commands
            intents=intents(message_content),
            allowed_mentions=NO_PINGS,
            tree_cls=CoverageTree,
            help_command=None,
            # Longer rate limits fail at once instead of outliving the call's deadline.
            max_ratelimit_timeout=max(settings.discord_timeout, 30.0),
            http_trace=statuses.config,
        )
        self.settings = settings
        self.engine = engine
        self.store = BotStore(settings.data_dir / "bot.sqlite3")
        self.cooldowns = Cooldowns()
        self.auto_sync = auto_sync
        self._warned_intent = False
        bound_requests(self.http, settings.discord_timeout, statuses)
        #: URL fetches wait on other people's servers: two threads of their own, so however slow
        #: the sites, the default executor's threads stay free for questions.
        self.fetch_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="coverage-fetch")
        self.feed_poller = FeedPoller(self, enabled=poll_feeds, check=settings.feed_polling)

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Engine calls embed and search: they block, so they run in a worker thread."""
        return await asyncio.to_thread(functools.partial(func, *args, **kwargs))

    async def run_fetch(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Work that fetches URLs (and then embeds what it got), on the fetch threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.fetch_pool, functools.partial(func, *args, **kwargs))

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        bound_interactions(self.settings.discord_timeout)  # this task and the event tasks it starts
        await super().start(token, reconnect=reconnect)

    async def on_message(self, message: discord.Message, /) -> None:
        """No text commands: the Ask cog listens for questions. (commands.Bot would look each
        mention up as a command and log CommandNotFound for every question.)"""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """A bug in an event handler: one ERROR with the trace; the bot carries on."""
        log.exception("error in %s", event_method)

    async def setup_hook(self) -> None:
        from .cogs import COGS

        for cog in COGS:
            await self.add_cog(cog(self))
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        self.feed_poller.start()
        if not self.intents.message_content:
            self.warn_no_intent()
        if self.auto_sync:
            await self.sync_commands(self.settings.discord_guild_id, only_if_changed=True)

    def warn_no_intent(self) -> None:
        if not self._warned_intent:
            self._warned_intent = True
            log.warning(
                "the Message Content intent is off: slash commands and @mentions work, but questions in "
                "Q&A channels are not seen (turn it on in the Developer Portal, Bot → Privileged Gateway Intents)"
            )

    def commands_hash(self, guild: discord.abc.Snowflake | None) -> str:
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    async def sync_commands(self, guild_id: int | None, only_if_changed: bool = False) -> int | None:
        """Global by default; to one server (at once, for development) with DISCORD_GUILD_ID.
        Returns how many commands were synced, or None when nothing changed."""
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        key = f"synced:{guild_id or 'global'}"
        digest = self.commands_hash(guild)
        if only_if_changed and self.store.get_meta(key) == digest:
            log.info("commands: unchanged since the last sync (%s)", f"server {guild_id}" if guild_id else "global")
            return None
        synced = await self.tree.sync(guild=guild)
        self.store.set_meta(key, digest)
        log.info("commands: synced %d %s", len(synced), f"to server {guild_id}" if guild_id else "globally")
        return len(synced)

    async def on_ready(self) -> None:
        log.info(
            "gateway: connected as %s (id %s) to %d servers",
            self.user,
            self.user.id if self.user else "?",
            len(self.guilds),
        )

    async def on_resumed(self) -> None:
        log.info("gateway: resumed the session")

    async def on_disconnect(self) -> None:
        if not self.is_closed():
            log.warning("gateway: disconnected; reconnecting")

    async def close(self) -> None:
        await self.feed_poller.stop()
        # discord.py leaves the task that waits for the servers after READY running; if it ends
        # after the close, it dispatches "ready" into a closed client (an error in the log).
        ready = getattr(self._connection, "_ready_task", None)
        if ready is not None and not ready.done():
            ready.cancel()
        await super().close()
        self.fetch_pool.shutdown(wait=False, cancel_futures=True)
        self.store.close()


def create_bot(
    settings: Settings,
    engine: Engine,
    *,
    message_content: bool = True,
    auto_sync: bool = True,
    poll_feeds: bool = True,
) -> CoverageBot:
    """Build the bot and its command tree without connecting; cogs load in `setup_hook`."""
    return CoverageBot(settings, engine, message_content=message_content, auto_sync=auto_sync, poll_feeds=poll_feeds)
