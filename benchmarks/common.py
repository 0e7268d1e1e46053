"""Shared helpers for the benchmark scripts: the machine, synthetic corpora, timing, results.

Nothing here is a benchmark by itself. The scripts beside it import it:

- `machine()` describes where a figure was measured (cores, CPU model from /proc/cpuinfo,
  memory, library versions, git commit, date);
- `generate_passages()` makes news-like paragraphs by recombining the sentences of the real
  texts in `seeds/` and `devset/articles/` (names and numbers are varied so that passages are
  distinct, as they would be in a real archive); `write_markdown_corpus()` writes them as
  `.md` files with front matter, the format `Engine.ingest` reads;
- `build_synthetic_store()` fills a data folder with N passages through `retrieval.store.Store`
  directly: a pool of real embeddings, and beyond the pool synthetic vectors (a pool vector
  plus Gaussian noise, renormalised), because encoding 1M passages with the real model would
  take about two hours here;
- `timer()`, `summary()`, `memory()` and `write_result()` measure and record.

Data folders and caches live under /tmp/coverage-bench (override with COVERAGE_BENCH_DIR),
never in the repository. Results go to `benchmarks/results/NAME.json` (COVERAGE_BENCH_RESULTS
names another folder: the test suite's smoke runs never touch the committed files).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: Where results go; the test suite's smoke runs point this elsewhere, never at the committed files.
RESULTS_DIR = Path(os.environ.get("COVERAGE_BENCH_RESULTS") or ROOT / "benchmarks" / "results")
WORK_DIR = Path(os.environ.get("COVERAGE_BENCH_DIR", "/tmp/coverage-bench"))
QUESTIONS = ROOT / "devset" / "questions.jsonl"
#: The reference data (article-extraction-benchmark, realtimeqa-2022): `../shared/devdata` beside
#: the checkout (as in CI), read by path and never copied; COVERAGE_BENCH_DEVDATA names another.
DEVDATA = Path(
    os.environ.get("COVERAGE_BENCH_DEVDATA")
    or next(
        (p for p in (ROOT.parent / "shared" / "devdata", Path("/work/shared/devdata")) if p.is_dir()),
        ROOT.parent / "shared" / "devdata",
    )
)
PASSAGES_PER_ARTICLE = 10
OUTLETS = [
    "Capital Wire",
    "Harbor Times",
    "Northern Ledger",
    "Daily Meridian",
    "Eastbridge Chronicle",
    "Lakeside Observer",
    "Coastline Post",
    "Valley Courier",
    "Caliber.Az",
    "Summit Gazette",
    "Riverbend Record",
    "Ironside Dispatch",
]


# -- the machine -----------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> list[str]:
    """The SIMD flags that matter for FAISS and int8 inference."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                return sorted(f for f in flags if f.startswith(("avx", "fma", "amx")))
    except OSError:
        pass
    return []


