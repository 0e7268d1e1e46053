"""Shared fixtures: the real packaged model (loaded once per session) and fresh data folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Encoder, Engine, Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED_URL = "https://caliber.az/en/post/russia-ukraine-and-diplomacy-trump-pushes-for-resolution"


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    enc = Encoder()
    enc.encode(["warm up"])  # load once, here, not inside the first test
    return enc


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seeds_dir=ROOT / "seeds")


@pytest.fixture
def engine(settings: Settings, encoder: Encoder) -> Engine:
    eng = Engine.open(settings, encoder=encoder)
    yield eng
    eng.close()
