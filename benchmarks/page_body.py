"""Article-body extraction on the 181 real pages of scrapinghub/article-extraction-benchmark.

Every page goes through the real ingest path (`Engine.ingest` of the page as a `.html` file,
into a fresh data folder, with the packaged model), then the stored text is scored against
the benchmark's ground truth with the benchmark's own metric, reproduced from its
`evaluate.py`: token shingles of 4 `\\w+` tokens, per-page TP/FP/FN normalised to sum 1,
precision and recall averaged over pages, F1 of the two means. Bare trafilatura
(`trafilatura.extract(html, include_comments=False)`, as the benchmark runs it) is scored
beside it.

Two stored texts are scored:
- passages: the stored passages joined in order (what is embedded and quoted);
- article: the stored article's body blocks in order (passages plus the section headings
  they sit under: what `coverage-bot source` shows, less teasers, captions, embeds, bylines
  and datelines).

    python benchmarks/page_body.py [--data /path/to/article-extraction-benchmark] [--pages N] [--json]

The pages are read from ../shared/devdata (never copied into the repository).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import DEVDATA, WORK_DIR, new_engine, settings_for

DEFAULT_DATA = DEVDATA / "article-extraction-benchmark"
BODY_KINDS = {"paragraph", "heading", "list_item", "quotation", "table_row"}

# -- the benchmark's metric (evaluate.py), reproduced --------------------------------------
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _ngrams(text: str, n: int = 4) -> list[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text or "")
    return [tuple(tokens[i : i + n]) for i in range(0, max(1, len(tokens) - n + 1)) if tokens[i : i + n]]


def shingle_match(true: str, pred: str) -> tuple[float, float, float]:
    true_shingles, pred_shingles = Counter(_ngrams(true)), Counter(_ngrams(pred))
    tp = fp = fn = 0.0
    for key in set(true_shingles) | set(pred_shingles):
        t, p = true_shingles.get(key, 0), pred_shingles.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total > 0 else (tp, fp, fn)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def metrics(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    precision = statistics.mean(_precision(*r) for r in rows if r[0] + r[1] > 0)
    recall = statistics.mean(_recall(*r) for r in rows if r[0] + r[2] > 0)
    return {"f1": 2 * precision * recall / (precision + recall), "precision": precision, "recall": recall}


# -- running ------------------------------------------------------------------------------
def load_pages(data: Path, limit: int | None = None) -> dict[str, str]:
    """The pages by id, in id order; with `limit`, the first that many."""
    if not (data / "html").is_dir():
        raise SystemExit(f"no pages at {data / 'html'} (the benchmark's pages are read from {DEFAULT_DATA})")
    pages = {}
    for path in sorted((data / "html").glob("*.html.gz"))[:limit]:
        with gzip.open(path, "rt", encoding="utf8") as f:
            pages[path.name.split(".")[0]] = f.read()
    return pages


def ours(pages: dict[str, str], workdir: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(passages, article text, refusal reason) per page id, through `Engine.ingest`."""
    folder = workdir / "pages"
    folder.mkdir()
    for key, html in pages.items():
        (folder / f"{key}.html").write_text(html, encoding="utf8")
    engine = new_engine(settings_for(workdir / "data"))
    report = engine.ingest([str(folder)], collection="bench", progress=sys.stderr.isatty())
    passages, article, refused = {}, {}, {}
    for outcome in report.outcomes:
        key = Path(outcome.source).name.split(".")[0]
        if outcome.article_id is None:
            refused[key] = outcome.reason or outcome.status
            continue
        _, stored = engine.article(outcome.article_id)
        passages[key] = "\n".join(p.text for p in stored)
        blocks = engine.blocks(outcome.article_id)
        title = engine.store.article(outcome.article_id).title.lower()
        article[key] = "\n".join(
            b.text for b in blocks if b.kind in BODY_KINDS and not (b.kind == "heading" and b.text.lower() == title)
        )
    engine.close()
    return passages, article, refused


def bare_trafilatura(pages: dict[str, str]) -> dict[str, str]:
    import trafilatura

    return {key: trafilatura.extract(html, include_comments=False) or "" for key, html in pages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, help="only the first N pages (a quick trial)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pages = load_pages(args.data, args.pages)
    truth = {k: v for k, v in json.loads((args.data / "ground-truth.json").read_text()).items() if k in pages}
    started = time.perf_counter()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="page-body-", dir=WORK_DIR) as tmp:
        passages, article, refused = ours(pages, Path(tmp))
    took = time.perf_counter() - started
    bare = bare_trafilatura(pages)
    results = {}
    for name, texts in (("passages", passages), ("article", article), ("bare trafilatura", bare)):
        rows = [shingle_match(truth[k].get("articleBody", ""), texts.get(k, "")) for k in truth]
        results[name] = metrics(rows)
    bare_refused = [k for k in refused if bare.get(k)]
    out = {
        "pages": len(truth),
        "scores": results,
        "refused": refused,
        "refused_but_bare_trafilatura_extracts": bare_refused,
        "ingest_seconds": round(took, 1),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{len(truth)} pages, token-shingle F1 (the benchmark's metric); ingest took {took:.0f} s")
    print(f"{'':28} {'F1':>6} {'precision':>10} {'recall':>7}")
    for name, m in results.items():
        label = {"passages": "ours: stored passages", "article": "ours: stored article text"}.get(name, name)
        print(f"{label:28} {m['f1']:6.3f} {m['precision']:10.3f} {m['recall']:7.3f}")
    print(f"refused: {len(refused)} ({len(bare_refused)} of them extracted by bare trafilatura)")
    for key, reason in refused.items():
        print(f"  {key[:16]}: {reason}")


if __name__ == "__main__":
    main()
