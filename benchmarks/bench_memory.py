"""Resident memory of a process holding 100k and 1M passages, and bytes per passage on disk.

For each size, a fresh process opens the engine on the cached data folder (the same stores
bench_query.py uses, built here if missing, with the index already built by an earlier
process so that building it does not count), answers one question, and reports VmRSS and
VmHWM from /proc/self/status at each step: after imports, after loading the model, after
`Engine.open`, after the first answer (which builds the BM25 index in memory). On disk:
the SQLite store (with WAL) and the FAISS index files, divided by the number of passages.

    .venv/bin/python benchmarks/bench_memory.py                  # 100k and 1M
    .venv/bin/python benchmarks/bench_memory.py --sizes 100000   # ~2 min once the store exists

Writes benchmarks/results/memory.json. Target: RSS <= 1.5 GB at 1M passages.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import (
    WORK_DIR,
    child,
    disk_bytes,
    encoder_for,
    ensure_store,
    index_type_of,
    log,
    memory,
    settings_for,
    timer,
    write_result,
)

HERE = Path(__file__).resolve()
TARGET_MB = {1_000_000: 1536}


def measure(size: int, args) -> dict:
    """In this fresh process: memory at each step of opening and answering."""
    steps = {"after imports": memory()}
    from retrieval import Engine

    steps["after importing retrieval"] = memory()
    settings = settings_for(WORK_DIR / f"data-{size}", args.index_type)
    encoder = encoder_for(settings)
    encoder.encode(["load the model"])
    steps["after loading the model"] = memory()
    with timer() as t_open:
        engine = Engine.open(settings, encoder=encoder)
    steps["after Engine.open"] = memory()
    with timer() as t_ask:
        answer = engine.ask("what did trump say about russian losses", collections=["global"])
    steps["after the first answer"] = memory()
    with timer() as t_ask2:
        engine.ask("when did the storm cut power on the coast", collections=["global"])
    steps["after a second answer"] = memory()
    out = {
        "passages": size,
        "index_type": index_type_of(engine),
        "events": engine.events,
        "open_s": round(t_open["s"], 2),
        "first_answer_s": round(t_ask["s"], 2),
        "second_answer_s": round(t_ask2["s"], 3),
        "answered": answer.answered,
        "steps": steps,
        "rss_mb": steps["after a second answer"]["vmrss_mb"],
        "peak_rss_mb": steps["after a second answer"]["vmhwm_mb"],
        "model_and_imports_mb": steps["after loading the model"]["vmrss_mb"],
    }
    out["data_mb"] = round(out["rss_mb"] - out["model_and_imports_mb"], 1)
    out["data_bytes_per_passage"] = round(out["data_mb"] * 1024 * 1024 / size, 1)
    engine.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated passage counts")
    parser.add_argument("--pool", type=int, default=5000, help="passages with real embeddings in a built store")
    parser.add_argument("--index-type", help="passed to Settings.index_type when the library has it")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare:
        # Build the store if needed and the index the current library chooses, then exit.
        from retrieval import Engine

        settings = settings_for(WORK_DIR / "unused", args.index_type)
        data_dir, info = ensure_store(args.prepare, settings, args.pool, drop_index=True)
        with timer() as t:
            Engine.open(settings_for(data_dir, args.index_type)).close()
        print(json.dumps({**info, "index_build_s": round(t["s"], 1), "memory": memory()}))
        return
    if args.one:
        print(json.dumps(measure(args.one, args)))
        return

    extra = [f"--pool={args.pool}"] + ([f"--index-type={args.index_type}"] if args.index_type else [])
    rows = {}
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        log(f"size {size:,}: building the store and the index in a separate process")
        prepared = child(HERE, f"--prepare={size}", *extra, timeout=4 * 3600)
        log(f"size {size:,}: measuring")
        row = child(HERE, f"--one={size}", *extra, timeout=4 * 3600)
        row["prepare"] = prepared
        disk = disk_bytes(WORK_DIR / f"data-{size}")
        row["disk"] = disk
        row["disk_bytes_per_passage"] = {
            "store": round(disk["store_bytes"] / size, 1),
            "index": round(disk["index_bytes"] / size, 1),
            "total": round(sum(disk.values()) / size, 1),
        }
        if size in TARGET_MB:
            row["target_rss_mb"] = TARGET_MB[size]
            row["target_met"] = row["peak_rss_mb"] <= TARGET_MB[size]
        rows[size] = row
        log(
            f"size {size:,}: RSS {row['rss_mb']} MB (peak {row['peak_rss_mb']} MB), "
            f"disk {row['disk_bytes_per_passage']['total']} B/passage"
        )
        write_result("memory", {"sizes": rows})
    print(json.dumps({s: {"rss_mb": r["rss_mb"], "peak_rss_mb": r["peak_rss_mb"]} for s, r in rows.items()}))


if __name__ == "__main__":
    sys.exit(main())
