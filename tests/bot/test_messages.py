"""Questions in channels: @mentions, Q&A channels, @everyone, long answers in threads."""

import logging

from .conftest import start_harness, stop_harness
from .fake_discord import APP_ID, GUILD_A, QA_CHANNEL_A

QUESTION = "What did Trump say about how many soldiers Russia lost?"


def test_a_mention_gets_a_reply_or_a_thread_with_the_answer(harness):
    sent = harness.message(f"<@{APP_ID}> {QUESTION}", mentions_bot=True)
    kinds = [s.kind for s in sent]
    assert kinds in (["thread", "channel"], ["channel"])
    answer = sent[-1]
    assert "`A1¶3`" in answer.embed["description"] and "800,000" in answer.embed["description"]
    if kinds == ["channel"]:
        assert answer.body["message_reference"]
    assert answer.body["allowed_mentions"]["parse"] == []
    assert [b["label"] for b in answer.buttons][:3] == ["More", "Helpful", "Not helpful"]


def test_everyone_alone_does_not_summon_the_bot_and_mention_only_gets_usage(harness):
    assert harness.message("@everyone what did Trump say about soldiers?", everyone=True) == []
    sent = harness.message(f"<@{APP_ID}> @everyone", mentions_bot=True, everyone=True)
    assert len(sent) == 1 and "Ask me a question after the mention" in sent[0].content
    assert sent[0].body["allowed_mentions"] == {"parse": [], "replied_user": False}  # the reply does not ping


def test_qa_channels_answer_questions_not_remarks(harness):
    assert harness.message(QUESTION, channel=QA_CHANNEL_A) == []
    resolved = {
        "channels": {
            str(QA_CHANNEL_A): {
                "id": str(QA_CHANNEL_A),
                "name": "ask",
                "type": 0,
                "permissions": "0",
                "guild_id": str(GUILD_A),
            }
        }
    }
    added = harness.slash("config qa-channel add", who="mod", channel=str(QA_CHANNEL_A), resolved=resolved)
    assert added[0].content.startswith(f"<#{QA_CHANNEL_A}> is now a Q&A channel")
    assert (
        "is already"
        in harness.slash("config qa-channel add", who="mod", channel=str(QA_CHANNEL_A), resolved=resolved)[0].content
    )
    assert f"<#{QA_CHANNEL_A}>" in harness.slash("config qa-channel list", who="mod")[0].content
    assert harness.message("nice weather today", channel=QA_CHANNEL_A) == []
    sent = harness.message(QUESTION, channel=QA_CHANNEL_A)
    assert sent and "`A1¶3`" in sent[-1].embed["description"]
    assert (
        "no longer"
        in harness.slash("config qa-channel remove", who="mod", channel=str(QA_CHANNEL_A), resolved=resolved)[0].content
    )
    assert harness.message(QUESTION, channel=QA_CHANNEL_A) == []


def test_channel_questions_have_a_cooldown(harness):
    for _ in range(3):
        harness.message(f"<@{APP_ID}> {QUESTION}", mentions_bot=True, who="other")
    sent = harness.message(f"<@{APP_ID}> {QUESTION}", mentions_bot=True, who="other")
    assert len(sent) == 1 and "try again in" in sent[0].content


def test_without_message_content_intent_it_warns_once_and_slash_commands_work(settings, engine, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="bot")
    h = start_harness(settings, engine, monkeypatch, message_content=False)
    try:
        harness_log = [r for r in caplog.records if "Message Content intent is off" in r.getMessage()]
        assert len(harness_log) == 1
        h.bot.store.set_qa_channel(GUILD_A, QA_CHANNEL_A, True)
        assert h.message("", channel=QA_CHANNEL_A) == []  # what Discord sends without the intent
        assert len([r for r in caplog.records if "Message Content intent is off" in r.getMessage()]) == 1
        assert h.slash("ask", question=QUESTION)[-1].kind == "followup"
    finally:
        stop_harness(h)
