"""Cold start: seconds from process start to the first answer, for the CLI and for the bot.

CLI: the wall time of `coverage-bot --data-dir D ask "QUESTION" --json` run as a subprocess
(start to exit: what a user waits for), median of `--runs` (5) after one warm-up run that
creates and seeds the data folder. For context it also times `python -c pass`, importing the
CLI module and sentence-transformers (`--no-context` skips these), and `coverage-bot stats --json`
(which loads no model).

Bot: a fresh interpreter that imports `bot`, opens the engine the way the bot does
(`bot.main.open_engine`, which loads the model before serving), builds the bot with
`bot.create_bot(settings, engine, auto_sync=False)`, loads its cogs (`setup_hook`, no
network) and answers one question through `bot.run(engine.ask, ...)`. The figure is from just
before the process is spawned to the moment the answer exists (reported by the child), so
interpreter exit is not counted. If `bot` cannot be imported, it prints "bot not available".

D is /tmp/coverage-bench/coldstart (the seeds) by default; `--sizes 100000` also measures
the cached stores of bench_query.py (where the BM25 index is rebuilt in each new process).

    .venv/bin/python benchmarks/bench_coldstart.py              # about 2 min
    .venv/bin/python benchmarks/bench_coldstart.py --sizes 100000 --runs 3
    .venv/bin/python benchmarks/bench_coldstart.py --runs 1 --no-context   # a smoke run (~10 s)

Writes benchmarks/results/coldstart.json. Target: first CLI answer <= 4 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import WORK_DIR, log, write_result

QUESTION = "how many soldiers did trump say russia has lost"
CLI = Path(sys.executable).with_name("coverage-bot")

BOT_CHILD = r"""
import asyncio, json, sys, time
data_dir, question = sys.argv[1], sys.argv[2]
try:
    from bot import create_bot
    from bot.main import open_engine
except Exception as err:  # the bot is optional here
    print(json.dumps({"available": False, "error": f"{type(err).__name__}: {err}"}))
    sys.exit(0)
from pathlib import Path
from retrieval import Settings

async def main():
    settings = Settings.from_env(None, data_dir=Path(data_dir))
    engine = await open_engine(settings)
    t_engine = time.time()
    bot = create_bot(settings, engine, auto_sync=False)
    setup_error = None
    try:
        await bot.setup_hook()
    except Exception as err:
        setup_error = f"{type(err).__name__}: {err}"
    t_ready = time.time()
    answer = await bot.run(engine.ask, question, collections=["global"])
    t_answer = time.time()
    print(json.dumps({"available": True, "engine_at": t_engine, "ready_at": t_ready, "answer_at": t_answer,
                      "answered": answer.answered, "setup_error": setup_error}))
    await bot.close()

asyncio.run(main())
"""


def env() -> dict:
    out = dict(os.environ)
    out.pop("COVERAGE_BOT_DATA_DIR", None)
    out["TOKENIZERS_PARALLELISM"] = "false"
    return out


def run(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(WORK_DIR), env=env(), timeout=1800)
    return time.perf_counter() - start, proc


def median_of(cmd: list[str], runs: int) -> dict:
    times = []
    for _ in range(runs):
        seconds, proc = run(cmd)
        if proc.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
        times.append(seconds)
    return {"median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times]}


def cli_cold_start(data_dir: Path, runs: int) -> dict:
    cmd = [str(CLI), "--data-dir", str(data_dir), "ask", QUESTION, "--json"]
    seconds, proc = run(cmd)  # warm-up: creates and seeds the folder, fills the OS file cache
    if proc.returncode:
        raise RuntimeError(f"the CLI failed: {proc.stderr[-2000:]}")
    answer = json.loads(proc.stdout)
    out = {"command": " ".join(cmd), "warm_up_s": round(seconds, 2), **median_of(cmd, runs)}
    out["answered"] = bool(answer.get("answered"))
    return out


def bot_cold_start(data_dir: Path, runs: int) -> dict:
    times, ready, last = [], [], {}
    for i in range(runs + 1):
        start = time.time()
        proc = subprocess.run(
            [sys.executable, "-c", BOT_CHILD, str(data_dir), QUESTION],
            capture_output=True,
            text=True,
            cwd=str(WORK_DIR),
            env=env(),
            timeout=1800,
        )
        if proc.returncode:
            return {"available": False, "error": proc.stderr[-2000:]}
        last = json.loads(proc.stdout.strip().splitlines()[-1])
        if not last.get("available"):
            return last
        if i:  # the first run is the warm-up
            times.append(last["answer_at"] - start)
            ready.append(last["ready_at"] - start)
    return {
        "median_s": round(statistics.median(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "ready_median_s": round(statistics.median(ready), 3),
        "answered": last.get("answered"),
        "setup_error": last.get("setup_error"),
        "available": True,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--sizes", default="", help="also these cached stores of bench_query.py, e.g. 100000")
    parser.add_argument("--no-bot", dest="bot", action="store_false", help="skip the bot")
    parser.add_argument(
        "--no-context", dest="context", action="store_false", help="skip timing `python -c pass` and the imports"
    )
    args = parser.parse_args()

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    data_dir = WORK_DIR / "coldstart"
    shutil.rmtree(data_dir, ignore_errors=True)
    result: dict = {"question": QUESTION, "data": {}}
    if args.context:
        result["context"] = {
            "python -c pass": median_of([sys.executable, "-c", "pass"], args.runs),
            "import coverage_cli.main": median_of([sys.executable, "-c", "import coverage_cli.main"], args.runs),
            "import sentence_transformers": median_of(
                [sys.executable, "-c", "import sentence_transformers"], min(args.runs, 3)
            ),
        }
    folders = {"seeds": data_dir}
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        folder = WORK_DIR / f"data-{size}"
        if (folder / "coverage.sqlite3").exists():
            folders[f"{size} passages"] = folder
        else:
            log(f"no store at {folder}: run bench_query.py --sizes {size} first")
    for label, folder in folders.items():
        log(f"{label}: CLI")
        row = {"cli": cli_cold_start(folder, args.runs)}
        stats_cmd = [str(CLI), "--data-dir", str(folder), "stats", "--json"]
        row["cli_stats_no_model"] = median_of(stats_cmd, args.runs)
        if args.bot:
            log(f"{label}: bot")
            row["bot"] = bot_cold_start(folder, args.runs)
            if not row["bot"].get("available"):
                print("bot not available:", row["bot"].get("error", "")[:300], file=sys.stderr)
        else:
            row["bot"] = {"available": False, "error": "skipped (--no-bot)"}
        result["data"][label] = row
        log(f"{label}: CLI {row['cli']['median_s']} s, bot {row['bot'].get('median_s', 'n/a')} s")
    seeds = result["data"]["seeds"]
    result["target_s"] = 4.0
    result["target_met"] = seeds["cli"]["median_s"] <= 4.0
    write_result("coldstart", result)
    print(
        json.dumps(
            {k: {"cli_s": v["cli"]["median_s"], "bot_s": v["bot"].get("median_s")} for k, v in result["data"].items()}
        )
    )


if __name__ == "__main__":
    main()
