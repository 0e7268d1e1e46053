"""Run every benchmark in turn, then print the summary table docs/benchmarks.md shows.

    .venv/bin/python benchmarks/run_all.py                 # everything: about 45-60 min
    .venv/bin/python benchmarks/run_all.py --quick         # no 1M: about 15 min
    .venv/bin/python benchmarks/run_all.py --table-only    # the table from the saved results

Each benchmark is a separate process and writes benchmarks/results/NAME.json; a step that
fails is reported and the others still run. Run it on an otherwise idle machine: the load
average at the start of each benchmark is saved with its results.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from common import RESULTS_DIR, log

HERE = Path(__file__).resolve().parent


def load(name: str) -> dict:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def table() -> str:
    """Markdown: one row per figure, with its target and whether it is met."""
    rows = ["| Figure | Measured | Target | Verdict |", "|---|---|---|---|"]
    ingest = load("ingest")
    if ingest:
        rows.append(
            f"| Ingest, end to end ({ingest['passages']:,} passages in {ingest['files']} files) | "
            f"{ingest['end_to_end_passages_per_s']:.0f} passages/s | ≥ 400 passages/s | "
            f"{verdict(ingest['target_met'])} |"
        )
        rows.append(
            f"| Bare encoder on the same passages | {ingest['bare_encode_passages_per_s']:.0f} passages/s | | "
            f"ratio {ingest['ratio_end_to_end_to_bare']:.2f} |"
        )
    query = load("query").get("sizes", {})
    targets = {"100000": 15.0, "1000000": 30.0}
    for size, row in sorted(query.items(), key=lambda kv: int(kv[0])):
        lat = row["latency"]
        target = targets.get(size)
        rows.append(
            f"| Query p50 / p95 at {int(size):,} passages ({row['index_type']}) | "
            f"{lat['p50_ms']:.1f} / {lat['p95_ms']:.1f} ms | "
            f"{f'p50 ≤ {target:.0f} ms' if target else ''} | "
            f"{verdict(lat['p50_ms'] <= target) if target else ''} |"
        )
    for size, row in sorted(query.items(), key=lambda kv: int(kv[0])):
        rows.append(
            f"| Recall@10 vs exact at {int(size):,} ({row['recall_vectors']} vectors) | "
            f"{row['recall_at_size@10']:.3f} | ≥ 0.98 | {verdict(row['recall_at_size@10'] >= 0.98)} |"
        )
    for size, row in sorted(query.items(), key=lambda kv: int(kv[0])):
        if int(size) >= 100_000:
            rows.append(
                f"| Build at {int(size):,}: index / BM25 (first answer) | "
                f"{row['index_build_s']:.1f} s / {row['lexical_build_s']:.1f} s, peak RSS "
                f"{row['memory_end']['vmhwm_mb']:.0f} MB | | |"
            )
    memory = load("memory").get("sizes", {})
    for size, row in sorted(memory.items(), key=lambda kv: int(kv[0])):
        target = row.get("target_rss_mb")
        rows.append(
            f"| RSS holding {int(size):,} passages (open + one answer; peak) | "
            f"{row['rss_mb']:.0f} MB (peak {row['peak_rss_mb']:.0f} MB) | {f'≤ {target} MB' if target else ''} | "
            f"{verdict(row['target_met']) if target else ''} |"
        )
        rows.append(
            f"| Disk per passage at {int(size):,} (store + index) | "
            f"{row['disk_bytes_per_passage']['total']:.0f} B ({row['disk_bytes_per_passage']['store']:.0f} + "
            f"{row['disk_bytes_per_passage']['index']:.0f}) | | |"
        )
    cold = load("coldstart")
    for label, row in cold.get("data", {}).items():
        cli = row["cli"]["median_s"]
        rows.append(
            f"| Cold start to first answer, CLI ({label}) | {cli:.2f} s | "
            f"{'≤ 4 s' if label == 'seeds' else ''} | {verdict(cli <= 4.0) if label == 'seeds' else ''} |"
        )
        bot = row["bot"]
        shown = f"{bot['median_s']:.2f} s" if bot.get("available") else "bot not available"
        rows.append(f"| Cold start to first answer, bot ({label}) | {shown} | | |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip 1M passages")
    parser.add_argument("--table-only", action="store_true", help="print the table from saved results")
    parser.add_argument("--index-type", help="passed to Settings.index_type when the library has it")
    args = parser.parse_args()
    failed: list[str] = []
    if not args.table_only:
        extra = [f"--index-type={args.index_type}"] if args.index_type else []
        sizes = "1000,10000,100000" if args.quick else "1000,10000,100000,1000000"
        steps = [
            ["bench_ingest.py", *extra],
            ["bench_query.py", f"--sizes={sizes}", *extra],
            ["bench_memory.py", f"--sizes={'100000' if args.quick else '100000,1000000'}", *extra],
            ["bench_coldstart.py", "--sizes=100000"],
        ]
        for step in steps:
            log(f"running {' '.join(step)}")
            code = subprocess.run([sys.executable, str(HERE / step[0]), *step[1:]]).returncode
            if code:
                log(f"{step[0]} failed with status {code}")
                failed.append(step[0])
    print(table())
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)} (the table shows their earlier results, if any)")


if __name__ == "__main__":
    main()
