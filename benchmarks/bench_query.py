"""Query latency p50/p95 end to end at 1k, 10k, 100k and 1M passages, build cost, and recall.

End to end is `Engine.ask(question, collections=["global"])`: encoding the question, the
allowed-id lookup in SQLite, dense (FAISS) and BM25 search, fusion, ranking, fetching passages
and articles, and highlighting (which encodes each returned passage's sentences). Questions
are the first 50 of devset/questions.jsonl; every question is asked `--rounds` times after one
warm-up answer (which builds the BM25 index, or loads the one a run before saved; its cost is
reported as `lexical_build_s`).

Corpora: each size is a data folder under /tmp/coverage-bench/data-SIZE holding generated
passages (real sentences recombined, see common.py). The first `--pool` passages (5,000 by
default) carry REAL embeddings from the model; beyond that the vectors are SYNTHETIC: a random
pool vector plus Gaussian noise, renormalised, because the real model encodes only about
140 passages/s here. Stores are built once and cached; the index files are deleted before
each run so `Engine.open` builds whatever index the current library chooses, and that build
is timed (`index_build_s`, with the process's peak memory).

Each size runs in a fresh process. Per size it also reports where a query's time goes
(question encoding, SQLite, FAISS, BM25, highlighting, the rest), a cProfile of the queries
(benchmarks/results/profile-query-SIZE.txt), and recall@10 of the engine's index against
exact inner-product search (numpy) for the 50 questions. Recall on REAL embeddings is
measured on an all-real store of `--pool` passages (`recall_real`); at larger sizes recall is
over the synthetic vectors (`recall_at_size`). For an exact (Flat) index both are 1.0.

    .venv/bin/python benchmarks/bench_query.py --sizes 1000,10000,100000   # ~10 min first time
    .venv/bin/python benchmarks/bench_query.py --sizes 1000000            # ~15-25 min first time
    .venv/bin/python benchmarks/bench_query.py --index-type hnsw          # if Settings.index_type exists

Writes benchmarks/results/query.json (merged with earlier sizes, so sizes can run apart).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

import numpy as np
from common import (
    RESULTS_DIR,
    WORK_DIR,
    child,
    disk_bytes,
    encoder_for,
    ensure_store,
    index_type_of,
    load_questions,
    log,
    machine,
    memory,
    settings_for,
    shown,
    summary,
    timer,
    write_result,
)

HERE = Path(__file__).resolve()
TARGETS_MS = {100_000: 15.0, 1_000_000: 30.0}


class Stages:
    """Wall time per stage of `Engine.ask`, by wrapping the objects the engine calls. Each
    moment is counted once: to the innermost stage marked `part` (FAISS inside candidates),
    else to the outermost (the encoder inside highlight counts to highlight)."""

    def __init__(self):
        self.totals: dict[str, float] = {}
        self.depth: list[str] = []

    def wrap(self, name: str, func, part: bool = False):
        def timed(*args, **kwargs):
            if self.depth and not part:
                return func(*args, **kwargs)
            self.depth.append(name)
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                self.depth.pop()
                self.totals[name] = self.totals.get(name, 0.0) + took
                if self.depth:  # the outer stage keeps only its own time
                    outer = self.depth[-1]
                    self.totals[outer] = self.totals.get(outer, 0.0) - took

        return timed

    def install(self, engine) -> None:
        import retrieval.search.answer as answer_module

        engine.encoder.encode = self.wrap("encode question", engine.encoder.encode)
        engine._index.search = self.wrap("dense search (FAISS)", engine._index.search, part=True)
        lexical = engine._lexical_index()
        lexical.search = self.wrap("BM25 search", lexical.search, part=True)
        lexical.coverages = self.wrap("term coverage (highlight)", lexical.coverages, part=True)
        for name in ("passage_ids", "outlets", "candidate_rows", "passages_by_ids", "articles_by_ids", "copies_of"):
            if hasattr(engine.store, name):
                setattr(engine.store, name, self.wrap(f"sqlite {name}", getattr(engine.store, name), part=True))
        ranker = engine.searcher.ranker
        ranker.scores = self.wrap("model: order", ranker.scores)
        ranker.probabilities = self.wrap("model: relevance", ranker.probabilities)
        self._originals = {
            name: getattr(answer_module, name) for name in ("best_sentences", "passage_signals", "analyse", "gather")
        }
        labels = {
            "best_sentences": "highlight (split + encode sentences)",
            "passage_signals": "signals",
            "analyse": "question analysis",
            "gather": "candidates (merge, rows)",
        }
        for name, label in labels.items():
            setattr(answer_module, name, self.wrap(label, getattr(answer_module, name)))
        self._module = answer_module

    def uninstall(self, engine) -> None:
        for name, value in self._originals.items():
            setattr(self._module, name, value)
        ranker = engine.searcher.ranker
        del ranker.scores, ranker.probabilities


def recall(engine, questions: list[str], k: int = 10) -> float:
    """Mean recall@k of the engine's index against exact inner product over the stored vectors."""
    queries = engine.encoder.encode(questions)
    ids, vectors = [], []
    for batch_ids, batch_vectors in engine.store.iter_vectors(batch=50_000):
        ids.append(batch_ids)
        vectors.append(batch_vectors)
    ids = np.concatenate(ids)
    scores = np.vstack(vectors) @ queries.T  # (n, q)
    del vectors
    found = []
    for j, q in enumerate(queries):
        exact = ids[np.argpartition(-scores[:, j], k - 1)[:k]]
        _, approx = engine._index.search(q, k)
        found.append(len(set(exact.tolist()) & set(np.asarray(approx).tolist())) / k)
    return float(np.mean(found))


