"""Moderating a server's articles: `/article add|paste|edit|remove|history` and `/gaps`.

Hidden from members by `default_permissions` (Manage Messages) and checked again when run,
since server admins can change who sees a command. Articles go to the server's own collection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import PurePath
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import BadSource, NotFound
from retrieval.models import Article, IngestReport
from retrieval.parse import check_suffix, from_fields, parse_bytes
from retrieval.urls import normalise_url

from .. import render
from ..checks import CONVERSION, UnusableOption, actor, collection_of, cooldown, reply, require_moderator
from ..views import RemoveButton, ask_to_remove, guarded

if TYPE_CHECKING:
    from ..client import CoverageBot

log = logging.getLogger(__name__)
MODERATORS = discord.Permissions(manage_messages=True)


async def report_reply(bot: CoverageBot, interaction: discord.Interaction, report: IngestReport) -> None:
    """Show what was extracted, with a Remove button for each article added or updated."""
    collection = [collection_of(interaction.guild_id)]
    articles: list[Article] = []
    for o in report.outcomes:
        if o.article_id is not None:
            with contextlib.suppress(NotFound):  # removed meanwhile
                articles.append((await bot.run(bot.engine.article, o.article_id, collection))[0])
    view = discord.ui.View(timeout=None)
    for o in report.outcomes[:5]:
        if o.status in {"added", "updated"} and o.article_id is not None:
            view.add_item(RemoveButton(o.article_id))
    await reply(interaction, embed=render.ingest_embed(report, articles), view=view if view.children else None)


class PasteModal(discord.ui.Modal, title="Add an article"):
    headline = discord.ui.TextInput(label="Headline", max_length=300)
    outlet = discord.ui.TextInput(label="Outlet", max_length=100, required=False, placeholder="e.g. Caliber.Az")
    author = discord.ui.TextInput(label="Author", max_length=200, required=False)
    url = discord.ui.TextInput(label="URL", max_length=2000, required=False, placeholder="https://…")
    text = discord.ui.TextInput(
        label="Text (a blank line between paragraphs)", style=discord.TextStyle.paragraph, max_length=4000
    )

    def __init__(self, bot: CoverageBot, published: str | None):
        super().__init__()
        self.bot, self.published = bot, published

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: self.add(interaction))

    async def add(self, interaction: discord.Interaction) -> None:
        bot = self.bot
        require_moderator(bot, interaction)
        parsed = from_fields(
            self.headline.value,
            self.text.value,
            outlet=self.outlet.value or None,
            author=self.author.value or None,
            published=self.published,
            url=self.url.value or None,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await bot.run(
            bot.engine.add, [parsed], collection=collection_of(interaction.guild_id), added_by=actor(interaction.user)
        )
        await report_reply(bot, interaction, report)


class EditModal(discord.ui.Modal, title="Fix an article's details"):
    def __init__(self, bot: CoverageBot, article: Article):
        super().__init__(title=render.clip(f"Fix A{article.id}", 45))
        self.bot, self.article = bot, article
        self.fields = {
            "title": discord.ui.TextInput(label="Headline", default=article.title[:300], max_length=300),
            "outlet": discord.ui.TextInput(label="Outlet", default=article.outlet, required=False, max_length=100),
            "author": discord.ui.TextInput(label="Author", default=article.author, required=False, max_length=200),
            "published": discord.ui.TextInput(
                label="Date (YYYY-MM-DD)", default=article.published, required=False, max_length=10
            ),
            "url": discord.ui.TextInput(label="URL", default=article.url, required=False, max_length=2000),
        }
        for item in self.fields.values():
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: self.save(interaction))

    async def save(self, interaction: discord.Interaction) -> None:
        bot = self.bot
        require_moderator(bot, interaction)
        changes = {
            k: (item.value.strip() or None)
            for k, item in self.fields.items()
            if (item.value.strip() or None) != getattr(self.article, k)
        }
        if not changes:
            await reply(interaction, "Nothing changed.")
            return
        updated = await bot.run(
            bot.engine.edit,
            self.article.id,
            changes,
            collections=[collection_of(interaction.guild_id)],
            actor=actor(interaction.user),
        )
        lines = [f"Updated `A{updated.id}`:"] + [
            f"{k}: {render.escape(str(getattr(self.article, k) or '—'))} → {render.escape(str(v or '—'))}"
            for k, v in changes.items()
        ]
        await reply(interaction, render.clip("\n".join(lines), 2000))


class Moderation(commands.Cog):
    article = app_commands.Group(
        name="article",
        description="Add, fix and remove this server's articles (moderators)",
        guild_only=True,
        default_permissions=MODERATORS,
    )

    def __init__(self, bot: CoverageBot):
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_moderator(self.bot, interaction)
        return True

    @article.command(name="add", description="Add an article from a URL or a file (text, Markdown or HTML)")
    @app_commands.describe(url="The article's web address", file="A .txt, .md or .html file (.markdown and .htm too)")
    @cooldown("add")
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000] | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        bot = self.bot
        if bool(url) == bool(file):
            raise BadSource("give either a url or a file, not both or neither")
        collection, by = collection_of(interaction.guild_id), actor(interaction.user)
        if url:
            url = url.strip()
            normalise_url(url)  # refuses what cannot be an article's address, by the one rule
            await interaction.response.defer(ephemeral=True, thinking=True)
            report = await bot.run_fetch(bot.engine.ingest, [url], collection=collection, added_by=by)
        else:
            if not isinstance(file, discord.Attachment):  # an id Discord did not resolve
                raise UnusableOption(CONVERSION[discord.AppCommandOptionType.attachment])
            suffix = PurePath(file.filename).suffix.lower()
            check_suffix(suffix, file.filename)
            limit = bot.settings.fetch_max_bytes
            if file.size > limit:
                raise BadSource(f"{file.filename}: {file.size:,} bytes is more than the {limit:,} allowed")
            await interaction.response.defer(ephemeral=True, thinking=True)
            try:
                async with asyncio.timeout(bot.settings.discord_timeout):
                    data = await file.read()
            except TimeoutError:
                raise BadSource(f"{file.filename}: Discord did not hand over the file in time; try again") from None
            if len(data) > limit:  # the size Discord reported is a claim; check what arrived
                raise BadSource(f"{file.filename}: the file is larger than the {limit:,} bytes allowed")
            parsed = await bot.run(parse_bytes, data, suffix, file.filename)
            report = await bot.run(bot.engine.add, [parsed], collection=collection, added_by=by)
        await report_reply(bot, interaction, report)

    @article.command(name="paste", description="Add an article by pasting its text into a form")
    @app_commands.describe(date="Publication date, YYYY-MM-DD (the form has room for five fields only)")
    async def paste(self, interaction: discord.Interaction, date: app_commands.Range[str, 1, 10] | None = None) -> None:
        from retrieval.parse import normalise_date

        published = normalise_date(date.strip()) if date else None
        await interaction.response.send_modal(PasteModal(self.bot, published))

    @article.command(name="edit", description="Fix an article's headline, outlet, author, date or URL")
    @app_commands.describe(id="The article id, e.g. A12")
    async def edit(self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 20]) -> None:
        bot = self.bot
        article_id = render.parse_article_id(id)
        if article_id is None:
            raise BadSource(f"{render.clip(id, 20)!r} is not an article id; they look like A12")
        article, _ = await bot.run(bot.engine.article, article_id, [collection_of(interaction.guild_id)])
        await interaction.response.send_modal(EditModal(bot, article))

    @article.command(name="remove", description="Remove an article (asks to confirm)")
    @app_commands.describe(id="The article id, e.g. A12")
    async def remove(self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 20]) -> None:
        article_id = render.parse_article_id(id)
        if article_id is None:
            raise BadSource(f"{render.clip(id, 20)!r} is not an article id; they look like A12")
        await ask_to_remove(interaction, article_id)

    @article.command(name="history", description="Who added, edited and removed which articles, and when")
    async def history(self, interaction: discord.Interaction) -> None:
        bot = self.bot
        collection = collection_of(interaction.guild_id)
        rows = await bot.run(bot.engine.history, collection, 25)
        name = interaction.guild.name if interaction.guild and interaction.guild.name else "this server"
        await reply(interaction, embed=render.history_embed(rows, name))

    @app_commands.command(name="gaps", description="Questions the coverage could not answer, most asked first")
    @app_commands.describe(days="How far back to look (default 30 days)")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    async def gaps(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 30) -> None:
        bot = self.bot
        days = max(1, min(int(days), 365))
        rows = await bot.run(bot.engine.gaps, collection_of(interaction.guild_id), days, 20)
        await reply(interaction, embed=render.gaps_embed(rows, days))
