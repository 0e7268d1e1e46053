"""Which thread settings serve one question fastest: the ONNX encoder's intra-op threads, and
FAISS's OpenMP threads for exact search over 100k vectors (random unit vectors).

    python benchmarks/bench_threads.py [--repeat 200] [--vectors 100000]

Writes benchmarks/results/threads.json. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np
from common import WORK_DIR, load_questions, log, settings_for, write_result

from retrieval.onnx_encoder import OnnxEncoder


def p50_ms(fn, repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(float(np.median(times)) * 1000, 3)


def encode_each(encoder, questions: list[str]):
    """A call that encodes the next question each time, one at a time, as a query would."""
    turn = iter(range(10**9))
    return lambda: encoder.encode([questions[next(turn) % len(questions)]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed calls per setting (default 200)")
    parser.add_argument("--vectors", type=int, default=100_000, help="vectors FAISS searches (default 100000)")
    args = parser.parse_args()
    settings = settings_for(WORK_DIR / "threads-unused")
    cache = settings.model_cache_dir or settings.data_dir / "models"
    questions = load_questions(20)
    faiss_key = f"faiss_flat_{args.vectors // 1000}k" if args.vectors % 1000 == 0 else f"faiss_flat_{args.vectors}"
    results: dict = {"encoder": {}, faiss_key: {}}
    for threads in (1, 2):
        encoder = OnnxEncoder(settings.model, cache, threads=threads)
        results["encoder"][threads] = p50_ms(encode_each(encoder, questions), args.repeat)
        log(f"encoder, {threads} thread(s): p50 {results['encoder'][threads]} ms per question")
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(args.vectors, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(384)
    index.add(vectors)
    query = vectors[:1]
    for threads in (1, 2):
        faiss.omp_set_num_threads(threads)
        results[faiss_key][threads] = p50_ms(lambda: index.search(query, 50), args.repeat)
        log(f"FAISS Flat {args.vectors:,}, {threads} thread(s): p50 {results[faiss_key][threads]} ms per query")
    write_result("threads", {"data": results})


if __name__ == "__main__":
    main()