def run_size(size: int, args) -> dict:
    """One size, in this (fresh) process."""
    from retrieval import Engine

    settings = settings_for(WORK_DIR / "unused", args.index_type)  # for the model name
    data_dir, info = ensure_store(size, settings, args.pool, rebuild=args.rebuild)
    settings = settings_for(data_dir, args.index_type)
    questions = load_questions(args.questions)
    out: dict = {"passages": size, "real_vectors": min(size, args.pool), **info}

    encoder = encoder_for(settings)
    with timer() as t:
        encoder.encode(["warm up"])
    out["model_load_s"] = round(t["s"], 2)
    out["memory_before_open"] = memory()
    with timer() as t:
        engine = Engine.open(settings, encoder=encoder)
    out["index_build_s"] = round(t["s"], 2)
    out["index_type"] = index_type_of(engine)
    out["events"] = engine.events
    out["memory_after_open"] = memory()
    with timer() as t:
        engine.ask(questions[0], collections=["global"])
    out["first_answer_s"] = round(t["s"], 3)
    out["memory_after_first_answer"] = memory()

    times, answered = [], 0
    for _ in range(args.rounds):
        for q in questions:
            start = time.perf_counter()
            answer = engine.ask(q, collections=["global"])
            times.append(time.perf_counter() - start)
            answered += answer.answered
    out["latency"] = summary(times)
    out["answered_share"] = round(answered / len(times), 3)
    second = out["latency"]["p50_ms"] / 1000
    out["lexical_build_s"] = round(max(out["first_answer_s"] - second, 0.0), 3)
    out["disk"] = disk_bytes(data_dir)
    out["disk_bytes_per_passage"] = round(sum(out["disk"].values()) / size, 1)

    # Where the time goes: one instrumented pass.
    stages = Stages()
    stages.install(engine)
    with timer() as t:
        for q in questions:
            engine.ask(q, collections=["global"])
    stages.uninstall(engine)
    per_query = {k: round(v / len(questions) * 1000, 2) for k, v in stages.totals.items()}
    per_query["other (python: choosing, folding copies, result objects)"] = round(
        t["s"] / len(questions) * 1000 - sum(per_query.values()), 2
    )
    out["stages_ms_per_query"] = dict(sorted(per_query.items(), key=lambda kv: -kv[1]))

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for q in questions:
            engine.ask(q, collections=["global"])
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"profile-query-{size}.txt"
        path.write_text(f"# cProfile of {len(questions)} Engine.ask calls at {size:,} passages\n" + text.getvalue())
        out["profile"] = shown(path)

    out["memory_end"] = memory()
    with timer() as t:
        out["recall_at_size@10"] = round(recall(engine, questions), 4)
    out["recall_vectors"] = "real" if size <= args.pool else f"synthetic beyond the first {args.pool}"
    out["recall_s"] = round(t["s"], 1)
    engine.close()
    if size in TARGETS_MS:
        out["target_p50_ms"] = TARGETS_MS[size]
        out["target_met"] = out["latency"]["p50_ms"] <= TARGETS_MS[size]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="comma-separated passage counts")
    parser.add_argument("--questions", type=int, default=50, help="questions from the development set")
    parser.add_argument("--rounds", type=int, default=2, help="times each question is asked")
    parser.add_argument("--pool", type=int, default=5000, help="passages with real embeddings (default 5000)")
    parser.add_argument("--index-type", help="passed to Settings.index_type when the library has it")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached stores")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the cProfile pass")
    parser.add_argument(
        "--no-recall-real", dest="recall_real", action="store_false", help="skip the all-real store of --pool passages"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size, print JSON
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # internal: build the store only
    args = parser.parse_args()

    if args.build:
        settings = settings_for(WORK_DIR / "unused", args.index_type)
        _, info = ensure_store(args.build, settings, args.pool, rebuild=args.rebuild)
        info["memory"] = memory()
        print(json.dumps(info))
        return
    if args.one:
        print(json.dumps(run_size(args.one, args)))
        return

    passthrough = [f"--questions={args.questions}", f"--rounds={args.rounds}", f"--pool={args.pool}"]
    passthrough += [f"--index-type={args.index_type}"] if args.index_type else []
    passthrough += ["--rebuild"] if args.rebuild else []
    passthrough += [] if args.profile else ["--no-profile"]
    previous = RESULTS_DIR / "query.json"
    results = {}
    if previous.exists():
        old = json.loads(previous.read_text())
        results = {int(k): v for k, v in old.get("sizes", {}).items()}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.recall_real and args.pool not in sizes:
        sizes.append(args.pool)  # every vector real: recall of the index on real embeddings
    for size in sizes:
        log(f"size {size:,}: starting")
        with timer() as t:
            built = child(HERE, f"--build={size}", *passthrough, timeout=4 * 3600)
            pass_on = [a for a in passthrough if a != "--rebuild"]
            if size == args.pool and size not in [int(s) for s in args.sizes.split(",") if s.strip()]:
                pass_on = [*pass_on, "--rounds=1", "--no-profile"]
            row = child(HERE, f"--one={size}", *pass_on, timeout=4 * 3600)
        if built.get("store_built"):
            row.update(store_built=True, store_build_s=built["store_build_s"], store_build_memory=built["memory"])
        row["wall_s"] = round(t["s"], 1)
        row["machine"] = machine()
        results[size] = row
        lat = row["latency"]
        log(
            f"size {size:,}: p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, index {row['index_type']}, "
            f"recall@10 {row['recall_at_size@10']}, build {row['index_build_s']} s, stages {row['stages_ms_per_query']}"
        )
        write_result("query", {"sizes": dict(sorted(results.items())), "questions": args.questions})
    recall_real = {
        s: r["recall_at_size@10"] for s, r in results.items() if r.get("recall_vectors") == "real" and s <= args.pool
    }
    print(
        json.dumps(
            {"p50_ms": {s: r["latency"]["p50_ms"] for s, r in sorted(results.items())}, "recall_real": recall_real}
        )
    )


if __name__ == "__main__":
    sys.exit(main())
