"""Plain-text rendering of library results for a terminal (bold via click where it is a TTY).

Article text and metadata come from anywhere, so every piece of it passes through `clean` (or
`line`) on its way out, and JSON through `dumps`: escape sequences in a page must not set the
window title, write the clipboard (OSC 52) or move the cursor when `ask` prints a quote. Ingest
removes them already (`retrieval.text`); this is the same rule again, for whatever a store holds.
"""

from __future__ import annotations

import json
import re
import textwrap

import click

from retrieval.models import Answer, Article, Block, Comparison, Hit, IngestReport, Passage
from retrieval.text import one_line, strip_controls

NO_ANSWER = "The coverage held here does not answer that question."

_C1_AND_DEL = re.compile(r"[\x7f-\x9f]")


def clean(text: str) -> str:
    """Text without escape sequences or control characters (newlines and tabs stay): the
    library's own sanitiser, the one ingest uses, so stored and printed text follow one rule."""
    return strip_controls(text)


def line(text: object) -> str:
    """`clean`, on one line: for headlines, outlets, names, URLs and messages."""
    return one_line(str(text))


def dumps(data: object, indent: int | None = None) -> str:
    """JSON for scripts. `json` escapes C0 controls already; C1 and DEL, which some terminals also
    obey, are escaped too."""
    out = json.dumps(data, ensure_ascii=False, indent=indent)
    return _C1_AND_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def attribution(article: Article, paragraph: int | None = None) -> str:
    parts = [line(article.outlet or "Unknown outlet"), f"“{line(article.title)}”"]
    parts.append(f"by {line(article.author)}" if article.author else "author unknown")
    parts.append(line(article.published or "date unknown"))
    if paragraph is not None:
        parts.append(f"¶{paragraph}")
    head = " · ".join(parts)
    return f"{head}\n{line(article.url)}" if article.url else head


def highlighted(hit: Hit) -> str:
    text, best = clean(hit.passage.text), clean(hit.highlight)
    if best and best in text:
        start = text.index(best)
        return text[:start] + click.style(best, bold=True) + text[start + len(best) :]
    return text


def _wrap(text: str, indent: str = "   ", subsequent: str | None = None) -> str:
    return textwrap.fill(
        text,
        width=100,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False,
    )


def hit_block(n: int, hit: Hit) -> str:
    lines = [
        f"{n}. relevance {hit.score:.2f}",
        _wrap(highlighted(hit)),
        textwrap.indent(attribution(hit.article, hit.passage.ordinal), "   — "),
    ]
    for other in hit.also_in:
        lines.append(
            f"   also carried by {line(other.outlet or 'unknown outlet')} (article {other.id})"
            + (f": {line(other.url)}" if other.url else "")
        )
    return "\n".join(lines)


def answer(result: Answer) -> str:
    if not result.answered:
        text = NO_ANSWER + " Try `coverage-bot articles` to see what is held."
        if result.related:
            blocks = [hit_block(i, h) for i, h in enumerate(result.related, 1)]
            text += "\n\nClosest coverage, which may not answer it:\n\n" + "\n\n".join(blocks)
        return text
    return "\n\n".join(hit_block(i, h) for i, h in enumerate(result.hits, 1))


def comparison(result: Comparison) -> str:
    if not result.answered:
        return f"No outlet held here covers “{line(result.topic)}”."
    blocks = []
    for group in result.outlets:
        blocks.append(click.style(line(group.outlet), bold=True))
        blocks += [hit_block(i, h) for i, h in enumerate(group.hits, 1)]
    return "\n\n".join(blocks)


def ingest_report(report: IngestReport) -> str:
    lines = []
    for o in report.outcomes:
        if o.status == "skipped":
            continue
        lines.append(f"{o.status:9} #{o.article_id} {line(o.title or '')} ({o.paragraphs} paragraphs)")
    lines.append(report.summary())
    return "\n".join(lines)


def article_table(rows: list[Article]) -> str:
    if not rows:
        return "No articles."
    out = [f"{'id':>5}  {'outlet':20}  {'date':10}  {'¶':>3}  headline"]
    for a in rows:
        out.append(
            f"{a.id:>5}  {line(a.outlet or '?')[:20]:20}  {line(a.published or '—'):10}  {a.paragraphs:>3}  "
            f"{line(a.title)}"
        )
    return "\n".join(out)


