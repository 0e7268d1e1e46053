"""`coverage-bot feed ...`: follow feeds from the command line, and poll them without the bot
(from cron or a systemd timer: `coverage-bot feed poll --once --due`).

Feed titles, item titles and error reasons come from other people's servers: like every other
command's output, they are printed through `render` (`line` for text, `dumps` for JSON)."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from retrieval import GLOBAL
from retrieval.feeds import Feed, Feeds, PollResult
from retrieval.feeds.store import parse_feed_id, parse_stamp

from . import render
from .render import line

if TYPE_CHECKING:
    from .main import Context

pass_ctx = click.pass_obj  # the `Context` that `cli` sets up

#: The longest the continuous poll sleeps before looking for due feeds again.
IDLE_SECONDS = 60


def _feeds(c: Context) -> Feeds:
    return Feeds(c.engine)


def _when(value: str | None) -> str:
    when = parse_stamp(value)
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else "never"


@click.group()
def feed() -> None:
    """Follow outlets' RSS and Atom feeds: their new items become articles."""


@feed.command("add")
@click.argument("url")
@click.option("--collection", default=GLOBAL, show_default=True, help="Collection the articles go to.")
@click.option("--keywords", help="Only items whose title or summary holds one of these (commas or spaces between).")
@click.option(
    "--interval", type=click.IntRange(5, 1440), help="Minutes between checks (default: COVERAGE_BOT_FEED_INTERVAL, 30)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the feed as JSON.")
@pass_ctx
def add(c: Context, url: str, collection: str, keywords: str | None, interval: int | None, as_json: bool) -> None:
    """Follow an RSS or Atom feed.

    URL may also be a web page that names its feed. The first check is due at once."""
    added = _feeds(c).add(url, collection, keywords=keywords, interval=interval, added_by="cli")
    if as_json:
        click.echo(render.dumps({**added.feed.to_json(), "items": added.items}, indent=2))
        return
    f = added.feed
    if added.discovered_from:
        click.echo(f"{line(added.discovered_from)} is a web page; it names the feed {line(f.url)}.")
    click.echo(f"Following F{f.id}: {line(f.name)} ({added.items} items) for collection {line(f.collection)}.")
    extra = f", only items about: {line(', '.join(f.keywords))}" if f.keywords else ""
    click.echo(f"Checked every {f.interval_minutes} minutes{extra}; first check now (`coverage-bot feed poll --once`).")


@feed.command("list")
@click.option("--collection", "collections", multiple=True, metavar="NAME", help="Only this collection (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def list_(c: Context, collections, as_json: bool) -> None:
    """List the followed feeds.

    Each with its state (ok, failing and why, paused), last check, last new article and article count."""
    rows = _feeds(c).feeds(list(collections) or None)
    if as_json:
        click.echo(render.dumps([f.to_json() for f in rows], indent=2))
        return
    if not rows:
        click.echo("No feeds followed. Add one with `coverage-bot feed add URL`.")
        return
    for f in rows:
        click.echo(_describe(f))


def _describe(f: Feed) -> str:
    lines = [f"F{f.id}  {line(f.name)}  [{line(f.collection)}]  {f.state}", f"    {line(f.url)}"]
    lines.append(
        f"    last check {_when(f.checked_at)} · last new article {_when(f.new_at)} · {f.articles} articles"
        + (f" · keywords: {line(', '.join(f.keywords))}" if f.keywords else "")
    )
    if f.paused:
        lines.append(f"    {line(f.paused)}")
    elif f.error:
        lines.append(f"    error: {line(f.error)} ({f.failures} in a row; next try {_when(f.next_check_at)})")
    else:
        lines.append(f"    next check {_when(f.next_check_at)}")
    return "\n".join(lines)


@feed.command("remove")
@click.argument("feed_id")
@click.option("--collection", help="The feed's collection (a check against typos).")
@pass_ctx
def remove(c: Context, feed_id: str, collection: str | None) -> None:
    """Stop following a feed; the articles it brought stay."""
    f = _feeds(c).remove(parse_feed_id(feed_id), [collection] if collection else None)
    click.echo(f"Stopped following F{f.id}: {line(f.name)}. Its {f.articles} articles stay (`coverage-bot remove ID`).")


@feed.command("pause")
@click.argument("feed_id")
@pass_ctx
def pause(c: Context, feed_id: str) -> None:
    """Stop checking a feed for now."""
    f = _feeds(c).pause(parse_feed_id(feed_id))
    click.echo(f"Paused F{f.id}: {line(f.name)}.")


@feed.command("resume")
@click.argument("feed_id")
@pass_ctx
def resume(c: Context, feed_id: str) -> None:
    """Check a paused feed again, at once (its failures are forgotten)."""
    f = _feeds(c).resume(parse_feed_id(feed_id))
    click.echo(f"Resumed F{f.id}: {line(f.name)}; next check now.")


@feed.command("poll")
@click.option("--once", is_flag=True, help="Check every followed feed now, once, then exit.")
@click.option("--due", is_flag=True, help="With --once: only the feeds whose next check has come (for cron).")
@click.option("--collection", "collections", multiple=True, metavar="NAME", help="Only this collection (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print each pass as one JSON object (one per line).")
@pass_ctx
def poll(c: Context, once: bool, due: bool, collections, as_json: bool) -> None:
    """Check feeds; print what was added, skipped and why.

    Without --once, keeps running and checks each feed when it is due (Ctrl-C stops).
    With --once, exits 2 if a feed failed (each failure is also on stderr)."""
    if due and not once:
        raise click.UsageError("--due goes with --once (without --once, feeds are checked when due anyway)")
    feeds = _feeds(c)
    scope = list(collections) or None
    if once:
        results = feeds.poll(collections=scope, every=not due)
        _print(results, as_json)
        if any(r.status == "failed" for r in results):
            sys.exit(2)
        return
    try:
        while True:
            results = feeds.poll(collections=scope)
            if results:
                _print(results, as_json)
            next_due = feeds.next_due()
            wait = IDLE_SECONDS if next_due is None else (next_due - feeds.clock()).total_seconds()
            time.sleep(min(max(wait, 1), IDLE_SECONDS))
    except KeyboardInterrupt:
        return


def _print(results: list[PollResult], as_json: bool) -> None:
    for r in results:
        if r.status == "failed":
            click.echo(f"error: F{r.feed.id} {line(r.feed.url)}: {line(r.error)}", err=True)
    if as_json:
        total = {s: sum(r.count(s) for r in results) for s in ("added", "updated", "unchanged", "failed")}
        click.echo(render.dumps({"checked": len(results), **total, "feeds": [r.to_json() for r in results]}))
        sys.stdout.flush()
        return
    if not results:
        click.echo("No feeds to check.")
    for r in results:
        click.echo(f"F{r.feed.id} {line(r.feed.name)}: {line(r.summary())}")
        for o in r.outcomes:
            ref = f"A{o.article_id} " if o.article_id else ""
            text = f"  {o.status:<9} {ref}{line(o.title or o.link or '')}"
            if o.reason and o.status != "added":
                text += f" ({line(o.reason)})"
            click.echo(text)
        if r.status in ("checked", "not modified", "failed"):
            click.echo(f"  next check {_when(r.feed.next_check_at)}")
