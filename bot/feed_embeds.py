"""Feeds → Discord: the announcement of a new article, the `/feed add` reply, `/feed list` and
the paused notice. Limits, escaping and attribution come from `render`, like every embed."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from retrieval.feeds import Announcement, Feed, FeedAdded
from retrieval.feeds.store import parse_stamp

from . import render

#: How much of an article's first passage an announcement shows.
FIRST_PASSAGE = 700
FEEDS_SHOWN = render.FIELDS - 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _when(stamp: str | None, style: str = "R") -> str:
    when = parse_stamp(stamp)
    return f"<t:{int(when.timestamp())}:{style}>" if when else "never"


def feed_name(feed: Feed, limit: int = 100) -> str:
    return render.escape(render.clip(feed.name, limit))


def announcement(a: Announcement) -> discord.Embed:
    """A new article: headline (linked), its first passage, and the full attribution."""
    article = a.article
    embed = discord.Embed(title=render.clip(article.title, render.TITLE), url=article.url, colour=render.COLOUR)
    passage = render.escape(render.clip(a.first_passage, FIRST_PASSAGE)) if a.first_passage else ""
    embed.description = f"{passage}\n\n{render.attribution(article)}".strip()
    embed.set_footer(text=render.clip(f"New from the feed {a.feed.name} · ask about it with /ask", render.FOOTER))
    return render.fit(embed)


def added(result: FeedAdded, polling: bool) -> discord.Embed:
    f = result.feed
    embed = discord.Embed(title=render.clip(f"Following: {f.name}", render.TITLE), url=f.url, colour=render.COLOUR)
    lines = []
    if result.discovered_from:
        lines.append(f"That page names its feed, so I follow that: {render.escape(f.url)}")
    lines.append(f"The feed holds {_plural(result.items, 'item')} now; new ones become articles of this server.")
    embed.description = "\n".join(lines)
    first = "now (within a minute)" if polling else "when `coverage-bot feed poll` runs"
    embed.add_field(name="First check", value=first, inline=True)
    embed.add_field(name="Then every", value=f"{f.interval_minutes} minutes", inline=True)
    embed.add_field(name="Announced in", value=f"<#{f.announce_to}>" if f.announce_to else "nowhere", inline=True)
    if f.keywords:
        embed.add_field(name="Only items about", value=render.escape(", ".join(f.keywords)), inline=False)
    embed.set_footer(text=f"F{f.id} · /feed list shows how it is doing · /feed remove stops it")
    return render.fit(embed)


def _status(f: Feed) -> str:
    if f.paused:
        return f"⏸ {render.escape(render.clip(f.paused, 300))}"
    if f.error:
        retry = _when(f.next_check_at)
        return f"⚠ failing ({f.failures}× in a row): {render.escape(render.clip(f.error, 300))}; next try {retry}"
    if f.checked_at:
        return f"✓ ok · next check {_when(f.next_check_at)}"
    return f"not checked yet · due {_when(f.next_check_at)}"


def feeds_list(feeds: Sequence[Feed], limit: int) -> discord.Embed:
    embed = discord.Embed(title="Feeds followed here", colour=render.COLOUR)
    if not feeds:
        embed.description = "None yet. Follow one with `/feed add url:…`."
    for f in feeds[:FEEDS_SHOWN]:
        lines = [
            _status(f),
            f"Last check {_when(f.checked_at)} · last new article {_when(f.new_at)} · {_plural(f.articles, 'article')}",
            "Announced in "
            + (f"<#{f.announce_to}>" if f.announce_to else "no channel")
            + (f" · keywords: {render.escape(', '.join(f.keywords))}" if f.keywords else ""),
        ]
        name = render.clip(f"F{f.id} · {render.escape(f.name)}", render.FIELD_NAME)
        embed.add_field(name=name, value="\n".join(lines), inline=False)
    more = f" · {len(feeds) - FEEDS_SHOWN} more not shown" if len(feeds) > FEEDS_SHOWN else ""
    embed.set_footer(text=f"{len(feeds)} of at most {limit} feeds{more}")
    return render.fit(embed)


def paused_notice(feed: Feed) -> str:
    """Told once, in the feed's channel, when a week of failures paused it."""
    return render.clip(
        f"The feed **F{feed.id} · {feed_name(feed)}** has kept failing and is paused: "
        f"{render.escape(feed.paused or feed.error or 'unknown error')}. "
        "Check its address, then `/feed resume` it, or `/feed remove` it.",
        2000,
    )
