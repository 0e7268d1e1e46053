"""Buttons. Each carries its state in its custom_id (discord.py's `DynamicItem`), so buttons on old
messages keep working after a restart: the bot registers the templates once in `setup_hook`.

Checks run again in every callback (a button on a public message can be pressed by anyone), and
article lookups are scoped to the presser's server, so ids from elsewhere give "not found".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ui import Button, DynamicItem

from retrieval import CoverageError

from . import render
from .checks import (
    NO_PINGS,
    OUR_SIDE,
    SEND_FAILED,
    actor,
    collection_of,
    collections_for,
    reply,
    require_moderator,
    wait_text,
)
from .discord_api import DiscordUnavailable
from .logs import describe

if TYPE_CHECKING:
    from .client import CoverageBot

log = logging.getLogger(__name__)


async def guarded(interaction: discord.Interaction, action: Callable[[], Awaitable[Any]]) -> None:
    """Run a button or modal action; people get a short message, the log gets one line (a trace
    only for our own bugs), and a reply that fails is never raised into discord.py."""
    custom_id = (interaction.data or {}).get("custom_id")
    try:
        await action()
        return
    except CoverageError as err:
        text = str(err)
    except app_commands.CommandOnCooldown as err:
        text = wait_text(err.retry_after)
    except app_commands.CheckFailure as err:
        text = str(err)
    except (discord.HTTPException, DiscordUnavailable) as err:
        log.warning("a reply to a button or form failed (custom_id %s): %s", custom_id, describe(err))
        text = SEND_FAILED
    except Exception:
        log.exception("error in a button or form (custom_id %s)", custom_id)
        text = OUR_SIDE
    try:
        await reply(interaction, text)
    except (discord.HTTPException, DiscordUnavailable) as err:
        log.warning("could not tell %s about an error (%s)", interaction.user.id, describe(err))


class _Action:
    """Routes a DynamicItem's click through `guarded`; subclasses implement `act`."""

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: self.act(interaction))

    async def act(self, interaction: discord.Interaction) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _bot(interaction: discord.Interaction) -> CoverageBot:
    return interaction.client  # type: ignore[return-value]


