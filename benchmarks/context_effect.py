"""What reading each passage with its headline does to each retriever: dense (MiniLM), BM25
and their reciprocal rank fusion, with and without the headline and section heading, on the
development sets' answerable questions (hit@1 and hit@3 over the whole corpus, no decline).

The passages are the stored ones of the data folders `fit_ranker.py` builds (the real ingest
path); the "with" vectors are the stored ones, the "without" vectors are the paragraphs
encoded again alone (cached in the work folder).

    python benchmarks/context_effect.py                 # both sets
    python benchmarks/context_effect.py --limit 20      # a quick trial
    python benchmarks/context_effect.py --limit 12 --articles 8   # a smoke run (seconds)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import WORK_DIR, log, write_result  # noqa: E402
from benchmarks.fit_ranker import FIT_SETS, SETS, open_set  # noqa: E402
from retrieval.embed import passage_text  # noqa: E402
from retrieval.evaluate import is_fresh, load_questions  # noqa: E402
from retrieval.lexical import LexicalIndex, query_terms  # noqa: E402

N = 50  # candidates a retriever returns (the engine's default)
RRF_K = 60


def corpus(engine):
    rows = engine.store.db.execute(
        "SELECT p.id, p.text, p.heading, p.vector, a.title, a.url, a.id FROM passages p "
        "JOIN articles a ON a.id = p.article_id ORDER BY p.id"
    ).fetchall()
    return {
        "ids": np.array([r[0] for r in rows], dtype=np.int64),
        "texts": [r[1] for r in rows],
        "contexts": [passage_text(r[4], r[2], r[1]) for r in rows],
        "vectors": np.vstack([np.frombuffer(r[3], dtype=np.float32) for r in rows]),
        "urls": [r[5] or "" for r in rows],
        "articles": [str(r[6]) for r in rows],
    }


def plain_vectors(engine, texts: list[str], work: Path) -> np.ndarray:
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = work / f"plain-{key}.npy"
    if path.exists():
        return np.load(path)
    log(f"encoding {len(texts)} paragraphs alone (once, cached in {path})")
    vectors = np.vstack([engine.encoder.encode(texts[i : i + 256]) for i in range(0, len(texts), 256)])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def top(scores: np.ndarray, n: int = N) -> np.ndarray:
    n = min(n, len(scores))
    best = np.argpartition(-scores, n - 1)[:n]
    return best[np.argsort(-scores[best], kind="stable")]


def fuse(*rankings: np.ndarray) -> np.ndarray:
    score: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking, 1):
            score[int(i)] = score.get(int(i), 0.0) + 1.0 / (RRF_K + rank)
    return np.array(sorted(score, key=lambda i: -score[i]), dtype=np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(FIT_SETS), help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--work", type=Path, default=WORK_DIR)
    parser.add_argument("--limit", type=int, help="only the first N questions of each set")
    parser.add_argument(
        "--articles",
        type=int,
        help="only the first N articles of each set's corpus (a quick trial; figures mean nothing)",
    )
    args = parser.parse_args()
    if unknown := [n for n in args.sets.split(",") if n not in SETS]:
        parser.error(f"no set named {', '.join(unknown)}; the sets are {', '.join(SETS)}")
    started = time.time()
    figures = {}
    for name in args.sets.split(","):
        engine = open_set(name, SETS[name][0], args.work, args.articles)
        c = corpus(engine)
        with_context = c["vectors"]
        alone = plain_vectors(engine, c["texts"], args.work)
        bm25 = {"alone": LexicalIndex.build(c["ids"], c["texts"]), "with": LexicalIndex.build(c["ids"], c["contexts"])}
        position = {int(pid): k for k, pid in enumerate(c["ids"])}
        questions = [q for q in load_questions(SETS[name][1])[: args.limit] if not q.unanswerable]
        published = engine.published_dates({str(e) for q in questions for e in q.expected}, ["global"])
        ranks: dict[str, list[int | None]] = {}
        fresh = [is_fresh(q, published) is not False for q in questions]
        vectors = engine.encoder.encode([q.question for q in questions])
        for q, v in zip(questions, vectors, strict=True):
            wanted = {str(e) for e in q.expected}
            right = np.array(
                [
                    (u in wanted or a in wanted) and q.answer in t
                    for u, a, t in zip(c["urls"], c["articles"], c["texts"], strict=True)
                ]
            )
            terms = query_terms(q.question)
            runs = {}
            for label, matrix in (("alone", alone), ("with", with_context)):
                runs[f"dense, {label}"] = top(matrix @ v)
                _, ids = bm25[label].search(terms, N)
                runs[f"BM25, {label}"] = np.array([position[int(i)] for i in ids], dtype=np.int64)
            for label in ("alone", "with"):
                runs[f"fused, {label}"] = fuse(runs[f"dense, {label}"], runs[f"BM25, {label}"])
            runs["fused, dense with + BM25 alone"] = fuse(runs["dense, with"], runs["BM25, alone"])
            for key, ranking in runs.items():
                hit = next((r for r, i in enumerate(ranking[:10], 1) if right[i]), None)
                ranks.setdefault(key, []).append(hit)
        table = {}
        for key, hits in ranks.items():
            for subset, keep in (("all", [True] * len(hits)), ("fresh", fresh)):
                chosen = [h for h, k in zip(hits, keep, strict=True) if k]
                if chosen and (subset == "all" or not all(fresh)):
                    table.setdefault(key, {})[subset] = {
                        "n": len(chosen),
                        "hit@1": round(sum(h == 1 for h in chosen) / len(chosen), 4),
                        "hit@3": round(sum(h is not None and h <= 3 for h in chosen) / len(chosen), 4),
                    }
        figures[name] = table
        for key, row in table.items():
            shown = row.get("fresh", row["all"])
            log(f"{name:16} {key:34} hit@1 {shown['hit@1']:.3f} hit@3 {shown['hit@3']:.3f} (n={shown['n']})")
        engine.close()
    write_result(
        "context", {"figures": figures, "candidates": N, "rrf_k": RRF_K, "seconds": round(time.time() - started, 1)}
    )


if __name__ == "__main__":
    main()
