"""Asking: `/ask`, `/compare`, `/quote`, and questions in Q&A channels or mentioning the bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from retrieval import CoverageError
from retrieval.quotes import unframe

from .. import render
from ..checks import NO_PINGS, OUR_SIDE, actor, collection_of, collections_for, cooldown, reply, wait_text
from ..discord_api import DiscordUnavailable
from ..logs import describe
from ..views import answer_view, article_view

if TYPE_CHECKING:
    from ..client import CoverageBot

log = logging.getLogger(__name__)

#: Answers longer than this (in embed characters) go to a thread on the question in busy channels.
LONG_ANSWER = 1800
_QUESTION_START = re.compile(
    r"^(who|whom|whose|what|when|where|why|how|which|did|does|do|is|are|was|were|can|could|will|would|"
    r"should|has|have|had)\b",
    re.I,
)
USAGE = (
    "Ask me a question after the mention, e.g. “@{name} what did Trump say about Russian losses?”, or use `/ask`."
    " `/help` lists what I can do."
)


#: What a failed call to Discord can raise once discord.py has retried what it retries.
SEND_ERRORS = (discord.HTTPException, DiscordUnavailable, aiohttp.ClientError, OSError)


def looks_like_question(text: str) -> bool:
    """In Q&A channels, answer questions, not every remark."""
    text = text.strip()
    return text.endswith("?") or bool(_QUESTION_START.match(text))


@asynccontextmanager
async def typing_in(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """Show "typing…" while answering. It is cosmetic, so it runs beside the answer: a typing call
    that fails or hangs never delays or costs the answer."""

    async def keep_typing() -> None:
        try:
            while True:
                await channel.typing()  # one indicator, shown for about ten seconds
                await asyncio.sleep(8)
        except SEND_ERRORS as err:
            log.debug("typing indicator in %s failed: %s", getattr(channel, "id", "?"), describe(err))

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()


class Ask(commands.Cog):
    def __init__(self, bot: CoverageBot):
        self.bot = bot

    async def answer(
        self, question: str, guild_id: int | None, user: discord.abc.User, k: int, asked_at: dt.datetime
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """Ask the engine (off the loop) as of the day the question was sent, keep the question
        for More and feedback, render."""
        bot = self.bot
        collections = collections_for(guild_id)
        as_of = asked_at.astimezone(dt.UTC).date()
        result = await bot.run(bot.engine.ask, question, collections=collections, k=k, as_of=as_of)
        qid = await bot.run(bot.engine.record_question, collection_of(guild_id), result, actor(user))
        await bot.run(bot.store.remember, qid, result.question, collections, k, as_of)  # a write: off the loop
        if not result.answered:
            return render.no_answer_embed(result.question, related=result.related), None
        view = answer_view(qid, result.hits, k, len(result.hits), more=len(result.hits) >= k)
        return render.answer_embed(result), view

    def count(self, value: int | None) -> int:
        return max(1, min(value or self.bot.settings.default_k, self.bot.settings.max_k))

    @app_commands.command(name="ask", description="Quote the passages in the articles held that answer a question")
    @app_commands.describe(
        question="Your question, e.g. What did Trump say about Russian losses?",
        count="How many passages to quote (1–10)",
        public="Post the answer for everyone in the channel (default: only you see it)",
    )
    @cooldown("ask")
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 500],
        count: app_commands.Range[int, 1, 10] | None = None,
        public: bool = False,
    ) -> None:
        question = self.bot.engine.check_question(question)  # Range is a hint to Discord; check here
        await interaction.response.defer(ephemeral=not public, thinking=True)
        embed, view = await self.answer(
            question, interaction.guild_id, interaction.user, self.count(count), interaction.created_at
        )
        await reply(interaction, embed=embed, view=view, ephemeral=not public)

    @app_commands.command(name="compare", description="How each outlet covered a topic: its best passage, with dates")
    @app_commands.describe(topic="The topic or claim, e.g. Russian losses", public="Post it for everyone")
    @cooldown("ask")
    async def compare(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 500], public: bool = False
    ) -> None:
        topic = self.bot.engine.check_question(topic)
        await interaction.response.defer(ephemeral=not public, thinking=True)
        bot = self.bot
        as_of = interaction.created_at.astimezone(dt.UTC).date()
        result = await bot.run(
            bot.engine.compare, topic, collections=collections_for(interaction.guild_id), as_of=as_of
        )
        ids = [h.article.id for o in result.outlets for h in o.hits]
        view = article_view(ids) if ids else None
        await reply(interaction, embed=render.comparison_embed(result), view=view, ephemeral=not public)

    @app_commands.command(name="quote", description="Who is quoted saying something, in which articles and paragraphs")
    @app_commands.describe(
        text="The words, or a question like: Did Trump say Russia lost 800,000 soldiers?",
        public="Post it for everyone in the channel",
    )
    @cooldown("ask")
    async def quote(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 500], public: bool = False
    ) -> None:
        text = self.bot.engine.check_question(text)
        quotation, _ = unframe(text)
        await interaction.response.defer(ephemeral=not public, thinking=True)
        bot = self.bot
        as_of = interaction.created_at.astimezone(dt.UTC).date()
        found = await bot.run(bot.engine.quote, text, collections=collections_for(interaction.guild_id), as_of=as_of)
        view = article_view([m.hit.article.id for m in found]) if found else None
        await reply(interaction, embed=render.quote_embed(quotation, found), view=view, ephemeral=not public)

    # -- questions in channels ----------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        bot = self.bot
        if message.author.bot or message.webhook_id is not None or bot.user is None:
            return
        # Not `mentioned_in`: that is also true for @everyone, which must never summon the bot.
        mentioned = any(u.id == bot.user.id for u in message.mentions)
        guild_id = message.guild.id if message.guild else None
        qa = guild_id is not None and bot.store.is_qa_channel(guild_id, message.channel.id)
        if not (mentioned or qa or guild_id is None):
            return
        text = re.sub(rf"<@!?{bot.user.id}>", " ", message.content)
        text = " ".join(re.sub(r"@(everyone|here)\b", " ", text).split())
        if not text:
            if mentioned:
                await self.deliver(message, content=USAGE.format(name=bot.user.display_name))
            elif not bot.intents.message_content:
                bot.warn_no_intent()
            return
        if not mentioned and not looks_like_question(text):
            return
        if (retry := bot.cooldowns.retry_after("channel", message.author.id)) is not None:
            await self.deliver(message, content=wait_text(retry), delete_after=min(retry, 30))
            return
        try:
            question = bot.engine.check_question(text)
            async with typing_in(message.channel):
                embed, view = await self.answer(
                    question, guild_id, message.author, bot.settings.default_k, message.created_at
                )
        except CoverageError as err:
            await self.deliver(message, content=str(err))
            return
        except Exception:
            log.exception("error answering a message in channel %s", message.channel.id)
            await self.deliver(message, content=OUR_SIDE)
            return
        await self.send_answer(message, question, embed, view)

    async def send_answer(
        self, message: discord.Message, question: str, embed: discord.Embed, view: discord.ui.View | None
    ) -> None:
        """Reply to the question; a long answer in a server channel goes to a thread on it."""
        kwargs: dict = {"embed": embed}
        if view is not None:
            kwargs["view"] = view
        long = len(embed) > LONG_ANSWER
        if long and isinstance(message.channel, discord.TextChannel):
            try:
                thread = await message.create_thread(name=render.clip(question, 90), auto_archive_duration=1440)
                await thread.send(allowed_mentions=NO_PINGS, **kwargs)
                return
            except SEND_ERRORS as err:
                log.info("no thread in %s (%s); replying in the channel", message.channel.id, describe(err))
        await self.deliver(message, **kwargs)

    async def deliver(self, message: discord.Message, **kwargs) -> bool:
        """Reply to `message`, never raising: if Discord refuses the reply itself (the question was
        deleted meanwhile), the answer goes to the channel; if nothing can be sent, one log line."""
        kwargs["allowed_mentions"] = NO_PINGS
        try:
            await message.reply(mention_author=False, **kwargs)
            return True
        except discord.HTTPException as err:
            failure: BaseException = err
            if err.status in (400, 404) and not isinstance(err, discord.Forbidden):
                try:
                    await message.channel.send(**kwargs)
                    return True
                except SEND_ERRORS as second:
                    failure = second
        except SEND_ERRORS as err:
            failure = err
        log.warning("could not answer message %s in channel %s: %s", message.id, message.channel.id, describe(failure))
        return False