class MoreButton(_Action, DynamicItem[Button], template=r"cov:more:(?P<qid>\d+):(?P<offset>\d+)"):
    """The next passages for a question, shown only to whoever asked for them."""

    def __init__(self, qid: int, offset: int):
        super().__init__(Button(label="More", style=discord.ButtonStyle.primary, custom_id=f"cov:more:{qid}:{offset}"))
        self.qid, self.offset = qid, offset

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls(int(match["qid"]), int(match["offset"]))

    async def act(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        asked = bot.store.asked(self.qid)
        if asked is None:
            await reply(interaction, "That question is no longer on record; ask it again with `/ask`.")
            return
        question, _, k, as_of = asked
        bot.cooldowns.check("ask", interaction.user.id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        collections = collections_for(interaction.guild_id)
        answer = await bot.run(bot.engine.ask, question, collections=collections, k=k, offset=self.offset, as_of=as_of)
        if not answer.answered:
            await reply(interaction, embed=render.no_answer_embed(question, more=True))
            return
        view = answer_view(self.qid, answer.hits, k, self.offset + len(answer.hits), more=len(answer.hits) >= k)
        await reply(interaction, embed=render.answer_embed(answer, self.offset), view=view)


class FeedbackButton(_Action, DynamicItem[Button], template=r"cov:fb:(?P<qid>\d+):(?P<verdict>[yn])"):
    """Helpful / Not helpful, kept with the question for evaluation and `/gaps`."""

    def __init__(self, qid: int, helpful: bool):
        label, style = (
            ("Helpful", discord.ButtonStyle.success) if helpful else ("Not helpful", discord.ButtonStyle.secondary)
        )
        super().__init__(Button(label=label, style=style, custom_id=f"cov:fb:{qid}:{'y' if helpful else 'n'}"))
        self.qid, self.helpful = qid, helpful

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls(int(match["qid"]), match["verdict"] == "y")

    async def act(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        await bot.run(bot.engine.record_feedback, self.qid, actor(interaction.user), self.helpful)
        verdict = "helpful" if self.helpful else "not helpful; moderators will see the question in `/gaps`"
        await reply(interaction, f"Thanks: noted as {verdict}.")


class _ArticleAction(_Action):
    """A button about one article: its custom id is `cov:<key>:<article id>`."""

    key = ""
    label = "{}"
    style = discord.ButtonStyle.secondary

    def __init__(self, article_id: int):
        custom_id = f"cov:{self.key}:{article_id}"
        super().__init__(Button(label=self.label.format(article_id), style=self.style, custom_id=custom_id))
        self.article_id = article_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls(int(match["aid"]))


class FullArticleButton(_ArticleAction, DynamicItem[Button], template=r"cov:full:(?P<aid>\d+)"):
    """Opens an article, paginated, in a message only the presser sees."""

    key, label = "full", "Full article A{}"

    async def act(self, interaction: discord.Interaction) -> None:
        embed, view = await article_page(interaction, self.article_id, 1)
        await reply(interaction, embed=embed, view=view)


def _nav_button(forward: bool, custom_id: str, disabled: bool) -> Button:
    """A ◀ Previous / Next ▶ button, for article pages and `/articles` pages alike."""
    label = "Next ▶" if forward else "◀ Previous"
    return Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id, disabled=disabled)


class PageButton(_Action, DynamicItem[Button], template=r"cov:page:(?P<aid>\d+):(?P<page>\d+):(?P<dir>[pn])"):
    """Previous/next page of an article, edited in place."""

    def __init__(self, article_id: int, page: int, forward: bool, disabled: bool = False):
        d = "n" if forward else "p"
        super().__init__(_nav_button(forward, f"cov:page:{article_id}:{page}:{d}", disabled))
        self.article_id, self.page = article_id, page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls(int(match["aid"]), int(match["page"]), match["dir"] == "n")

    async def act(self, interaction: discord.Interaction) -> None:
        embed, view = await article_page(interaction, self.article_id, self.page)
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_PINGS)


async def article_page(
    interaction: discord.Interaction, article_id: int, page: int
) -> tuple[discord.Embed, discord.ui.View]:
    bot = _bot(interaction)
    article, passages = await bot.run(bot.engine.article, article_id, collections_for(interaction.guild_id))
    pages = render.article_pages(passages)
    page = min(max(page, 1), pages)
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(article_id, max(page - 1, 1), False, disabled=page <= 1))
    view.add_item(PageButton(article_id, min(page + 1, pages), True, disabled=page >= pages))
    return render.article_embed(article, passages, page), view


class ListButton(_Action, DynamicItem[Button], template=r"cov:list:(?P<page>\d+):(?P<dir>[pn]):(?P<outlet>.{0,60})"):
    """Previous/next page of `/articles`; the outlet filter rides in the custom_id."""

    def __init__(self, page: int, forward: bool, outlet: str = "", disabled: bool = False):
        d = "n" if forward else "p"
        super().__init__(_nav_button(forward, f"cov:list:{page}:{d}:{outlet}", disabled))
        self.page, self.outlet = page, outlet

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls(int(match["page"]), match["dir"] == "n", match["outlet"])

    async def act(self, interaction: discord.Interaction) -> None:
        embed, view = await articles_page(interaction, self.page, self.outlet or None)
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NO_PINGS)


