"""The bot object: built from settings and an open engine, without connecting (tests build it the
same way). `setup_hook` adds the cogs and persistent buttons, and syncs slash commands only when
their definitions changed; nothing is synced in `on_ready`, which fires on every reconnect."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import CoverageError, Engine, Settings

from .checks import NO_PINGS, Cooldowns, reply, wait_text
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


class CoverageTree(app_commands.CommandTree):
    """Turns every command error into a short ephemeral reply; traces go to the log."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, CoverageError):
            text = str(original)
        elif isinstance(error, app_commands.CommandOnCooldown):
            text = wait_text(error.retry_after)
        elif isinstance(error, app_commands.NoPrivateMessage):
            text = "This command works in a server, not in direct messages."
        elif isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
            text = str(error)
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("error in /%s", command, exc_info=original)
            text = "Something went wrong on our side; it has been logged."
        try:
            await reply(interaction, text)
        except discord.HTTPException:
            log.warning("could not tell %s about an error (interaction expired?)", interaction.user.id)


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
        super().__init__(
            command_prefix=commands.when_mentioned,  # no text commands; slash commands only
            intents=intents(message_content),
            allowed_mentions=NO_PINGS,
            tree_cls=CoverageTree,
            help_command=None,
        )
        self.settings = settings
        self.engine = engine
        self.store = BotStore(settings.data_dir / "bot.sqlite3")
        self.cooldowns = Cooldowns()
        self.auto_sync = auto_sync
        self._warned_intent = False
        self.feed_poller = FeedPoller(self, enabled=poll_feeds, check=settings.feed_polling)

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Engine calls embed, search and fetch: they block, so they run in a worker thread."""
        return await asyncio.to_thread(functools.partial(func, *args, **kwargs))

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

    async def close(self) -> None:
        await self.feed_poller.stop()
        await super().close()
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
