"""Source lookup: `/source` (a citation or a whole article) and `/articles` (what is held)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import BadQuestion

from .. import render
from ..checks import collections_for, reply
from ..views import article_page, article_view, articles_page

if TYPE_CHECKING:
    from ..client import CoverageBot


class Sources(commands.Cog):
    def __init__(self, bot: CoverageBot):
        self.bot = bot

    @app_commands.command(name="source", description="Show a cited paragraph (A12¶4) or a whole article")
    @app_commands.describe(
        citation="A citation from an answer, e.g. A12¶4",
        article="An article: start typing its headline or outlet",
        public="Post it for everyone in the channel",
    )
    async def source(
        self,
        interaction: discord.Interaction,
        citation: app_commands.Range[str, 1, 40] | None = None,
        article: app_commands.Range[str, 1, 100] | None = None,
        public: bool = False,
    ) -> None:
        bot = self.bot
        if bool(citation) == bool(article):
            raise BadQuestion("give either a citation (like A12¶4) or an article, not both or neither")
        collections = collections_for(interaction.guild_id)
        if citation:
            # Autocomplete and lengths are hints to Discord, so the id is parsed and checked here.
            parsed = render.parse_citation(citation)
            if parsed is None:
                raise BadQuestion(f"{render.clip(citation, 40)!r} is not a citation; they look like A12¶4")
            article_id, ordinal = parsed
            found, passages = await bot.run(bot.engine.passage, article_id, ordinal, collections)
            embed = render.passage_embed(found, passages, ordinal)
            await reply(interaction, embed=embed, view=article_view([article_id]), ephemeral=not public)
            return
        article_id = render.parse_article_id(article or "")
        if article_id is None:
            raise BadQuestion("pick an article from the list, or give its id such as A12")
        embed, view = await article_page(interaction, article_id, 1)
        await reply(interaction, embed=embed, view=view, ephemeral=not public)

    @source.autocomplete("article")
    async def article_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Headline and outlet matches in this server's collection and the seeds (no checks run here)."""
        bot = self.bot
        query = current.strip()[:100] or None
        if query and (aid := render.parse_article_id(query)) is not None:
            query = None if str(aid) == query.lstrip("Aa") else query
        rows = await bot.run(bot.engine.articles, collections_for(interaction.guild_id), query=query, limit=25)
        return [
            app_commands.Choice(
                name=render.clip(f"A{a.id} · {a.outlet or 'unknown'} · {a.title}", 100), value=str(a.id)
            )
            for a in rows
        ]

    @app_commands.command(name="articles", description="The articles held here, newest first")
    @app_commands.describe(outlet="Only this outlet", page="Page number")
    async def articles(
        self,
        interaction: discord.Interaction,
        outlet: app_commands.Range[str, 1, 100] | None = None,
        page: app_commands.Range[int, 1, 10_000] = 1,
    ) -> None:
        outlet = outlet.strip()[:100] if outlet else None
        embed, view = await articles_page(interaction, max(int(page), 1), outlet)
        await reply(interaction, embed=embed, view=view)
