"""Every script in benchmarks/ runs once at a tiny size and writes its result.

Benchmarks rot when nothing runs them; these runs check only that each still completes against
today's code and writes what it should, never a figure. Each runs in its own interpreter, as
a person would run it, with its work folder and results folder in the test's temporary
folders (`COVERAGE_BENCH_DIR`, `COVERAGE_BENCH_RESULTS`) and the session's ONNX export: the
committed results in benchmarks/results/ and the packaged model are checked to be untouched.
The work folder is shared, so the pool and the 1,000-passage store bench_query.py builds are
reused by bench_memory.py and bench_recall.py, and fit_ranker.py's data folders by
context_effect.py (each script builds what it misses, so any one of them runs alone too).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.common import DEVDATA
from tests.conftest import DATA, ROOT

BENCH = ROOT / "benchmarks"
COMMITTED = [*sorted((BENCH / "results").iterdir()), ROOT / "retrieval" / "search" / "ranker.json"]


@dataclass(frozen=True)
class Smoke:
    """One script's tiny run: its arguments ({work} is the work folder, {folder} the test's own)
    and the result file it must write (None: it prints JSON on stdout instead)."""

    script: str
    args: tuple[str, ...]
    result: str | None
    devdata: bool = False  # reads ../shared/devdata
    timeout: float = 120


SMOKES = [
    Smoke("bench_ingest.py", ("--files", "5", "--repeat", "1"), "ingest.json"),
    Smoke("bench_query.py", ("--sizes", "1000", "--pool", "1000", "--questions", "3", "--rounds", "1"), "query.json"),
    Smoke("bench_memory.py", ("--sizes", "1000", "--pool", "1000"), "memory.json"),
    Smoke("bench_recall.py", ("--sizes", "1000", "--pool", "1000", "--nprobe", "4", "--questions", "5"), "recall.json"),
    Smoke("bench_coldstart.py", ("--runs", "1", "--no-context"), "coldstart.json"),
    Smoke("bench_threads.py", ("--repeat", "3", "--vectors", "1000"), "threads.json"),
    Smoke("bench_store.py", ("--articles", "5"), "store.json"),
    Smoke(
        "fit_ranker.py",
        ("--limit", "12", "--articles", "8", "--out", "{folder}/ranker-model.json"),
        "ranker.json",
        devdata=True,
    ),
    # The shipped model measured, nothing fitted: it reads the packaged model and writes only results.
    Smoke(
        "fit_ranker.py",
        ("--report", "retrieval/search/ranker.json", "--limit", "8", "--articles", "8"),
        "quality.json",
        devdata=True,
    ),
    Smoke("context_effect.py", ("--limit", "12", "--articles", "8"), "context.json", devdata=True),
    Smoke("page_body.py", ("--pages", "3", "--json"), None, devdata=True),
    # --part dev: the check labels are scored only at the end of a round (page_labels.json)
    Smoke("page_labels.py", ("--part", "dev", "--limit", "3", "--json"), None, devdata=True),
    Smoke("page_metadata.py", ("{folder}/pages", "--json"), None),
    Smoke("run_all.py", ("--table-only",), None),
]


def digest(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


@pytest.fixture(scope="module")
def work(tmp_path_factory, encoder) -> Path:
    """One work folder for every script (`encoder` has made the session's ONNX export)."""
    return tmp_path_factory.mktemp("bench-work")


def test_every_script_has_a_smoke_run():
    scripts = {p.name for p in BENCH.glob("*.py")} - {"common.py"}
    assert scripts == {s.script for s in SMOKES}


@pytest.mark.parametrize(
    "smoke", SMOKES, ids=[s.script.removesuffix(".py") + ("-report" if "--report" in s.args else "") for s in SMOKES]
)
def test_script_runs_tiny(smoke: Smoke, work: Path, tmp_path: Path, model_cache: Path):
    if smoke.devdata and not DEVDATA.is_dir():
        pytest.skip(f"{smoke.script} reads the development data, which is not at {DEVDATA}")
    results = tmp_path / "results"
    prepare(smoke.script, tmp_path)
    env = {
        **os.environ,
        "COVERAGE_BENCH_DIR": str(work),
        "COVERAGE_BENCH_RESULTS": str(results),
        "COVERAGE_BOT_MODEL_CACHE": str(model_cache),
        "TOKENIZERS_PARALLELISM": "false",
    }
    env.pop("COVERAGE_BOT_DATA_DIR", None)
    args = [a.format(work=work, folder=tmp_path) for a in smoke.args]
    before = digest(COMMITTED)
    proc = subprocess.run(
        [sys.executable, str(BENCH / smoke.script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=smoke.timeout,
    )
    assert proc.returncode == 0, f"{smoke.script} exited with {proc.returncode}:\n{proc.stderr[-3000:]}"
    assert digest(COMMITTED) == before, "a smoke run changed the committed results or the packaged model"
    if smoke.result:
        data = json.loads((results / smoke.result).read_text())
        assert data["benchmark"] == smoke.result.removesuffix(".json")
        assert data["machine"]["cores"] and smoke.script in data["command"]
    check_output(smoke, proc.stdout, tmp_path, results)


def prepare(script: str, folder: Path) -> None:
    """What a script reads that the repository does not hold."""
    if script == "page_metadata.py":
        # A person's manifest of what each page shows: the fixture page, and one with no article.
        pages = folder / "pages"
        pages.mkdir()
        for name in ("storm.html", "empty_page.html"):
            shutil.copy(DATA / name, pages / name)
        manifest = [
            {
                "file": "storm.html",
                "outlet": "Harbor Times",
                "headline": "Storm knocks out power to 20,000 homes",
                "published": "2025-02-03",
            },
            {"file": "empty_page.html", "outlet": None, "headline": None, "published": None},
        ]
        (pages / "manifest.json").write_text(json.dumps(manifest))
    if script == "run_all.py":
        # The table from a copy of the committed results (it reads, never writes, them).
        shutil.copytree(BENCH / "results", folder / "results")


def check_output(smoke: Smoke, stdout: str, folder: Path, results: Path) -> None:
    """What each script writes besides its result file, or prints instead of one."""
    script = smoke.script
    if smoke.result == "quality.json":
        data = json.loads((results / "quality.json").read_text())
        assert {"devset all", "pages all"} <= set(data["figures"]) and data["measured_only"] == ["pages"]
        assert not (folder / "ranker-model.json").exists()
    elif script == "bench_query.py":
        assert (results / "profile-query-1000.txt").read_text().startswith("# cProfile of 3 Engine.ask calls")
    elif script == "fit_ranker.py":
        from retrieval.search.model import Ranker

        Ranker.load(folder / "ranker-model.json")  # the trial model is a model the engine can read
    elif script == "page_body.py":
        assert json.loads(stdout)["pages"] == 3
    elif script == "page_labels.py":
        rows = json.loads(stdout)["rows"]
        assert len(rows) == 3 and {r["part"] for r in rows} == {"dev"}
    elif script == "page_metadata.py":
        out = json.loads(stdout)
        assert out["pages"] == 2 and out["totals"]["parsed"] == 1
        assert "error" in out["rows"][1]
    elif script == "run_all.py":
        assert stdout.startswith("| Figure | Measured | Target | Verdict |")
        assert "Query p50 / p95 at 1,000 passages" in stdout and "Cold start to first answer, CLI" in stdout


def test_a_trial_fit_never_writes_the_packaged_model(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, str(BENCH / "fit_ranker.py"), "--limit", "5"],
        cwd=ROOT,
        env={**os.environ, "COVERAGE_BENCH_DIR": str(tmp_path), "COVERAGE_BENCH_RESULTS": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "give --out a path outside the package" in proc.stderr
    assert not list(tmp_path.iterdir())
