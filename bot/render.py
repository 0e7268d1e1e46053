"""Results → Discord embeds. Every limit Discord enforces on embeds is applied here, in one place.

Passages are cut at a sentence with "…" (keeping the best-matching sentence, in bold); attribution
lines are built first and never cut, so a quote always says where it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import discord

from retrieval.models import Answer, Article, Comparison, Hit, IngestReport, Passage
from retrieval.quotes import QuoteMatch

TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FIELDS = 25
FOOTER = 2048
TOTAL = 6000
#: Headlines longer than this are shortened in attribution lines (Discord's own title limit).
HEADLINE = 256
#: Numbered paragraphs shown per page of "Full article" / `/source article`.
PARAGRAPHS_PER_PAGE = 8
ARTICLES_PER_PAGE = 10

COLOUR = discord.Colour.blurple()
NO_ANSWER_COLOUR = discord.Colour.light_grey()
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_ADDED_BY = re.compile(r"^discord:(\d+)$")


# -- text helpers ---------------------------------------------------------------------------
def escape(text: str) -> str:
    """Article text is shown as written: no markdown tricks, no mention syntax."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def clip(text: str, limit: int) -> str:
    """Cut plain text to `limit` characters at a sentence end, else at a word, with "…"."""
    if len(text) <= limit:
        return text
    if limit < 3:
        return "…"[:limit]
    head = text[: limit - 2]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= limit // 3:
        return head[: ends[-1]].rstrip() + " …"
    if " " in head[limit // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def excerpt(text: str, highlight: str, limit: int) -> str:
    """The passage with its best sentence in bold, cut at sentences around it to fit `limit`."""
    for budget in range(limit, 0, -max(limit // 10, 20)):
        rendered = _excerpt(text, highlight, budget)
        if len(rendered) <= limit:
            return rendered
    return clip(escape(text), limit)


def _excerpt(text: str, highlight: str, budget: int) -> str:
    h0 = text.find(highlight) if highlight else -1
    if h0 < 0:
        return escape(clip(text, budget))
    h1 = h0 + len(highlight)
    spans = _sentences(text)
    first = next((i for i, (a, b) in enumerate(spans) if b > h0), 0)
    last = next((i for i, (a, b) in enumerate(spans) if b >= h1), len(spans) - 1)
    start, end = spans[first][0], spans[last][1]
    room = budget - 6  # two ellipses and the bold markers
    if h1 - h0 > room:  # the highlight alone is too long: keep its start
        return "**" + escape(clip(highlight, max(room, 1))) + "**" + ("…" if h1 < len(text) else "")
    lo, hi = first, last
    while True:
        grown = False
        if hi + 1 < len(spans) and spans[hi + 1][1] - start <= room:
            hi, end, grown = hi + 1, spans[hi + 1][1], True
        if lo > 0 and end - spans[lo - 1][0] <= room:
            lo, start, grown = lo - 1, spans[lo - 1][0], True
        if not grown:
            break
    if end - start > room:  # the highlight's own sentences are long: show the highlight only
        start, end = h0, h1
    out = escape(text[start:h0].lstrip()) + "**" + escape(highlight.strip()) + "**" + escape(text[h1:end].rstrip())
    return ("… " if start > 0 else "") + out + (" …" if end < len(text.rstrip()) else "")


def citation(article_id: int, ordinal: int) -> str:
    return f"A{article_id}¶{ordinal}"


def parse_citation(text: str) -> tuple[int, int] | None:
    """`A12¶4`, `a12p4`, `12:4` or `A12 ¶ 4` → (12, 4)."""
    m = re.fullmatch(r"\s*A?\s*(\d{1,12})\s*(?:¶|p|:|#|/|\s)\s*(\d{1,6})\s*", text or "", re.I)
    return (int(m.group(1)), int(m.group(2))) if m else None


def parse_article_id(text: str) -> int | None:
    m = re.fullmatch(r"\s*A?\s*(\d{1,12})\s*", text or "", re.I)
    return int(m.group(1)) if m else None


def day(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        d = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d:%b %Y}"


def date_range(dates: Sequence[str]) -> str:
    """ "23–24 Jan 2025", "30 Jan – 2 Feb 2025", "23 Jan 2025" or ""."""
    parsed = sorted({dt.date.fromisoformat(d[:10]) for d in dates if d})
    if not parsed:
        return ""
    a, b = parsed[0], parsed[-1]
    if a == b:
        return f"{a.day} {a:%b %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def footing(hits: Sequence[Hit]) -> str:
    """How wide an answer's footing is: "3 passages from 2 outlets, 23–24 Jan 2025"."""
    outlets = {(h.article.outlet or "unknown outlet").lower() for h in hits}
    line = f"{_plural(len(hits), 'passage')} from {_plural(len(outlets), 'outlet')}"
    dates = [h.article.published for h in hits if h.article.published]
    if dates:
        line += f", {date_range(dates)}"
    if undated := len(hits) - len(dates):
        line += f" ({undated} undated)"
    return line


def who(added_by: str | None) -> str:
    """Stored as `discord:<id>` so a rename does not lose the trail; shown as a mention."""
    if added_by and (m := _ADDED_BY.match(added_by)):
        return f"<@{m.group(1)}>"
    return escape(added_by or "unknown")


#: Kept as they are in a link; everything else (parentheses, brackets, angle brackets, quotes,
#: spaces, backslashes, backticks, pipes, non-ASCII) is percent-encoded.
_URL_SAFE = "/:@!$&*+,;=-._~%"


def link_url(url: str | None) -> str | None:
    """`url` made safe inside `[text](url)` and as an embed's link, or None if it is not http(s).

    A `)` or a space in a stored URL would otherwise end the link early and let the rest of the
    URL add a second, different link to the attribution."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").encode("idna").decode("ascii")
        port = parts.port
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE + "?"),
            quote(parts.fragment, safe=_URL_SAFE + "?#"),
        )
    )


def headline_link(article: Article) -> str:
    title = escape(clip(article.title, HEADLINE)).replace("]", "\\]").replace("[", "\\[")
    url = link_url(article.url)
    return f"[{title}]({url})" if url else f"*{title}*"


def attribution(
    article: Article, ordinal: int | None = None, also_in: Sequence[Article] = (), relevance: float | None = None
) -> str:
    """ "— Outlet · [Headline](url) · Author · 23 Jan 2025 · ¶3 · `A12¶3`", then the passage's
    relevance when given (the calibrated chance that it answers, so a weak match looks weak); never cut."""
    parts = [f"**{escape(article.outlet or 'Unknown outlet')}**", headline_link(article)]
    if article.author:
        parts.append(escape(clip(article.author, 100)))
    parts.append(day(article.published) or "undated")
    if ordinal is not None:
        parts += [f"¶{ordinal}", f"`{citation(article.id, ordinal)}`"]
    else:
        parts.append(f"`A{article.id}`")
    if relevance is not None:
        parts.append(f"relevance {relevance:.2f}")
    line = "— " + " · ".join(parts)
    if also_in:
        names = sorted({escape(a.outlet or "unknown outlet") for a in also_in})
        line += f"\n  also carried by {', '.join(names[:5])}" + (
            f" and {len(names) - 5} more" if len(names) > 5 else ""
        )
    return line


# -- limits -----------------------------------------------------------------------------------
def fit(embed: discord.Embed) -> discord.Embed:
    """The last word on Discord's limits, for every embed we send."""
    if embed.title:
        embed.title = clip(embed.title, TITLE)
    if embed.description:
        embed.description = clip(embed.description, DESCRIPTION)
    fields = embed.fields[:FIELDS]
    embed.clear_fields()
    for f in fields:
        embed.add_field(
            name=clip(f.name or "\u200b", FIELD_NAME), value=clip(f.value or "\u200b", FIELD_VALUE), inline=f.inline
        )
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER))
    while len(embed) > TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > TOTAL and embed.description:
        embed.description = clip(embed.description, max(len(embed.description) - (len(embed) - TOTAL), 1))
    return embed


# -- answers ----------------------------------------------------------------------------------
def _quote_blocks(hits: Sequence[Hit], budget: int, first_number: int = 1, relevance: bool = True) -> str:
    """Each hit as a quoted excerpt followed by its full attribution (and relevance), sharing
    `budget` characters."""
    attributions = [attribution(h.article, h.passage.ordinal, h.also_in, h.score if relevance else None) for h in hits]
    overhead = sum(len(a) + 12 for a in attributions)
    each = max((budget - overhead) // max(len(hits), 1), 80)
    blocks = []
    for n, (hit, attr) in enumerate(zip(hits, attributions, strict=True), first_number):
        text = excerpt(hit.passage.text, hit.highlight, each)
        blocks.append(f"**{n}.** {text}\n{attr}")
    return "\n\n".join(blocks)


def answer_embed(answer: Answer, offset: int = 0) -> discord.Embed:
    """The passages that answer a question, each with its attribution; or a plain "not covered"."""
    if not answer.answered:
        return no_answer_embed(answer.question)
    title = clip(answer.question, TITLE)
    footer = footing(answer.hits) + (f" · results {offset + 1}–{offset + len(answer.hits)}" if offset else "")
    embed = discord.Embed(title=title, colour=COLOUR)
    budget = min(DESCRIPTION, TOTAL - len(title) - len(footer) - 50)
    embed.description = _quote_blocks(answer.hits, budget, offset + 1)
    embed.set_footer(
        text=footer
        + " · quoted from the articles held; the bot writes no answers of its own"
        + " · relevance 0–1: the chance that a passage answers"
    )
    return fit(embed)


RELATED = "Closest coverage, which may not answer it"


def no_answer_embed(question: str, more: bool = False, related: Sequence[Hit] = ()) -> discord.Embed:
    """ "Not covered", and apart from it, labelled, the closest coverage held (never as an answer)."""
    text = (
        "No more passages on this."
        if more
        else "The articles held do not answer this. Try other words, or see what is covered with `/articles`."
    )
    embed = discord.Embed(title=clip(question, TITLE), description=text, colour=NO_ANSWER_COLOUR)
    for n in range(len(related), 0, -1):  # as many as fit whole: attribution is never cut
        value = _quote_blocks(related[:n], FIELD_VALUE - 50)
        if len(value) <= FIELD_VALUE:
            embed.add_field(name=RELATED, value=value, inline=False)
            break
    return fit(embed)


def comparison_embed(result: Comparison) -> discord.Embed:
    """One field per outlet, in order of relevance, each with its date and best passage."""
    if not result.answered:
        return no_answer_embed(result.topic)
    hits = [h for o in result.outlets for h in o.hits]
    embed = discord.Embed(title=clip(f"How outlets covered: {result.topic}", TITLE), colour=COLOUR)
    embed.set_footer(text=footing(hits))
    outlets = result.outlets[: FIELDS - 1]
    room = (TOTAL - len(embed.title) - len(embed.footer.text) - 100) // max(len(outlets), 1)
    for cov in outlets:
        name = clip(f"{cov.outlet} · {day(cov.hits[0].article.published) or 'undated'}", FIELD_NAME)
        value_budget = min(FIELD_VALUE, room - len(name))
        # A topic is not a question: no passage "answers" it, so no relevance is shown.
        value = _quote_blocks(cov.hits, value_budget, relevance=False).removeprefix("**1.** ")
        embed.add_field(name=name, value=value, inline=False)
    # A field that came out too long (many copies, huge headline) falls back to attribution alone.
    for i, f in enumerate(embed.fields):
        if len(f.value) > FIELD_VALUE:
            hit = result.outlets[i].hits[0]
            embed.set_field_at(i, name=f.name, value=attribution(hit.article, hit.passage.ordinal), inline=False)
    return fit(embed)


def passage_embed(article: Article, passages: Sequence[Passage], ordinal: int) -> discord.Embed:
    """A cited paragraph (in bold) with the one before and after."""
    attr = attribution(article, ordinal)
    budget = (DESCRIPTION - len(attr) - 20) // max(len(passages), 1)
    lines = []
    for p in passages:
        text = escape(clip(p.text, budget - 12))
        lines.append(f"**¶{p.ordinal}** " + (f"**{text}**" if p.ordinal == ordinal else text))
    embed = discord.Embed(title=clip(article.title, TITLE), url=link_url(article.url), colour=COLOUR)
    embed.description = "\n\n".join(lines) + "\n\n" + attr
    return fit(embed)


def article_pages(passages: Sequence[Passage]) -> int:
    return max(1, -(-len(passages) // PARAGRAPHS_PER_PAGE))


def article_embed(article: Article, passages: Sequence[Passage], page: int = 1) -> discord.Embed:
    """Metadata and a page of numbered paragraphs."""
    pages = article_pages(passages)
    page = min(max(page, 1), pages)
    chunk = passages[(page - 1) * PARAGRAPHS_PER_PAGE : page * PARAGRAPHS_PER_PAGE]
    embed = discord.Embed(title=clip(article.title, TITLE), url=link_url(article.url), colour=COLOUR)
    meta = [
        ("Outlet", escape(article.outlet or "unknown")),
        ("Author", escape(article.author or "unknown")),
        ("Published", day(article.published) or "undated"),
        ("Added", f"by {who(article.added_by)}, {day(article.added_at)}"),
    ]
    for name, value in meta:
        embed.add_field(name=name, value=clip(value, FIELD_VALUE), inline=True)
    if article.url:
        shown = link_url(article.url) or escape(article.url)
        embed.add_field(name="URL", value=clip(shown, FIELD_VALUE), inline=False)
    budget = (DESCRIPTION - 50) // max(len(chunk), 1)
    embed.description = "\n\n".join(f"**¶{p.ordinal}** {escape(clip(p.text, budget - 12))}" for p in chunk)
    embed.set_footer(text=f"A{article.id} · page {page} of {pages} · {_plural(len(passages), 'paragraph')}")
    return fit(embed)


def articles_embed(rows: Sequence[Article], page: int, total: int, outlet: str | None) -> discord.Embed:
    pages = max(1, -(-total // ARTICLES_PER_PAGE))
    title = f"Articles from {outlet}" if outlet else "Articles held"
    embed = discord.Embed(title=clip(title, TITLE), colour=COLOUR)
    if not rows:
        embed.description = "No articles here yet." if total == 0 else "No articles on this page."
    else:
        lines = [
            f"`A{a.id}` {day(a.published) or 'undated'} · **{escape(a.outlet or 'unknown')}** · {headline_link(a)}"
            for a in rows
        ]
        embed.description = "\n".join(lines)
    embed.set_footer(text=f"page {page} of {pages} · {_plural(total, 'article')} · newest first")
    return fit(embed)


def ingest_embed(report: IngestReport, articles: Sequence[Article] = ()) -> discord.Embed:
    """What was extracted, so the moderator can check it before members see it quoted."""
    by_id = {a.id: a for a in articles}
    embed = discord.Embed(title="Article added" if report.count("added") else "Nothing new added", colour=COLOUR)
    for o in report.outcomes[:FIELDS]:
        a = by_id.get(o.article_id or -1)
        if o.status == "skipped":
            value = f"Skipped: {escape(o.reason or 'unknown reason')}"
        elif a is not None:
            value = "\n".join(
                [
                    f"**{o.status.capitalize()}** as `A{a.id}`"
                    + (" (already held)" if o.status == "unchanged" else ""),
                    f"Headline: {headline_link(a)}",
                    f"Outlet: {escape(a.outlet or 'unknown')}",
                    f"Author: {escape(a.author or 'unknown')}",
                    f"Date: {day(a.published) or 'undated'}",
                    f"Paragraphs: {a.paragraphs}",
                ]
            )
        else:
            value = f"{o.status}: {escape(o.title or '')}"
        embed.add_field(name=clip(escape(o.source), FIELD_NAME), value=clip(value, FIELD_VALUE), inline=False)
    if report.count("unchanged") and not report.count("added"):
        embed.description = "This article is already held; it was not added twice."
    return fit(embed)


def history_embed(rows: Sequence, collection_name: str) -> discord.Embed:
    embed = discord.Embed(title=f"Article history · {collection_name}", colour=COLOUR)
    lines = []
    for r in rows:
        stamp = int(dt.datetime.fromisoformat(r["at"]).timestamp()) if r["at"] else 0
        detail = escape(clip(r["detail"] or "", 200))
        lines.append(f"<t:{stamp}:d> **{r['action']}** `A{r['article_id']}` by {who(r['actor'])}: {detail}")
    embed.description = "\n".join(lines) if lines else "Nothing added, edited or removed here yet."
    while len(embed.description) > DESCRIPTION:
        lines.pop()
        embed.description = "\n".join(lines)
    return fit(embed)


def gaps_embed(rows: Sequence[dict], days: int) -> discord.Embed:
    embed = discord.Embed(title=f"Questions the coverage missed · last {days} days", colour=COLOUR)
    lines = []
    for r in rows:
        why = []
        if r["unanswered"]:
            why.append(f"{r['unanswered']} unanswered")
        if r["unhelpful"]:
            why.append(f"{r['unhelpful']} not helpful")
        lines.append(f"**{r['times']}×** {escape(clip(r['question'], 300))} ({', '.join(why)})")
    embed.description = "\n".join(lines) if lines else "No unanswered or unhelpful questions. Nothing missing yet."
    while len(embed.description) > DESCRIPTION:
        lines.pop()
        embed.description = "\n".join(lines)
    embed.set_footer(text="most asked first · add articles that answer these with /article add")
    return fit(embed)


def quote_embed(text: str, found: Sequence[QuoteMatch]) -> discord.Embed:
    """`found`: best matches first, each exact, near-exact or related, with its speaker."""
    if not found:
        return no_answer_embed(f"Who said: {text}")
    embed = discord.Embed(title=clip(f"Who said: “{text}”", TITLE), colour=COLOUR)
    labels = {"exact": "Exact match", "near": "Near-exact match", "related": "Related passage"}
    room = (TOTAL - len(embed.title) - 200) // len(found)
    for match in found[: FIELDS - 1]:
        hit = match.hit
        name = labels[match.kind] + (f": {match.speaker}" if match.speaker else "")
        attr = attribution(hit.article, hit.passage.ordinal, hit.also_in)
        body = excerpt(hit.passage.text, hit.highlight, min(FIELD_VALUE, room) - len(attr) - 2)
        embed.add_field(name=clip(name, FIELD_NAME), value=f"{body}\n{attr}", inline=False)
    embed.set_footer(text=footing([m.hit for m in found]))
    return fit(embed)


# -- help -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HelpLine:
    """One command as `/help` lists it."""

    name: str  # qualified: "article add"
    description: str
    moderator: bool


def _command_fields(title: str, lines: Sequence[HelpLine]) -> list[tuple[str, str]]:
    """`/name` and description, one a line, in as many fields as Discord's field limit needs."""
    fields: list[tuple[str, str]] = []
    value = ""
    for line in lines:
        entry = f"`/{line.name}` {escape(line.description)}"
        if value and len(value) + 1 + len(entry) > FIELD_VALUE:
            fields.append((title if not fields else f"{title} (continued)", value))
            value = ""
        value = f"{value}\n{entry}" if value else entry
    if value:
        fields.append((title if not fields else f"{title} (continued)", value))
    return fields


def help_embed(lines: Sequence[HelpLine], name: str, in_server: bool) -> discord.Embed:
    """What the bot does and how to ask it, then the commands this person may use."""
    where = (
        f"Mention me with a question (“@{escape(name)} what did the council decide about the bridge?”), "
        "ask in a Q&A channel (no mention needed), or use `/ask`."
        if in_server
        else "Ask with `/ask`. Here in a direct message I search the seed coverage only; in a server, "
        "that server's articles too."
    )
    embed = discord.Embed(
        title="coverage-bot",
        description=(
            "I answer questions about the news articles held here by **quoting** them, each quote "
            "with its outlet, headline, author, date, link and paragraph number (a citation such as `A12¶4`). "
            "I never write an answer of my own, and when the coverage does not answer, I say so.\n\n" + where
        ),
        colour=COLOUR,
    )
    for title, value in _command_fields("Commands", [x for x in lines if not x.moderator]):
        embed.add_field(name=title, value=value, inline=False)
    for title, value in _command_fields("For moderators", [x for x in lines if x.moderator]):
        embed.add_field(name=title, value=value, inline=False)
    embed.set_footer(text="Relevance 0–1 is the chance a passage answers · /source A12¶4 shows a cited paragraph")
    return fit(embed)
