"""`coverage-bot`: the command-line face of the retrieval library (and the bot's launcher)."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import sqlite3
import sys
from pathlib import Path

import click

from retrieval import GLOBAL, CoverageError, Engine, Settings
from retrieval.parse import normalise_date

from . import render
from .feeds import feed

log = logging.getLogger("coverage_cli")


class Context:
    """What every command needs: settings now, the engine on first use."""

    def __init__(self, settings: Settings, progress: bool):
        self.settings = settings
        self.progress = progress
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine.open(self.settings, progress=self.progress)
            for event in self._engine.events:
                click.echo(f"coverage-bot: {render.line(event)}", err=True)
        return self._engine


pass_ctx = click.make_pass_decorator(Context)


class Group(click.Group):
    """Turns our own errors, and a store or folder that fails under us, into one line on stderr
    and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CoverageError as err:
            click.echo(f"error: {render.line(err)}", err=True)
            ctx.exit(2)
        except sqlite3.DatabaseError as err:
            where = ctx.obj.settings.db_path if isinstance(ctx.obj, Context) else "the store"
            what = f"{render.line(where)}: {render.line(err)}"
            click.echo(f"error: {what}; `coverage-bot check` says what is wrong", err=True)
            ctx.exit(2)
        except OSError as err:
            if err.errno not in FOLDER_ERRORS:
                raise
            click.echo(f"error: {render.line(err.filename or 'the data folder')}: {err.strerror}", err=True)
            ctx.exit(2)


#: What the file system says when the data folder cannot be written (or is full).
FOLDER_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Data folder (default: COVERAGE_BOT_DATA_DIR or ./data).",
)
@click.option("--env-file", default=".env", show_default=True, help="Settings file read before the environment.")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.version_option(package_name="coverage-bot")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, env_file: str, verbose: int, quiet: bool) -> None:
    """Answer questions about news coverage by quoting the articles you hold."""
    try:
        settings = Settings.from_env(env_file, data_dir=data_dir)
    except CoverageError as err:
        click.echo(f"error: {render.line(err)}", err=True)
        ctx.exit(2)
    level = [settings.log_level if verbose == 0 else "INFO", "INFO", "DEBUG"][min(verbose, 2)]
    if verbose == 0 and settings.log_level == "INFO":
        level = "WARNING"  # the CLI prints what matters; -v shows the library's log
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    # Long one-off steps say what they are doing even when the CLI is otherwise quiet.
    if logging.getLogger("retrieval.onnx_encoder").getEffectiveLevel() > logging.INFO:
        logging.getLogger("retrieval.onnx_encoder").setLevel(logging.INFO)
    ctx.obj = Context(settings, progress=not quiet and sys.stderr.isatty())


def collection_option(f):
    return click.option(
        "--collection",
        "collections",
        multiple=True,
        metavar="NAME",
        help=f"Collection to use (default {GLOBAL}); repeat to search several.",
    )(f)


def date_type(value: str | None) -> str | None:
    return normalise_date(value) if value else None


def filter_options(f):
    f = click.option("--outlet", "outlets", multiple=True, help="Only these outlets (repeatable).")(f)
    f = click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")(f)
    f = click.option("--until", help="Only articles published on or before this date (YYYY-MM-DD).")(f)
    return as_of_option(f)


def as_of_option(f):
    return click.option(
        "--as-of",
        "as_of",
        metavar="YYYY-MM-DD",
        help="The day the question is asked: coverage near it is preferred, and 'this week', "
        "'yesterday' or 'in March' mean that day's (default: no day is preferred; they mean today's).",
    )(f)