def _version(module: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return None


def machine() -> dict:
    """Where and when: cores, CPU, memory, versions, commit, date (UTC)."""
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "retrieval"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        commit += " (retrieval/ modified)" if dirty else ""
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "versions": {
            m: _version(m)
            for m in ("faiss-cpu", "numpy", "torch", "sentence-transformers", "onnxruntime", "bm25s", "coverage-bot")
        },
        "commit": commit,
        # other work on the machine skews every figure: a load well above 0 means re-run
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


# -- measuring -------------------------------------------------------------------------------
@contextmanager
def timer() -> Iterator[dict]:
    """`with timer() as t: ...` then `t["s"]` holds the wall seconds."""
    out: dict = {}
    start = time.perf_counter()
    try:
        yield out
    finally:
        out["s"] = time.perf_counter() - start


def summary(seconds: Sequence[float]) -> dict:
    """p50/p95/mean/min/max of a list of durations, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    if not ms:
        return {}

    def pct(p: float) -> float:
        # nearest-rank on the sorted sample, interpolated
        return float(np.percentile(ms, p))

    return {
        "n": len(ms),
        "p50_ms": round(pct(50), 2),
        "p95_ms": round(pct(95), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "min_ms": round(ms[0], 2),
        "max_ms": round(ms[-1], 2),
    }


def memory() -> dict:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in MB."""
    out = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in {"VmRSS", "VmHWM"}:
                out[key.lower() + "_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def disk_bytes(data_dir: Path) -> dict:
    """Bytes on disk of the store (with its WAL) and of the index files."""
    store = sum(p.stat().st_size for p in data_dir.glob("coverage.sqlite3*") if p.is_file())
    index = sum(p.stat().st_size for p in data_dir.glob("passages.faiss*") if p.is_file())
    return {"store_bytes": store, "index_bytes": index}


def write_result(name: str, data: dict) -> Path:
    """benchmarks/results/NAME.json with the machine attached."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), "command": " ".join([Path(sys.executable).name, *sys.argv])}
    payload.update(data)
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n")
    print(f"wrote {shown(path)}", file=sys.stderr)
    return path


def shown(path: Path) -> str:
    """A path as the repository names it, when it is in the repository."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- settings --------------------------------------------------------------------------------
def settings_for(data_dir: Path, index_type: str | None = None, **overrides):
    """Settings for a benchmark data folder: the ONNX export shared by every folder (in the
    work folder unless `COVERAGE_BOT_MODEL_CACHE` names one), and `index_type` passed through
    when the library has such a setting. Open a new folder with `new_engine` (no seeds)."""
    from retrieval import Settings

    names = {f.name for f in dataclasses.fields(Settings)}
    if index_type:
        field = next((f for f in ("index_type", "index") if f in names), None)
        if field:
            overrides[field] = index_type
        else:
            log(f"warning: Settings has no index setting; --index-type {index_type} ignored")
    if "model_cache_dir" in names:
        overrides.setdefault("model_cache_dir", model_cache())
    overrides = {k: v for k, v in overrides.items() if k in names}
    return Settings.from_env(env_file=None, data_dir=Path(data_dir), seeds_dir=WORK_DIR / "no-seeds", **overrides)


def model_cache() -> Path:
    """Where the ONNX export lives, one for every benchmark folder: `COVERAGE_BOT_MODEL_CACHE`
    when set (the test suite shares its session's), else the work folder's `models/`."""
    return Path(os.environ.get("COVERAGE_BOT_MODEL_CACHE") or WORK_DIR / "models")


def new_engine(settings, encoder=None):
    """An engine over a new, empty store (the seeds are not ingested: they are not the corpus
    being measured)."""
    from retrieval import Engine

    return Engine.init(settings, encoder=encoder, seeds=False)


def encoder_for(settings):
    """The encoder the engine would use with these settings (`make_encoder` when the library
    has it, e.g. ONNX int8; else the torch `Encoder`)."""
    try:
        from retrieval.embed import make_encoder
    except ImportError:
        from retrieval import Encoder

        return Encoder(settings.model)
    return make_encoder(settings)


def encoder_key(encoder) -> str:
    """What stored vectors record as their maker (`vector_model`): the model, and how the
    library reads passages when it embeds them."""
    key = str(getattr(encoder, "key", None) or encoder.name)
    try:
        from retrieval.embed import vector_key
    except ImportError:
        return key
    return vector_key(key)


def index_type_of(engine) -> str:
    try:
        return str(engine.stats().get("index_type"))
    except (AttributeError, KeyError, OSError):
        return "unknown"


def load_questions(n: int = 50) -> list[str]:
    """The first `n` questions of the development set (answerable and not)."""
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows][:n]


# -- the synthetic corpus --------------------------------------------------------------------
def source_paragraphs() -> list[str]:
    """Every paragraph of the seeds and the development articles, parsed by the library."""
    from retrieval.parse import parse_file

    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "devset" / "articles").glob("*.md"))
    out = []
    for path in paths:
        out += parse_file(path).paragraphs
    return out


_CAPITAL_WORD = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]{3,}\b")
_NUMBER = re.compile(r"\d+")
_LOWER_WORD = re.compile(r"(?<= )[a-z]{5,}\b")
_SYLLABLES = "ka ri lo ven mar tes dor ul an fe bri sol ham ot ne gra vi lun cas pel dro mi sen tor".split()