def article_detail(article: Article, passages: list[Passage], blocks: list[Block] | None = None) -> str:
    """The article as a reader sees it: headings, paragraphs with their ¶ numbers, and the
    captions, teasers and embeds that are shown but never quoted (marked by their kind)."""
    head = [
        click.style(line(article.title), bold=True),
        f"id {article.id} · collection {line(article.collection)}",
        f"outlet:    {line(article.outlet or 'unknown')}",
        f"author:    {line(article.author or 'unknown')}",
        f"published: {line(article.published or 'unknown')}",
        f"url:       {line(article.url or '—')}",
        f"added:     {article.added_at} by {line(article.added_by or 'unknown')}",
        "",
    ]
    if not blocks:  # stored before blocks were kept: the passages are the article
        body = [_wrap(clean(p.text), indent=f"¶{p.ordinal:<3} ", subsequent=" " * 5) for p in passages]
        return "\n".join(head) + "\n".join(body)
    body = []
    shown: set[int] = set()
    for block in blocks:
        if block.kind == "heading":
            body += ["", click.style(line(block.text), bold=True)]
        elif block.passage is not None and block.kind in ("list_item", "table_row"):
            mark = f"¶{block.passage}" if block.passage not in shown else ""
            body.append(_wrap(("• " if block.kind == "list_item" else "") + clean(block.text), f"{mark:<5}", " " * 7))
        elif block.passage is not None:
            mark = f"¶{block.passage}" if block.passage not in shown else ""
            body.append(_wrap(clean(block.text), indent=f"{mark:<5}", subsequent=" " * 5))
        else:
            body.append(_wrap(f"[{block.kind.replace('_', ' ')}] {clean(block.text)}", indent=" " * 5))
        if block.passage is not None:
            shown.add(block.passage)
    return "\n".join(head) + "\n".join(body).lstrip("\n")


def stats(data: dict) -> str:
    return "\n".join(
        [
            f"articles:    {data['articles']} in {data['collections']} collection(s)",
            f"passages:    {data['passages']} ({data['indexed']} indexed)",
            f"index:       {data['index_type']}",
            f"model:       {data['model']}",
            f"data folder: {line(data['data_dir'])}",
            f"disk:        store {data['store_bytes'] / 1e6:.1f} MB, index {data['index_bytes'] / 1e6:.1f} MB",
        ]
    )


def health(report) -> str:
    """`check`'s table: one row per part of the data folder, then what to do about each problem."""
    width = max(len(f.part) for f in report.findings)
    lines = [f"data folder: {line(report.data_dir)}", ""]
    for f in report.findings:
        status = "ok" if f.ok else click.style("PROBLEM", bold=True)
        lines.append(f"{f.part:<{width}}  {status:<7}  {line(f.detail)}")
    lines += [f"repaired: {line(action)}" for action in report.repaired]
    lines.append("")
    if report.healthy:
        lines.append("healthy")
    else:
        lines.append(f"{len(report.problems)} problem(s):")
        lines += [f"- {f.part}: {line(f.fix)}" for f in report.problems if f.fix]
    return "\n".join(lines)


def evaluation(figures: dict) -> str:
    def pct(value) -> str:
        return "   —" if value is None else f"{100 * value:5.1f}"

    head = f"{'':16} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'declined':>9} {'wrongly declined':>17}"
    lines = [head]

    def row(name: str, f: dict) -> str:
        return (
            f"{name:16} {f['questions']:>4} {pct(f['hit@1']):>6} {pct(f['hit@3']):>6} {pct(f['mrr']):>6} "
            f"{pct(f['declined_unanswerable']):>9} {pct(f['wrongly_declined']):>17}"
        )

    lines.append(row("all", figures["overall"]))
    if figures.get("fresh"):
        lines.append(row("fresh", figures["fresh"]))
    for name, f in figures["by_split"].items():
        lines.append(row(f"split {name}", f))
    for name, f in figures["by_kind"].items():
        lines.append(row(f"kind {name}", f))
    lines.append(
        "(percentages; declined = unanswerable questions declined; MRR × 100; fresh = answerable questions "
        "with an expected article from the 31 days before their date, and every dated unanswerable one)"
    )
    for miss in figures.get("misses", []):
        what = "answered" if miss["answered"] else "declined"
        lines.append(f"miss {line(miss['id'])}: {line(miss['question'])} ({what}, rank {miss['rank'] or '—'})")
    return "\n".join(lines)
