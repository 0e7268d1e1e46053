"""Fixtures for the gateway tests: the test Discord on 127.0.0.1 (server.py), discord.py pointed at
it before any bot exists, the real engine and model, and the bot run by its real supervisor."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot import logs
from bot.supervisor import Backoff, Supervisor
from tests.logging_state import restored_logging

from .server import TOKEN, DiscordServer

#: Short pauses between restarts, so restart tests take a fraction of a second.
QUICK = Backoff(first=0.05, cap=0.2)


@pytest.fixture
def discord_server(monkeypatch):
    """The only Discord the bot can reach: REST base and gateway URL both point here."""
    server = DiscordServer(heartbeat_ms=500).start()
    monkeypatch.setattr(Route, "BASE", f"{server.base}/api/v10")
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    server.stop()


@pytest.fixture
def bot_logging(caplog):
    """The bot's own log set-up (timestamps, the one-line reconnect filter), undone afterwards."""
    with restored_logging():
        logs.configure("INFO", "text")
        caplog.set_level(logging.INFO, logger="bot")
        yield caplog


class Running:
    """A supervisor serving the bot on the test's event loop."""

    def __init__(self, settings, engine, backoff: Backoff = QUICK):
        self.supervisor = Supervisor(settings, engine, TOKEN, backoff=backoff)
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> Running:
        self.task = asyncio.create_task(self.supervisor.run())
        return self

    async def __aexit__(self, *exc) -> None:
        self.supervisor.stop()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.task), 10)

    @property
    def bot(self):
        return self.supervisor.bot

    async def exit_code(self) -> int:
        return await asyncio.wait_for(self.task, 10)


class LoopLag:
    """How late the event loop wakes a task that asked to sleep 5 ms: the longest block seen."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task | None = None

    async def _probe(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - before - 0.005)

    def start(self) -> LoopLag:
        self._task = asyncio.create_task(self._probe())
        return self

    def stop(self) -> float:
        if self._task:
            self._task.cancel()
        return self.worst


def no_tracebacks(caplog) -> None:
    """Nothing logged at ERROR, and no record carrying a traceback."""
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad]
