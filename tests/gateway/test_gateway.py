"""The real bot over a real websocket and real HTTP, against the test Discord in server.py."""

from __future__ import annotations

import asyncio
import gc
import itertools
import time

from tests.bot.fake_discord import APP_ID

from .conftest import LoopLag, Running, no_tracebacks
from .server import CHANNEL, Fault

QUESTION = "How many soldiers did Russia lose, according to Trump?"
#: Fifty different questions (no answer is computed twice), most of them about the seed article.
TOPICS = ["Russian losses", "Zelenskyy and a deal", "the war in Ukraine", "the White House", "peace talks"]
QUESTIONS = [f"What did Trump say about {TOPICS[n % 5]}, reporter {n}?" for n in range(50)]


def test_connects_and_answers_a_mention(discord_server, settings, engine, bot_logging):
    server = discord_server

    async def scenario():
        async with Running(settings, engine):
            await server.connected()
            await server.run(server.dispatch("MESSAGE_CREATE", server.message_create(QUESTION, 101)))
            reply = (await server.wait(server.replies, what="the answer"))[0]
            assert "800,000" in reply.text
            assert int(reply.message_body["message_reference"]["channel_id"]) == CHANNEL
            mentions = reply.message_body["allowed_mentions"]
            assert mentions["parse"] == [] and not mentions.get("replied_user")
            assert server.sent("PUT", rf"/applications/{APP_ID}/commands")  # synced at the first start

    asyncio.run(scenario())
    no_tracebacks(bot_logging)
    assert "CommandNotFound" not in bot_logging.text


async def ask_by_mention(server, author: int, question: str = QUESTION, before: int | None = None):
    """Mention the bot with a question and wait for its reply in the channel."""
    count = len(server.replies()) if before is None else before
    await server.run(server.dispatch("MESSAGE_CREATE", server.message_create(question, author)))
    return (await server.wait(lambda: len(server.replies()) > count and server.replies(), what="a reply"))[count]


def test_slash_command_defers_then_follows_up(discord_server, settings, engine, bot_logging):
    server = discord_server

    async def scenario():
        async with Running(settings, engine):
            await server.connected()
            payload = server.slash("ask", {"question": QUESTION, "count": 1})
            await server.run(server.dispatch("INTERACTION_CREATE", payload))
            token = payload["token"]
            followup = (await server.wait(lambda: server.sent("POST", rf"/webhooks/{APP_ID}/{token}")))[0]
            callback = server.sent("POST", rf"/interactions/{payload['id']}/{token}/callback")[0]
            assert callback.body["type"] == 5  # deferred ("thinking") first
            assert callback.at < followup.at and "800,000" in followup.text
            assert [b["label"] for b in followup.buttons][:3] == ["More", "Helpful", "Not helpful"]

    asyncio.run(scenario())
    no_tracebacks(bot_logging)


def test_fifty_questions_at_once_keep_the_heartbeat_and_the_loop_free(discord_server, settings, engine, bot_logging):
    server = discord_server
    server.heartbeat_ms = 200  # several beats while the answers are worked out
    interval = server.heartbeat_ms / 1000

    async def scenario():
        async with Running(settings, engine):
            await server.connected()
            await server.wait(lambda: len(server.current.heartbeats) >= 2, what="heartbeats")
            # The whole test session's objects, not the bot's, make a full garbage collection
            # take 150-400 ms in this process (measured): set them aside so the loop lag is the
            # bot's own work.
            gc.collect()
            gc.freeze()
            lag = LoopLag().start()
            started = time.monotonic()

            async def burst():
                for n, question in enumerate(QUESTIONS):
                    await server.dispatch("MESSAGE_CREATE", server.message_create(question, 3000 + n))

            await server.run(burst())
            replies = await server.wait(lambda: len(server.replies()) >= 50 and server.replies(), 90, "50 answers")
            took = time.monotonic() - started
            await asyncio.sleep(3 * interval)  # the beats due while the last answers went out
            worst = lag.stop()
            beats = [b for b in server.current.heartbeats if b >= started]
            gaps = [b - a for a, b in itertools.pairwise(beats)]
            assert len(replies) == 50 and sum("Caliber.Az" in r.text for r in replies) >= 40
            referenced = {r.message_body["message_reference"]["message_id"] for r in replies}
            assert len(referenced) == 50  # each question answered once
            # Every beat was sent (and ACKed: the server answers each at once) before the next
            # was due: none missed, so Discord would never take the connection for dead.
            assert len(beats) >= 3 and max(gaps) < 2 * interval, f"heartbeat gaps {gaps}, loop lag {worst:.3f} s"
            assert worst < 0.1, f"the event loop was blocked for {worst * 1000:.0f} ms (heartbeat gaps {gaps})"
            assert server.identifies == 1 and server.resumes == 0  # no reconnect under load
            print(f"50 answers in {took:.1f} s; loop lag ≤ {worst * 1000:.0f} ms; heartbeat gaps ≤ {max(gaps):.2f} s")

    try:
        asyncio.run(scenario())
    finally:
        gc.unfreeze()
    no_tracebacks(bot_logging)
    assert "heartbeat blocked" not in bot_logging.text and "behind" not in bot_logging.text


