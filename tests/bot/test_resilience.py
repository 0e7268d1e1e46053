"""Failures stay small: no text-command noise, friendly option errors, refused replies logged once,
and URL fetches on threads of their own so questions are answered while a site is slow."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from discord import AppCommandOptionType

from bot.checks import CONVERSION
from retrieval import Engine

from .conftest import start_harness, stop_harness
from .fake_discord import APP_ID, GUILD_A

QUESTION = "How many soldiers did Russia lose, according to Trump?"


def test_mention_questions_log_no_command_errors(harness, caplog):
    caplog.set_level(logging.INFO)
    sent = harness.message(f"<@{APP_ID}> {QUESTION}", mentions_bot=True)
    assert "800,000" in sent[-1].text
    assert "CommandNotFound" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def slash_with_option(harness, command: str, who: str, **values):
    """Like `harness.slash`, for option names (such as `channel`) that `slash` itself takes."""
    payload = harness._base(2, who, GUILD_A, None, None)
    payload["data"], _ = harness._options(command.split(), values, {})  # ids Discord did not resolve
    return harness._dispatch(payload)


def test_unconvertible_options_get_a_friendly_message(harness):
    channel = slash_with_option(harness, "config qa-channel add", "mod", channel="123456789012345678")
    assert channel[-1].content == CONVERSION[AppCommandOptionType.channel]
    role = slash_with_option(harness, "config moderator-role", "admin", role="223456789012345678")
    assert role[-1].content == CONVERSION[AppCommandOptionType.role]
    for sent in channel + role:
        assert "Failed to convert" not in sent.text and "Object id" not in sent.text


def test_a_refused_mention_reply_is_caught_and_logged_once(harness, caplog):
    harness.fake.refuse_posts = [(403, 50013)]  # Missing Permissions in the channel
    sent = harness.message(f"<@{APP_ID}> {QUESTION}", mentions_bot=True)
    assert [s.kind for s in sent if s.kind in ("channel", "refused")] == ["refused"]
    failures = [r for r in caplog.records if "could not answer message" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelname == "WARNING" and "Forbidden" in failures[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_answer_to_a_deleted_question_still_reaches_the_channel(harness, caplog):
    harness.fake.refuse_posts = [(400, 50035)]  # the message it replies to is gone
    sent = harness.message(f"<@{APP_ID}> {QUESTION}", mentions_bot=True)
    posted = [s for s in sent if s.kind == "channel"]
    assert len(posted) == 1 and "800,000" in posted[0].text and "message_reference" not in posted[0].body
    assert "could not answer" not in caplog.text


def trickling_server(seconds: float = 4.0):
    """Accepts, then sends its headers one byte every 50 ms: a site that takes its time."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(2)

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            end = time.monotonic() + seconds
            try:
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" * 20:
                    if time.monotonic() > end:
                        break
                    conn.sendall(bytes([byte]))
                    time.sleep(0.05)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    return listener


def test_a_slow_site_never_holds_the_threads_questions_need(settings, encoder, monkeypatch):
    local = settings.with_(allow_private_urls=True, fetch_timeout=2)
    engine = Engine.open(local, encoder)
    harness = start_harness(local, engine, monkeypatch)
    harness.loop.set_default_executor(ThreadPoolExecutor(max_workers=1))  # the worst case: one worker
    listener = trickling_server()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/news"
    try:

        async def go():
            state = harness.bot._connection
            add = harness._base(2, "mod", GUILD_A, None, None)
            add["data"], _ = harness._options(["article", "add"], {"url": url}, {})
            ask = harness._base(2, "member", GUILD_A, None, None)
            ask["data"], _ = harness._options(["ask"], {"question": QUESTION}, {})
            started = time.monotonic()
            state.parse_interaction_create(add)
            await asyncio.sleep(0.3)  # the fetch is under way
            state.parse_interaction_create(ask)
            while not any("800,000" in s.text for s in harness.fake.sent):
                await asyncio.sleep(0.02)
            answered = time.monotonic() - started
            await harness.drain()
            return answered, time.monotonic() - started

        answered, finished = harness.run(go())
        assert answered < 1.5, f"the question waited {answered:.1f} s for the fetch"
        assert finished >= 2  # the add itself waited for the slow site, up to its deadline
        report = [s for s in harness.fake.sent if s.kind == "followup" and "Skipped" in s.text]
        assert report and "did not answer within 2 s" in report[0].text
    finally:
        listener.close()
        stop_harness(harness)
        engine.close()
