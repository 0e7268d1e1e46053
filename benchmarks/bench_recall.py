"""Recall of the IVF index against exact search, for real questions, by nprobe.

For each cached store of `bench_query.py` (`/tmp/coverage-bench/data-SIZE`, built here if
missing, with `--pool` real embeddings), builds the IVF index the engine would build over the
stored vectors and an exact index beside it, encodes `--questions` (120) development-set
questions with the engine's encoder, and reports for each nprobe:

- recall@10: the share of the exact top 10 that the IVF top 10 holds;
- engine recall@10: the share of the exact top 10 among the IVF top 50, which is what the
  engine uses (it takes 50 dense candidates and re-scores them with the exact stored vectors);
- the search time of one question on one thread.

    python benchmarks/bench_recall.py [--sizes 100000,1000000] [--nprobe 16,32,64,128] [--questions 120]

Writes benchmarks/results/recall.json.
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np
from common import WORK_DIR, encoder_for, ensure_store, load_questions, log, settings_for, write_result

from retrieval.index import VectorIndex, ivf_lists
from retrieval.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="cached stores of bench_query.py, comma-separated")
    parser.add_argument("--nprobe", default="16,32,64,128", help="IVF lists scanned, comma-separated")
    parser.add_argument("--questions", type=int, default=120, help="questions from the development set (default 120)")
    parser.add_argument("--pool", type=int, default=5000, help="passages with real embeddings in a built store")
    args = parser.parse_args()
    settings = settings_for(WORK_DIR / "unused")  # for the encoder
    questions = load_questions(args.questions)
    query = encoder_for(settings).encode(questions)
    results = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        data, _ = ensure_store(size, settings, args.pool, drop_index=False)
        store = Store(data / "coverage.sqlite3")
        ids, vectors = zip(*store.iter_vectors(50_000), strict=True)
        ids, vectors = np.concatenate(ids), np.vstack(vectors)
        store.close()
        faiss.omp_set_num_threads(2)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        _, truth = exact.search(query, 10)
        truth = ids[truth]
        started = time.perf_counter()
        sample = vectors[
            np.random.default_rng(0).choice(len(ids), min(len(ids), 64 * ivf_lists(len(ids))), replace=False)
        ]
        index = VectorIndex.build("ivf", vectors.shape[1], "bench", sample, n=len(ids))
        index.add(ids, vectors)
        build_s = time.perf_counter() - started
        faiss.omp_set_num_threads(1)
        rows = {}
        for nprobe in [int(n) for n in args.nprobe.split(",")]:
            index.nprobe = nprobe
            at10 = at50 = 0
            times = []
            for q, want in zip(query, truth, strict=True):
                t = time.perf_counter()
                _, got10 = index.search(q, 10)
                times.append(time.perf_counter() - t)
                _, got50 = index.search(q, 50)
                at10 += len(set(got10) & set(want))
                at50 += len(set(got50) & set(want))
            n = 10 * len(query)
            rows[nprobe] = {
                "recall@10": round(at10 / n, 4),
                "engine_recall@10": round(at50 / n, 4),
                "search_p50_ms": round(float(np.median(times)) * 1000, 3),
            }
            log(f"{size:,} passages, nprobe {nprobe}: {rows[nprobe]}")
        results[size] = {"lists": index.index.nlist, "build_s": round(build_s, 1), "by_nprobe": rows}
    write_result("recall", {"questions": len(questions), "data": results})


if __name__ == "__main__":
    main()
