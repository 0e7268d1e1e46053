"""Shared fixtures: the real packaged model (loaded once per session) and fresh data folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retrieval import Encoder, Engine, Settings
from retrieval.embed import make_encoder

#: The local news site the feed tests read (the `site` fixture).
pytest_plugins = ["tests.feed_site"]

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED_URL = "https://caliber.az/en/post/russia-ukraine-and-diplomacy-trump-pushes-for-resolution"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """One ONNX export per test session, shared by every engine (and the CLI, through the env)."""
    cache = tmp_path_factory.mktemp("models")
    old = os.environ.get("COVERAGE_BOT_MODEL_CACHE")
    os.environ["COVERAGE_BOT_MODEL_CACHE"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("COVERAGE_BOT_MODEL_CACHE", None)
    else:
        os.environ["COVERAGE_BOT_MODEL_CACHE"] = old


@pytest.fixture(scope="session")
def encoder(model_cache: Path) -> Encoder:
    """The default encoder over the packaged model, loaded once per session."""
    enc = make_encoder(Settings(model_cache_dir=model_cache))
    enc.encode(["warm up"])  # load (and export) here, not inside the first test
    return enc


@pytest.fixture
def settings(tmp_path: Path, model_cache: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seeds_dir=ROOT / "seeds", model_cache_dir=model_cache)


@pytest.fixture
def engine(settings: Settings, encoder: Encoder) -> Engine:
    eng = Engine.open(settings, encoder=encoder)
    yield eng
    eng.close()
