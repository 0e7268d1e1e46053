"""What keeping the data folder crash-safe costs, apart from the encoder.

A stand-in encoder (random unit vectors, microseconds a batch) isolates the store's own work:
- a batched bulk add (SQLite, the vector index saved and BM25 rebuilt after every batch) until
  the first question is answered, against the same add as one batch;
- opening the folder again (both indexes loaded and checked against the store);
- `coverage-bot check`, quick and thorough (every page of the store and every vector read).

    .venv/bin/python benchmarks/bench_store.py                 # 2,000 articles x 10 passages
    .venv/bin/python benchmarks/bench_store.py --articles 500  # quick check

Writes benchmarks/results/store.json.
"""

from __future__ import annotations

import argparse
import shutil

import numpy as np
from common import WORK_DIR, log, new_engine, timer, write_result


class StandIn:
    """The encoder's interface with none of its cost."""

    key, dimension = "stand-in", 384

    def encode(self, texts, progress: bool = False) -> np.ndarray:
        vectors = np.random.default_rng(len(texts)).standard_normal((len(texts), self.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def articles(n: int) -> list:
    from retrieval.parse import from_fields

    words = "harbour ferry council bridge storm budget minister port election vote rail strike".split()
    rng = np.random.default_rng(0)
    return [
        from_fields(
            f"Bulletin {i}",
            "\n\n".join(" ".join(rng.choice(words, 30)) + f" item {i}-{j}." for j in range(10)),
            outlet="Port Log",
            url=f"https://port.example/{i}",
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles of 10 passages (default 2000)")
    args = parser.parse_args()

    from retrieval import Engine, Settings
    from retrieval.embed import vector_key
    from retrieval.health import inspect

    corpus = articles(args.articles)
    passages = 10 * args.articles
    result: dict = {"passages": passages}
    for label, batch in (("batched", None), ("one batch", 10**7)):
        data = WORK_DIR / "store"
        shutil.rmtree(data, ignore_errors=True)
        settings = Settings(data_dir=data, seeds_dir=WORK_DIR / "no-seeds")
        if batch:
            settings = settings.with_(ingest_batch=batch)
        engine = new_engine(settings, StandIn())
        with timer() as add:
            engine.add(corpus)
            engine.ask("ferry budget")
        engine.close()
        result[f"add_until_searchable_s ({label})"] = round(add["s"], 2)
        log(f"{passages:,} passages, {label}: add until searchable {add['s']:.2f} s")
    with timer() as opened:
        engine = Engine.open(settings, encoder=StandIn())
    engine.close()
    result["open_s"] = round(opened["s"], 3)
    for thorough in (False, True):
        with timer() as checked:
            health = inspect(settings, vector_key(StandIn.key), thorough=thorough)
        assert health.healthy, health.summary()
        result[f"check_s ({'thorough' if thorough else 'quick'})"] = round(checked["s"], 3)
    log(
        f"open {result['open_s']} s; check quick {result['check_s (quick)']} s, thorough {result['check_s (thorough)']} s"
    )
    write_result("store", result)


if __name__ == "__main__":
    main()