class Generator:
    """News-like paragraphs from the real sentences: 1-3 sentences each (the real mean is
    about 1.5 sentences, 170 characters), with some names and every number varied so that
    passages differ the way a real archive's do."""

    def __init__(self, seed: int = 0):
        from retrieval.highlight import sentences

        self.rng = random.Random(seed)
        self.paragraphs = source_paragraphs()
        self.sentences = sorted({s for p in self.paragraphs for s in sentences(p)})
        rng = random.Random(seed + 1)
        self.words = sorted({w for s in self.sentences for w in re.findall(r"\b[a-z]{5,}\b", s)})
        self.names = sorted(
            {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(60_000)}
        )

    def _vary(self, text: str) -> str:
        rng = self.rng
        text = _NUMBER.sub(lambda m: str(rng.randint(1, 10 ** len(m.group(0)) - 1)), text)
        text = _CAPITAL_WORD.sub(lambda m: rng.choice(self.names) if rng.random() < 0.5 else m.group(0), text)
        # one ordinary word swapped for another of the corpus's: passages stay news-like, but distinct
        return _LOWER_WORD.sub(lambda m: rng.choice(self.words), text, count=1) if rng.random() < 0.7 else text

    def passage(self) -> str:
        k = self.rng.choices((1, 2, 3), weights=(25, 50, 25))[0]
        return self._vary(" ".join(self.rng.choice(self.sentences) for _ in range(k)))

    def passages(self, n: int) -> list[str]:
        return [self.passage() for _ in range(n)]

    def article_meta(self, number: int) -> dict:
        rng = self.rng
        outlet = rng.choice(OUTLETS)
        title = self._vary(rng.choice(self.sentences))[:90].rstrip(" ,.;:")
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(730))
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        domain = re.sub(r"[^a-z]+", "", outlet.lower())
        return {
            "title": title or f"Report {number}",
            "outlet": outlet,
            "author": f"{rng.choice(self.names)} {rng.choice(self.names)}",
            "published": day.isoformat(),
            "url": f"https://{domain}.example/{day:%Y/%m/%d}/{number}-{slug}",
        }