def test_dropped_connection_mid_answer_resumes_and_answers(discord_server, settings, engine, bot_logging):
    server = discord_server

    async def scenario():
        async with Running(settings, engine):
            await server.connected()
            server.faults.append(Fault("POST", rf"/channels/{CHANNEL}/messages", status=None, delay=0.5))
            server.refuse_handshakes = 1  # and the first reconnect attempt fails
            await server.run(server.dispatch("MESSAGE_CREATE", server.message_create(QUESTION, 101)))
            await server.wait(lambda: any(c.path == f"/channels/{CHANNEL}/messages" for c in server.calls))
            await server.run(server.drop(abrupt=True))  # while the reply is on its way
            first = await server.wait(server.replies, what="the answer in flight")
            assert "800,000" in first[0].text
            await server.wait(lambda: server.resumes >= 1, what="a resume")
            second = await ask_by_mention(server, 102)
            assert "800,000" in second.text
            assert server.identifies == 1  # resumed the session, not a new one

    asyncio.run(scenario())
    no_tracebacks(bot_logging)
    lines = [r for r in bot_logging.records if "reconnect" in r.getMessage()]
    assert any(r.levelname == "WARNING" and "gateway: disconnected; reconnecting" in r.getMessage() for r in lines)
    failed = [r for r in lines if "reconnect failed" in r.getMessage()]
    assert failed and all(r.levelname == "WARNING" and "\n" not in r.getMessage() for r in failed)
    assert "WSServerHandshakeError" in failed[0].getMessage()


def test_a_429_is_waited_out_as_retry_after_says(discord_server, settings, engine, bot_logging):
    server = discord_server
    limited = {"message": "You are being rate limited.", "retry_after": 0.4, "global": False}
    headers = {"Retry-After": "1", "Via": "1.1 google", "X-RateLimit-Scope": "user"}

    async def scenario():
        async with Running(settings, engine):
            await server.connected()
            server.faults.append(Fault("POST", rf"/channels/{CHANNEL}/messages", 429, limited, headers))
            reply = await ask_by_mention(server, 101)
            refused = [c for c in server.calls if c.status == 429]
            assert len(refused) == 1 and reply.at - refused[0].at >= 0.38
            assert "800,000" in reply.text and len(server.replies()) == 1

    asyncio.run(scenario())
    no_tracebacks(bot_logging)


def test_a_500_on_send_is_retried_then_logged_once_when_it_persists(discord_server, settings, engine, bot_logging):
    server = discord_server

    async def scenario():
        async with Running(settings.with_(discord_timeout=1.5), engine):
            await server.connected()
            server.faults.append(Fault("POST", rf"/channels/{CHANNEL}/messages", 500))
            reply = await ask_by_mention(server, 101)  # one 500: discord.py retries after a second
            assert "800,000" in reply.text
            server.faults.append(Fault("POST", rf"/channels/{CHANNEL}/messages", 500, times=None))
            await server.run(server.dispatch("MESSAGE_CREATE", server.message_create(QUESTION, 102)))
            await server.wait(lambda: "could not answer message" in bot_logging.text, what="the failure logged")
            server.faults.clear()
            after = await ask_by_mention(server, 103)
            assert "800,000" in after.text

    asyncio.run(scenario())
    no_tracebacks(bot_logging)
    failures = [r for r in bot_logging.records if "could not answer message" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelname == "WARNING"
    assert "Ignoring exception" not in bot_logging.text


def test_an_invalid_session_identifies_again(discord_server, settings, engine, bot_logging):
    server = discord_server

    async def scenario():
        async with Running(settings, engine):
            await server.connected()
            await server.run(server.invalidate())
            await server.connected(identifies=2)
            reply = await ask_by_mention(server, 101)
            assert "800,000" in reply.text and server.resumes == 0

    asyncio.run(scenario())
    no_tracebacks(bot_logging)


def test_buttons_keep_working_after_a_restart(discord_server, settings, engine, bot_logging):
    server = discord_server

    async def scenario():
        async with Running(settings, engine) as first:
            await server.connected()
            payload = server.slash("ask", {"question": QUESTION, "count": 1})
            await server.run(server.dispatch("INTERACTION_CREATE", payload))
            answer = (await server.wait(lambda: server.sent("POST", rf"/webhooks/{APP_ID}/{payload['token']}")))[0]
        assert await first.exit_code() == 0
        async with Running(settings, engine) as second:  # a new bot object over the same data folder
            assert second.bot is not first.bot
            await server.connected(identifies=2)
            for label, expect in [("Helpful", "noted as helpful"), ("More", "results 2–")]:
                click = server.click(answer, label, author_id=101)
                await server.run(server.dispatch("INTERACTION_CREATE", click))
                token = click["token"]
                sent = await server.wait(
                    lambda token=token: [
                        c for c in server.calls if token in c.path and c.status < 300 and c.text.strip()
                    ],
                    what=f"the {label} answer",
                )
                assert expect in sent[0].text, sent[0].text

    asyncio.run(scenario())
    no_tracebacks(bot_logging)
