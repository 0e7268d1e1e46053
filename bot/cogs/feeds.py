"""Following feeds: `/feed add|list|remove|pause|resume` (moderators). New articles go to the
server's collection through the same path as `/article add url`; the poller announces them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.ui import Button, DynamicItem

from retrieval import BadSource
from retrieval.feeds.store import parse_feed_id as feed_id_of

from .. import feed_embeds, render
from ..checks import NO_PINGS, actor, collection_of, cooldown, reply, require_moderator
from ..views import CancelButton, _Action

if TYPE_CHECKING:
    from ..client import CoverageBot

MODERATORS = discord.Permissions(manage_messages=True)


def parse_feed_id(text: str | None) -> int:
    """The library's rule for feed ids, with the bot's own wording (autocomplete lists them)."""
    try:
        return feed_id_of(text)
    except BadSource:
        raise BadSource("pick a feed from the list, or give its id such as F3") from None


class ConfirmRemoveFeedButton(_Action, DynamicItem[Button], template=r"cov:feedrm:(?P<fid>\d+)"):
    def __init__(self, feed_id: int):
        button = Button(label="Stop following", style=discord.ButtonStyle.danger, custom_id=f"cov:feedrm:{feed_id}")
        super().__init__(button)
        self.feed_id = feed_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls(int(match["fid"]))

    async def act(self, interaction: discord.Interaction) -> None:
        bot: CoverageBot = interaction.client  # type: ignore[assignment]
        require_moderator(bot, interaction)
        feeds = bot.feed_poller.feeds
        feed = await bot.run(feeds.remove, self.feed_id, [collection_of(interaction.guild_id)])
        text = (
            f"Stopped following `F{feed.id}` **{feed_embeds.feed_name(feed, 200)}**. "
            f"Its {feed.articles} articles stay; remove any with `/article remove`."
        )
        await interaction.response.edit_message(content=text, view=None, embed=None, allowed_mentions=NO_PINGS)


class Feeds(commands.Cog):
    feed = app_commands.Group(
        name="feed",
        description="Follow outlets' RSS and Atom feeds: new articles are added here (moderators)",
        guild_only=True,
        default_permissions=MODERATORS,
    )

    def __init__(self, bot: CoverageBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConfirmRemoveFeedButton)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_moderator(self.bot, interaction)
        return True

    @property
    def feeds(self):
        return self.bot.feed_poller.feeds

    @feed.command(name="add", description="Follow an RSS or Atom feed; its new articles are added to this server")
    @app_commands.describe(
        url="The feed's address (or a web page that names its feed)",
        channel="Announce each new article in this channel",
        keywords="Only items whose title or summary holds one of these words (commas between phrases)",
        interval="Minutes between checks (5 to 1440; default 30 unless the bot's host set another)",
    )
    @cooldown("add")
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        channel: discord.TextChannel | None = None,
        keywords: app_commands.Range[str, 1, 200] | None = None,
        interval: app_commands.Range[int, 5, 1440] | None = None,
    ) -> None:
        bot = self.bot
        await interaction.response.defer(ephemeral=True, thinking=True)
        added = await bot.run_fetch(  # it fetches the feed: on the fetch threads, never the questions'
            self.feeds.add,
            url.strip(),
            collection_of(interaction.guild_id),
            keywords=keywords,
            announce_to=str(channel.id) if channel else None,
            interval=interval,
            added_by=actor(interaction.user),
        )
        bot.feed_poller.wake()
        polling = bot.feed_poller.enabled and bot.feed_poller.check
        await reply(interaction, embed=feed_embeds.added(added, polling=polling))

    @feed.command(name="list", description="The feeds followed here: last check, last new article, errors")
    async def list_(self, interaction: discord.Interaction) -> None:
        rows = await self.bot.run(self.feeds.feeds, [collection_of(interaction.guild_id)])
        await reply(interaction, embed=feed_embeds.feeds_list(rows, self.bot.settings.feed_max_feeds))

    @feed.command(name="remove", description="Stop following a feed (asks to confirm; its articles stay)")
    @app_commands.describe(feed="The feed: start typing its title")
    async def remove(self, interaction: discord.Interaction, feed: app_commands.Range[str, 1, 100]) -> None:
        found = await self.bot.run(self.feeds.feed, parse_feed_id(feed), [collection_of(interaction.guild_id)])
        view = discord.ui.View(timeout=None)
        view.add_item(ConfirmRemoveFeedButton(found.id))
        view.add_item(CancelButton())
        text = (
            f"Stop following `F{found.id}` **{feed_embeds.feed_name(found, 200)}**? "
            f"Its {found.articles} articles stay in this server's coverage."
        )
        await reply(interaction, text, view=view)

    @feed.command(name="pause", description="Stop checking a feed for now")
    @app_commands.describe(feed="The feed: start typing its title")
    async def pause(self, interaction: discord.Interaction, feed: app_commands.Range[str, 1, 100]) -> None:
        who = f"paused by {interaction.user.name}"
        found = await self.bot.run(
            self.feeds.pause, parse_feed_id(feed), [collection_of(interaction.guild_id)], reason=who
        )
        name = feed_embeds.feed_name(found)
        await reply(interaction, f"Paused `F{found.id}` **{name}**; `/feed resume` restarts it.")

    @feed.command(name="resume", description="Check a paused feed again, at once")
    @app_commands.describe(feed="The feed: start typing its title")
    async def resume(self, interaction: discord.Interaction, feed: app_commands.Range[str, 1, 100]) -> None:
        found = await self.bot.run(self.feeds.resume, parse_feed_id(feed), [collection_of(interaction.guild_id)])
        self.bot.feed_poller.wake()
        await reply(interaction, f"Following `F{found.id}` **{feed_embeds.feed_name(found)}** again; checking it now.")

    @remove.autocomplete("feed")
    @pause.autocomplete("feed")
    @resume.autocomplete("feed")
    async def feed_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        rows = await self.bot.run(self.feeds.feeds, [collection_of(interaction.guild_id)])
        query = current.strip().lower()
        return [
            app_commands.Choice(name=render.clip(f"F{f.id} · {f.name} · {f.state}", 100), value=str(f.id))
            for f in rows
            if not query or query in f"f{f.id} {f.name}".lower()
        ][:25]