def question_line(line: str) -> tuple[str, str | None]:
    """A line of `ask -`: a plain question, or {"question": ..., "as_of": "YYYY-MM-DD"}."""
    if line.lstrip().startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            raise CoverageError("the line starts with { but is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("question"), str):
            raise CoverageError('a JSON line needs a "question" string (and may have "as_of")')
        as_of = data.get("as_of")
        if as_of is not None and not isinstance(as_of, str):
            raise CoverageError('"as_of" must be a date string, YYYY-MM-DD')
        return data["question"], as_of
    return line, None


#: The longest stdin line `ask -` reads whole; a question is at most `question_max_chars`.
STDIN_LINE_LIMIT = 64 * 1024


def stdin_questions(stream, limit: int = STDIN_LINE_LIMIT):
    """(line number, question, problem) per non-blank line. A line that is not UTF-8, or longer than
    `limit` bytes, gets a problem instead of ending the batch; the lines after it are still read."""
    number = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        number += 1
        problem = None
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                pass  # skip the rest of an over-long line without holding it
            problem = f"line {number} is longer than {limit:,} bytes; questions are at most a few hundred characters"
            raw = raw[:200]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            text = raw.decode("utf-8", errors="replace")
            problem = problem or f"line {number} is not valid UTF-8 (byte {err.start + 1}); it was skipped"
        text = text.rstrip("\r\n")
        if text.strip() or problem:
            yield number, text, problem


@cli.command()
@click.argument("question")
@click.option("-k", "k", type=click.IntRange(1, 10), help="How many passages (default: COVERAGE_BOT_DEFAULT_K, 3).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON answer for scripts.")
@collection_option
@filter_options
@pass_ctx
def ask(c: Context, question: str, k: int | None, as_json: bool, collections, outlets, since, until, as_of) -> None:
    """Quote the passages that answer QUESTION ('-' reads one question per line from stdin,
    plain or as {"question": ..., "as_of": "YYYY-MM-DD"}, and prints one JSON answer per line)."""
    kwargs = dict(
        collections=list(collections) or [GLOBAL],
        k=k,
        outlets=list(outlets) or None,
        since=date_type(since),
        until=date_type(until),
        as_of=date_type(as_of),
    )
    engine = c.engine
    engine.check_filters(kwargs["collections"], kwargs["outlets"], kwargs["since"], kwargs["until"])
    if question == "-":
        for number, line, problem in stdin_questions(sys.stdin.buffer):
            if problem is None:
                try:
                    text, day = question_line(line)
                    out = engine.ask(text, **{**kwargs, "as_of": date_type(day) or kwargs["as_of"]}).to_json()
                except CoverageError as err:
                    problem = str(err)
            if problem is not None:
                out = {"question": line, "answered": False, "passages": [], "related": [], "error": problem}
                out["line"] = number
            click.echo(render.dumps(out))
            sys.stdout.flush()
        return
    answer = engine.ask(question, **kwargs)
    if as_json:
        click.echo(render.dumps(answer.to_json(), indent=2))
    else:
        click.echo(render.answer(answer))


@cli.command()
@click.argument("topic")
@click.option("--per-outlet", type=click.IntRange(1, 5), default=1, show_default=True, help="Passages per outlet.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@collection_option
@filter_options
@pass_ctx
def compare(c: Context, topic: str, per_outlet: int, as_json: bool, collections, outlets, since, until, as_of) -> None:
    """Show how each outlet covered TOPIC: its best passages, side by side."""
    collections, outlets = list(collections) or [GLOBAL], list(outlets) or None
    since, until = date_type(since), date_type(until)
    c.engine.check_filters(collections, outlets, since, until)
    result = c.engine.compare(
        topic,
        collections=collections,
        per_outlet=per_outlet,
        outlets=outlets,
        since=since,
        until=until,
        as_of=date_type(as_of),
    )
    if as_json:
        click.echo(render.dumps(result.to_json(), indent=2))
    else:
        click.echo(render.comparison(result))


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--collection", default=GLOBAL, show_default=True, help="Collection to add to.")
@click.option("--by", "added_by", default="cli", show_default=True, help="Who is adding (kept in the history).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON.")
@click.option("--outlet", help="Outlet to record, whatever the sources say (for pages without metadata).")
@click.option("--author", help="Author to record for every source.")
@click.option("--published", help="Publication date (YYYY-MM-DD) to record for every source.")
@click.option("--title", help="Headline to record (one source only).")
@click.option("--url", help="Canonical URL to record (one source only).")
@pass_ctx
def ingest(c: Context, sources, collection: str, added_by: str, as_json: bool, **overrides) -> None:
    """Add articles from files (.txt, .md, .html), folders or http(s) URLs.

    Metadata options override what the sources say, like a NAME.meta.json sidecar would."""
    overrides = {k: v for k, v in overrides.items() if v}
    if (overrides.get("title") or overrides.get("url")) and (len(sources) > 1 or Path(sources[0]).is_dir()):
        raise click.UsageError("--title and --url name one article: give one file or URL")
    report = c.engine.ingest(
        list(sources), collection=collection, added_by=added_by, progress=c.progress, overrides=overrides
    )
    if as_json:
        click.echo(render.dumps(report.to_json(), indent=2))
    else:
        click.echo(render.ingest_report(report))
    for outcome in report.outcomes:
        if outcome.status == "skipped":
            click.echo(f"error: {render.line(outcome.reason)}", err=True)
    if report.count("skipped"):
        sys.exit(2)


@cli.command()
@click.option("--outlet", help="Only this outlet.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@collection_option
@pass_ctx
def articles(c: Context, outlet: str | None, limit: int, offset: int, as_json: bool, collections) -> None:
    """List articles, newest first."""
    rows = c.engine.articles(list(collections) or [GLOBAL], outlet=outlet, limit=limit, offset=offset)
    if as_json:
        click.echo(render.dumps([r.__dict__ for r in rows], indent=2))
    else:
        click.echo(render.article_table(rows))


@cli.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def source(c: Context, article_id: int, as_json: bool) -> None:
    """Show one article's metadata and its numbered paragraphs."""
    article, passages = c.engine.article(article_id)
    blocks = c.engine.blocks(article_id)
    if as_json:
        data = {
            **article.__dict__,
            "passages": [{"paragraph": p.ordinal, "text": p.text, "heading": p.heading} for p in passages],
            "blocks": [b.__dict__ for b in blocks],
        }
        click.echo(render.dumps(data, indent=2))
    else:
        click.echo(render.article_detail(article, passages, blocks))


@cli.command()
@click.argument("article_id", type=int)
@click.option("--title", help="The headline.")
@click.option("--outlet", help="The outlet (publisher) name.")
@click.option("--author", help="The author(s), as the byline names them.")
@click.option("--published", help="The publication date (YYYY-MM-DD).")
@click.option("--url", help="The canonical URL.")
@click.option(
    "--clear",
    "clear",
    multiple=True,
    type=click.Choice(["outlet", "author", "published", "url"]),
    help="Make a field unknown (repeatable).",
)
@click.option("--by", "actor", default="cli", show_default=True, help="Who is editing (kept in the history).")
@pass_ctx
def edit(c: Context, article_id: int, clear, actor: str, **fields) -> None:
    """Correct an article's metadata; a new headline re-embeds its passages (they are read with it)."""
    changes = {k: v for k, v in fields.items() if v is not None}
    overlap = set(changes) & set(clear)
    if overlap:
        raise click.UsageError(f"--{sorted(overlap)[0]} is both set and cleared")
    changes.update(dict.fromkeys(clear))
    if not changes:
        raise click.UsageError("give at least one of --title, --outlet, --author, --published, --url, --clear")
    article = c.engine.edit(article_id, changes, actor=actor)
    click.echo(f"Edited article {article.id}: {render.attribution(article)}")


@cli.command()
@click.argument("article_id", type=int)
@pass_ctx
def remove(c: Context, article_id: int) -> None:
    """Remove an article; its passages stop appearing in answers at once."""
    article = c.engine.remove(article_id, actor="cli")
    outlet = article.outlet or "unknown outlet"
    click.echo(
        f"Removed article {article.id}: {render.line(article.title)} ({render.line(outlet)}, "
        f"{article.paragraphs} paragraphs)"
    )


@cli.command()
@click.option("--reencode", is_flag=True, help="Embed every passage again (after changing the model).")
@pass_ctx
def reindex(c: Context, reencode: bool) -> None:
    """Rebuild the vector index from the store."""
    n = c.engine.reindex(progress=c.progress, reencode=reencode)
    click.echo(f"Rebuilt the index: {n} passages.")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def stats(c: Context, as_json: bool) -> None:
    """Counts, index type, model and data folder."""
    data = c.engine.stats()
    if as_json:
        click.echo(render.dumps(data, indent=2))
    else:
        click.echo(render.stats(data))


@cli.command()
@click.option("--repair", is_flag=True, help="Rebuild what is derived from the store and say what was done.")
@click.option("--quick", is_flag=True, help="Do not read every page of the store and every vector (faster).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@pass_ctx
def check(c: Context, repair: bool, quick: bool, as_json: bool) -> None:
    """Verify the store against the vector index and BM25 (ids, counts, model, generation,
    stray files); read-only unless --repair. Exit status 0 when healthy, 1 when not."""
    from retrieval.embed import make_encoder, vector_key
    from retrieval.health import inspect

    key = vector_key(make_encoder(c.settings).key)  # the name only: no model is loaded
    health = inspect(c.settings, key, thorough=not quick)
    if repair and health.repairable:
        engine = Engine.open(c.settings, progress=c.progress)  # opening repairs most of it
        try:
            actions = [*engine.events, *engine.repair(progress=c.progress)]
        finally:
            engine.close()
        health = inspect(c.settings, key, thorough=not quick)
        health.repaired = actions or ["nothing needed rebuilding"]
    elif repair and health.problems:
        health.repaired = ["nothing: the store itself is not usable, and the rest is rebuilt from it"]
    if as_json:
        click.echo(render.dumps(health.to_json(), indent=2))
    else:
        click.echo(render.health(health))
    sys.exit(0 if health.healthy else 1)


@cli.command()
@click.option("--no-seeds", is_flag=True, help="Start empty instead of loading the seed articles.")
@pass_ctx
def init(c: Context, no_seeds: bool) -> None:
    """Make a new store in the data folder: where there is none, or where one was lost (its
    index files are rebuilt for the new store). Refuses if a store is there."""
    engine = Engine.init(c.settings, progress=c.progress, seeds=not no_seeds)
    try:
        counts = engine.store.counts()
        for event in engine.events:
            click.echo(f"coverage-bot: {render.line(event)}", err=True)
        click.echo(
            f"Made a new store at {render.line(c.settings.db_path)}: {counts['articles']} articles, "
            f"{counts['passages']} passages."
        )
    finally:
        engine.close()


@cli.command("eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", help="Only questions of this split (e.g. dev, holdout).")
@click.option(
    "-k",
    "k",
    type=click.IntRange(1, 10),
    default=3,
    show_default=True,
    help="Passages per answer (hit@k is measured at this k).",
)
@click.option("--misses", is_flag=True, help="Also list the questions answered wrongly.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@collection_option
@as_of_option
@pass_ctx
def evaluate_cmd(
    c: Context, questions: Path, split: str | None, k: int, misses: bool, as_json: bool, collections, as_of
) -> None:
    """Measure answer quality on a question file (JSON Lines) against the current store.

    Each question is asked as of its own `as_of` or `week` field, else as of --as-of."""
    from retrieval.evaluate import evaluate, load_questions, report

    items = load_questions(questions)
    if split:
        splits = sorted({q.split for q in items if q.split})
        items = [q for q in items if q.split == split]
        if not items:
            raise CoverageError(f"no split named {split!r} in {questions}; splits: {', '.join(splits) or 'none'}")
    if not items:
        raise CoverageError(f"no questions in {questions}")
    if as_of:
        default = normalise_date(as_of)
        for q in items:
            q.as_of = q.as_of or dt.date.fromisoformat(default)
    figures = report(evaluate(c.engine, items, list(collections) or [GLOBAL], k=k, progress=c.progress))
    if not misses:
        figures.pop("misses")
    if as_json:
        click.echo(render.dumps(figures, indent=2))
    else:
        click.echo(render.evaluation(figures))


@cli.command()
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    help="Log lines as text, or one JSON object a line for log collectors (default: COVERAGE_BOT_LOG_FORMAT, "
    "else text).",
)
@pass_ctx
def run(c: Context, log_format: str | None) -> None:
    """Start the Discord bot (needs DISCORD_TOKEN in the environment or .env).

    Runs until stopped (Ctrl-C or SIGTERM: exit 0), restarting its connection after failures.
    Exit 2 means a restart cannot help: no token, a rejected token, or a store or settings problem.
    See docs/operations.md for running it unattended."""
    from bot.main import run_bot

    settings = c.settings.with_(log_format=log_format) if log_format else c.settings
    sys.exit(run_bot(settings))


@cli.command()
@click.option("--guild", type=int, help="Sync to this server only (default: DISCORD_GUILD_ID, else globally).")
@pass_ctx
def sync(c: Context, guild: int | None) -> None:
    """Register the bot's slash commands with Discord now."""
    from bot.main import sync_commands

    sys.exit(sync_commands(c.settings, guild))


cli.add_command(feed)


def main() -> None:
    cli(prog_name="coverage-bot")


if __name__ == "__main__":
    main()