async def articles_page(
    interaction: discord.Interaction, page: int, outlet: str | None
) -> tuple[discord.Embed, discord.ui.View | None]:
    bot = _bot(interaction)
    collections = collections_for(interaction.guild_id)
    total = await bot.run(bot.engine.count_articles, collections, outlet)
    pages = max(1, -(-total // render.ARTICLES_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = await bot.run(
        bot.engine.articles,
        collections,
        outlet=outlet,
        limit=render.ARTICLES_PER_PAGE,
        offset=(page - 1) * render.ARTICLES_PER_PAGE,
    )
    embed = render.articles_embed(rows, page, total, outlet)
    if pages == 1 or len(outlet or "") > 60:
        return embed, None
    view = discord.ui.View(timeout=None)
    view.add_item(ListButton(max(page - 1, 1), False, outlet or "", disabled=page <= 1))
    view.add_item(ListButton(min(page + 1, pages), True, outlet or "", disabled=page >= pages))
    return embed, view


class RemoveButton(_ArticleAction, DynamicItem[Button], template=r"cov:rm:(?P<aid>\d+)"):
    """On an add report: undo a mistake (asks for confirmation first)."""

    key, label, style = "rm", "Remove A{}", discord.ButtonStyle.danger

    async def act(self, interaction: discord.Interaction) -> None:
        await ask_to_remove(interaction, self.article_id)


async def ask_to_remove(interaction: discord.Interaction, article_id: int) -> None:
    """Show what would be removed, with Remove / Cancel buttons."""
    bot = _bot(interaction)
    require_moderator(bot, interaction)
    article, _ = await bot.run(bot.engine.article, article_id, [collection_of(interaction.guild_id)])
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmRemoveButton(article_id))
    view.add_item(CancelButton())
    text = (
        f"Remove `A{article.id}` **{render.escape(render.clip(article.title, 200))}** "
        f"({render.escape(article.outlet or 'unknown outlet')}, {article.paragraphs} paragraphs)? "
        "Its passages stop appearing in answers at once."
    )
    await reply(interaction, text, view=view)


class ConfirmRemoveButton(_Action, DynamicItem[Button], template=r"cov:rmok:(?P<aid>\d+)"):
    def __init__(self, article_id: int):
        super().__init__(Button(label="Remove", style=discord.ButtonStyle.danger, custom_id=f"cov:rmok:{article_id}"))
        self.article_id = article_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls(int(match["aid"]))

    async def act(self, interaction: discord.Interaction) -> None:
        bot = _bot(interaction)
        require_moderator(bot, interaction)
        article = await bot.run(
            bot.engine.remove,
            self.article_id,
            collections=[collection_of(interaction.guild_id)],
            actor=actor(interaction.user),
        )
        text = f"Removed `A{article.id}` **{render.escape(render.clip(article.title, 200))}**."
        await interaction.response.edit_message(content=text, view=None, embed=None, allowed_mentions=NO_PINGS)


class CancelButton(_Action, DynamicItem[Button], template=r"cov:cancel"):
    def __init__(self) -> None:
        super().__init__(Button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="cov:cancel"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Button, match: re.Match[str]):
        return cls()

    async def act(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content="Nothing was removed.", view=None, allowed_mentions=NO_PINGS)


def answer_view(qid: int, hits: Sequence, k: int, next_offset: int, more: bool = True) -> discord.ui.View:
    """More · Helpful · Not helpful, then a Full article button per quoted article (up to 5)."""
    view = discord.ui.View(timeout=None)
    if more:
        view.add_item(MoreButton(qid, next_offset))
    view.add_item(FeedbackButton(qid, True))
    view.add_item(FeedbackButton(qid, False))
    seen: list[int] = []
    for hit in hits:
        if hit.article.id not in seen and len(seen) < 5:
            seen.append(hit.article.id)
            item = FullArticleButton(hit.article.id)
            item.row = 1
            view.add_item(item)
    return view


def article_view(article_ids: Sequence[int]) -> discord.ui.View:
    """Full article buttons alone, for `/compare`, `/quote` and `/source`."""
    view = discord.ui.View(timeout=None)
    for aid in list(dict.fromkeys(article_ids))[:5]:
        view.add_item(FullArticleButton(aid))
    return view


DYNAMIC_ITEMS = (
    MoreButton,
    FeedbackButton,
    FullArticleButton,
    PageButton,
    ListButton,
    RemoveButton,
    ConfirmRemoveButton,
    CancelButton,
)
