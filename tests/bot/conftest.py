"""Fixtures for the bot's tests: the real model (loaded once), a real store and index copied from
a template per test, and a real bot logged in to a fake Discord (see fake_discord.py)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot import create_bot
from retrieval import Engine, Settings

from .fake_discord import CHANNEL_A, CHANNEL_B, GUILD_A, GUILD_B, QA_CHANNEL_A, FakeDiscord, Harness, guild_payload

ROOT = Path(__file__).resolve().parents[2]
#: Server A holds twelve devset articles on top of the global seed (Caliber.Az, article A1).
GUILD_A_ARTICLES = sorted((ROOT / "devset" / "articles").glob("*.md"))[:12]
LIMITS = {"title": 256, "description": 4096, "fields": 25, "name": 256, "value": 1024, "footer": 2048, "total": 6000}


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory, encoder, model_cache) -> Path:
    """Seeds in "global", devset articles in server A's collection; copied for each test."""
    data = tmp_path_factory.mktemp("template") / "data"
    engine = Engine.open(Settings(data_dir=data, model_cache_dir=model_cache), encoder)
    report = engine.ingest([str(p) for p in GUILD_A_ARTICLES], collection=str(GUILD_A), added_by="discord:102")
    assert report.count("added") == len(GUILD_A_ARTICLES)
    engine.close()
    return data


@pytest.fixture
def settings(tmp_path, template_dir, model_cache) -> Settings:
    data = tmp_path / "data"
    shutil.copytree(template_dir, data)
    return Settings(data_dir=data, model_cache_dir=model_cache)


@pytest.fixture
def engine(settings, encoder):
    eng = Engine.open(settings, encoder)
    yield eng
    eng.close()


def embed_within_limits(embed: dict) -> None:
    assert len(embed.get("title") or "") <= LIMITS["title"]
    assert len(embed.get("description") or "") <= LIMITS["description"]
    fields = embed.get("fields") or []
    assert len(fields) <= LIMITS["fields"]
    for f in fields:
        assert len(f["name"]) <= LIMITS["name"] and len(f["value"]) <= LIMITS["value"]
    footer = (embed.get("footer") or {}).get("text") or ""
    assert len(footer) <= LIMITS["footer"]
    total = len(embed.get("title") or "") + len(embed.get("description") or "") + len(footer)
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    total += len((embed.get("author") or {}).get("name") or "")
    assert total <= LIMITS["total"]


def assert_manners(sent) -> None:
    """What every message the bot sends must honour: embed limits, and no pings, ever."""
    for s in sent:
        for embed in s.embeds:
            embed_within_limits(embed)
        if s.content or s.embeds:
            mentions = s.body.get("allowed_mentions")
            assert mentions is not None, f"no allowed_mentions on {s.kind} {s.path}"
            assert mentions.get("parse") == [] and not mentions.get("users") and not mentions.get("roles")
            assert not mentions.get("replied_user")


def start_harness(settings, engine, monkeypatch, **bot_options) -> Harness:
    fake = FakeDiscord()
    fake.install(monkeypatch)
    loop = asyncio.new_event_loop()
    bot = create_bot(settings, engine, **bot_options)
    harness = Harness(bot, fake, loop)

    async def start():
        await bot.login("test-token")
        state = bot._connection
        state._add_guild_from_data(guild_payload(GUILD_A, "Server A", [(CHANNEL_A, "general"), (QA_CHANNEL_A, "ask")]))
        state._add_guild_from_data(guild_payload(GUILD_B, "Server B", [(CHANNEL_B, "general")]))

    harness.run(start())
    return harness


def stop_harness(harness: Harness) -> None:
    try:
        assert_manners(harness.fake.sent)
    finally:
        harness.run(harness.bot.close())

        async def cancel_timers():  # view timeouts and delayed deletes
            leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in leftover:
                task.cancel()
            await asyncio.gather(*leftover, return_exceptions=True)

        harness.run(cancel_timers())
        harness.loop.close()


@pytest.fixture
def harness(settings, engine, monkeypatch):
    h = start_harness(settings, engine, monkeypatch)
    yield h
    stop_harness(h)