def write_markdown_corpus(folder: Path, files: int, per_file: int = PASSAGES_PER_ARTICLE, seed: int = 0) -> list[str]:
    """`files` Markdown articles (front matter, blank-line paragraphs); returns the paragraphs
    in the order written."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    gen = Generator(seed)
    everything: list[str] = []
    for i in range(files):
        meta = gen.article_meta(i)
        paragraphs = gen.passages(per_file)
        everything += paragraphs
        front = "\n".join(f"{k}: {json.dumps(v)}" for k, v in meta.items())
        (folder / f"{i:05d}.md").write_text(f"---\n{front}\n---\n\n" + "\n\n".join(paragraphs) + "\n")
    return everything


# -- vectors ---------------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def pool(size: int, settings, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """`size` generated passages and their REAL embeddings from the engine's encoder (encoded
    once, cached on disk per encoder)."""
    encoder = encoder_for(settings)
    model = encoder_key(encoder)
    gen = Generator(seed + 1000)
    texts = gen.passages(size)
    cache = WORK_DIR / "pools" / f"{_slug(model)}-{size}-{seed}.npy"
    # The generator is deterministic: a larger cached pool's first rows are this pool.
    for path in sorted(cache.parent.glob(f"{_slug(model)}-*-{seed}.npy")):
        vectors = np.load(path, mmap_mode="r")
        if vectors.shape[0] >= size:
            return texts, np.array(vectors[:size], dtype=np.float32)
    log(f"encoding a pool of {size} real passages with {model} (cached in {cache})")
    with timer() as t:
        vectors = np.vstack([encoder.encode(texts[i : i + 512]) for i in range(0, size, 512)])
    log(f"pool encoded in {t['s']:.0f} s ({size / t['s']:.0f} passages/s)")
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors.astype(np.float32))
    return texts, vectors.astype(np.float32)


def synthetic_vectors(base: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.035) -> np.ndarray:
    """`n` unit vectors, each a random pool vector plus Gaussian noise (sd `noise` per
    component: about 0.75 cosine to its source at d=384), renormalised."""
    picks = rng.integers(0, len(base), n)
    vectors = base[picks] + rng.normal(0.0, noise, (n, base.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def build_synthetic_store(
    data_dir: Path, size: int, settings, pool_size: int = 5000, batch: int = 50_000, seed: int = 0
) -> dict:
    """A store of `size` passages (10 per article) written through `Store` in transactions of
    `batch` passages. The first min(size, pool_size) passages carry real embeddings; the rest
    get synthetic vectors and freshly generated text; each passage's alone vector is a copy of
    its indexed one (what matters here is their size, not their difference). The index is not built here:
    `Engine.open` builds it from the stored vectors because the index file is missing."""
    from retrieval.models import ParsedArticle
    from retrieval.store import Store, content_hash

    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    model = encoder_key(encoder_for(settings))
    texts_pool, vectors_pool = pool(pool_size, settings, seed)  # encoded once for every size
    texts_pool, vectors_pool = texts_pool[: min(size, pool_size)], vectors_pool[: min(size, pool_size)]
    gen = Generator(seed + 2000)
    rng = np.random.default_rng(seed)
    store = Store(data_dir / "coverage.sqlite3")
    written = 0
    article_no = 0
    started = time.perf_counter()
    with timer():
        while written < size:
            n = min(batch, size - written)
            if written < len(texts_pool):
                n = min(n, len(texts_pool) - written)
                texts = texts_pool[written : written + n]
                vectors = vectors_pool[written : written + n]
            else:
                texts = gen.passages(n)
                vectors = synthetic_vectors(vectors_pool, n, rng)
            with store.transaction():
                for start in range(0, n, PASSAGES_PER_ARTICLE):
                    paragraphs = texts[start : start + PASSAGES_PER_ARTICLE]
                    meta = gen.article_meta(article_no)
                    article = ParsedArticle(paragraphs=list(paragraphs), language="en", **meta)
                    article_id = store.insert_article("global", article, content_hash(paragraphs), "benchmark")
                    own = vectors[start : start + PASSAGES_PER_ARTICLE]
                    store.insert_passages(article_id, paragraphs, own, alone=own)  # the pool's are read alone
                    article_no += 1
                if written == 0:
                    store.set_meta("seeded", "1")
                    store.set_meta("vector_model", model)
                    store.set_meta("vector_dimension", str(vectors.shape[1]))
                    store.set_meta("synthetic_from", str(len(texts_pool)))
                    store.set_meta("generation", "1")
            written += n
            if size >= 100_000:
                rate = written / (time.perf_counter() - started)
                log(f"  stored {written:,}/{size:,} passages ({rate:.0f}/s)")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return {"passages": size, "real_vectors": min(size, pool_size)}


def ensure_store(
    size: int, settings, pool_size: int = 5000, rebuild: bool = False, drop_index: bool = True
) -> tuple[Path, dict]:
    """The cached data folder for `size` passages, built if missing (or with `rebuild`).
    With `drop_index` the index files are removed so the next `Engine.open` builds the index
    the current library chooses."""
    from retrieval.store import Store

    data_dir = WORK_DIR / f"data-{size}"
    info: dict = {"data_dir": str(data_dir), "store_built": False}
    model = encoder_key(encoder_for(settings))
    ok = False
    if not rebuild and (data_dir / "coverage.sqlite3").exists():
        store = Store(data_dir / "coverage.sqlite3")
        ok = store.counts()["passages"] == size and store.get_meta("synthetic_from") == str(min(size, pool_size))
        if ok and store.get_meta("vector_model") != model:
            # Same vectors serve any backend of the same model (fp32 and int8 agree to >= 0.99
            # cosine): relabel them rather than let the engine re-encode 1M passages.
            log(f"relabelling the stored vectors {store.get_meta('vector_model')!r} as {model!r}")
            with store.transaction():
                store.set_meta("vector_model", model)
        store.close()
    if not ok:
        log(f"building a store of {size:,} passages in {data_dir}")
        with timer() as t:
            build_synthetic_store(data_dir, size, settings, pool_size)
        info.update(store_built=True, store_build_s=round(t["s"], 1))
        log(f"store built in {t['s']:.0f} s")
    for path in data_dir.glob("passages.faiss*") if drop_index else []:
        path.unlink()
    return data_dir, info


def child(script: Path, *args: str, timeout: float = 3600) -> dict:
    """Run a benchmark step in a fresh interpreter (so memory and start-up are its own) and
    return the JSON object it prints on its last stdout line."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=timeout, cwd=str(WORK_DIR)
    )
    sys.stderr.write(proc.stderr[-4000:] if proc.returncode else "")
    if proc.returncode:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed with status {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
