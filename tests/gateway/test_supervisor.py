"""The process stays up: what ends a client (an error in the gateway handling, a failed command
sync, Discord out of reach or hanging or answering nonsense at start) brings a new one after a
pause, with one log line saying why; only a rejected token ends it, at once, with exit 2."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.main import run_bot
from tests.bot.fake_discord import APP_ID

from .conftest import Running, no_tracebacks
from .server import TOKEN, DiscordServer, Fault
from .test_gateway import QUESTION, ask_by_mention


def warnings(caplog, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


def test_an_error_inside_the_gateway_handling_restarts_the_client(discord_server, settings, engine, bot_logging):
    server = discord_server

    async def scenario():
        async with Running(settings, engine) as running:
            await server.connected()
            first = running.bot
            broken = server.message_create(QUESTION, 101)
            del broken["id"]  # discord.py's parser raises on it, outside any event handler
            await server.run(server.dispatch("MESSAGE_CREATE", broken))
            await server.connected(identifies=2)
            assert running.bot is not first and running.supervisor.restarts == 1
            reply = await ask_by_mention(server, 102)
            assert "800,000" in reply.text

    asyncio.run(scenario())
    [record] = warnings(bot_logging, "stopped by an unexpected error")
    assert record.levelname == "ERROR" and "KeyError" in record.getMessage() and "restarting in" in record.getMessage()
    assert record.exc_info is not None  # a bug: the trace is kept for the report


def test_a_failed_command_sync_restarts_with_backoff(discord_server, settings, engine, bot_logging):
    server = discord_server
    server.faults.append(Fault("PUT", rf"/applications/{APP_ID}/commands", 400, {"message": "bad", "code": 50035}))

    async def scenario():
        async with Running(settings, engine):
            await server.connected()
            assert len(server.sent("PUT", rf"/applications/{APP_ID}/commands")) == 1  # the retry went through
            reply = await ask_by_mention(server, 101)
            assert "800,000" in reply.text

    asyncio.run(scenario())
    no_tracebacks(bot_logging)
    [record] = warnings(bot_logging, "stopped by Discord answered 400")
    assert record.levelname == "WARNING" and "attempt 1" in record.getMessage()


def test_discord_out_of_reach_at_start_is_retried_until_it_is_back(settings, engine, monkeypatch, bot_logging):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens here until the server starts below
    server = DiscordServer(port=port)
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(f"ws://127.0.0.1:{port}/"))

    async def scenario():
        async with Running(settings, engine) as running:
            await server.wait(lambda: running.supervisor.restarts >= 2, what="two failed starts")
            await asyncio.to_thread(server.start)
            await server.connected()
            reply = await ask_by_mention(server, 101)
            assert "800,000" in reply.text

    try:
        asyncio.run(scenario())
    finally:
        server.stop()
    no_tracebacks(bot_logging)
    refused = warnings(bot_logging, "stopped by cannot reach Discord (ClientConnectorError")
    assert len(refused) >= 2 and all(r.levelname == "WARNING" for r in refused)


def test_a_hung_a_non_json_and_a_failing_discord_at_start_are_each_one_line(
    discord_server, settings, engine, bot_logging
):
    server = discord_server
    server.faults += [
        Fault("GET", "/users/@me", hang=True),
        Fault("GET", "/users/@me", 200, "<html><body>502 Bad Gateway</body></html>"),
        Fault("GET", "/users/@me", 500),  # discord.py retries a 500 after a second: past the deadline
        Fault("GET", "/users/@me", 503),
    ]

    async def scenario():
        async with Running(settings.with_(discord_timeout=1), engine):
            await server.connected()
            reply = await ask_by_mention(server, 101)
            assert "800,000" in reply.text

    asyncio.run(scenario())
    no_tracebacks(bot_logging)
    assert warnings(bot_logging, "GET /users/@me got no answer within 1 s)")  # the hang
    assert warnings(bot_logging, "GET /users/@me got no answer within 1 s; its last answer was HTTP 500")
    assert warnings(bot_logging, "GET /users/@me answered with something other than JSON: '<html><body>502 Bad")
    assert warnings(bot_logging, "stopped by Discord answered 503")
    assert "Traceback" not in bot_logging.text


def test_a_rejected_token_exits_2_at_once(discord_server, settings, engine, bot_logging, capsys):
    server = discord_server
    server.reject_token = True

    async def scenario():
        async with Running(settings, engine) as running:
            assert await running.exit_code() == 2

    asyncio.run(scenario())
    assert len(server.sent("GET", "/users/@me")) == 0 and len([c for c in server.calls if c.status == 401]) == 1
    assert "Discord rejected DISCORD_TOKEN" in capsys.readouterr().err
    no_tracebacks(bot_logging)


def test_run_bot_serves_until_sigterm_then_exits_0(discord_server, settings, encoder, bot_logging):
    server = discord_server

    def stop_when_connected():
        asyncio.run(server.connected())
        os.kill(os.getpid(), signal.SIGTERM)  # run_bot handles it by then: it is past its set-up

    killer = threading.Thread(target=stop_when_connected, daemon=True)
    killer.start()
    assert run_bot(settings.with_(discord_token=TOKEN), encoder=encoder) == 0
    killer.join(5)
    assert warnings(bot_logging, "SIGTERM received")
    no_tracebacks(bot_logging)
