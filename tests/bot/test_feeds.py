"""`/feed` through the real command tree, and the background poller announcing new articles."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.checks import Cooldowns
from tests.feed_site import HARBOR, VALLEY, Clock, Route, atom, rss2

from .conftest import embed_within_limits
from .fake_discord import CHANNEL_A, GUILD_A, GUILD_B

FEED = "/harbor/rss.xml"


@pytest.fixture
def settings(settings):
    """The bot's settings, allowed to read the local site, with short fetch timeouts."""
    return settings.with_(allow_private_urls=True, fetch_timeout=0.5)


@pytest.fixture
def clock(harness) -> Clock:
    clock = Clock()
    harness.bot.feed_poller.feeds.clock = clock
    return clock


@pytest.fixture
def news(site):
    site.publish("harbor", HARBOR, "Harbor Times", "harbortimes.example")
    site.publish("valley", VALLEY, "Valley Courier", "valleycourier.example")
    site.serve_feed(FEED, rss2(site.base, HARBOR[:3]))
    site.serve_feed("/valley/atom.xml", atom(VALLEY), "application/atom+xml")
    return site


def channel(cid: int = CHANNEL_A, guild: int = GUILD_A) -> dict:
    return {
        "channels": {str(cid): {"id": str(cid), "name": "news", "type": 0, "permissions": "0", "guild_id": str(guild)}}
    }


def add_feed(harness, url: str, announce: int | None = None, who: str = "mod", **values) -> list:
    """`/feed add`, built by hand: the harness's own `channel=` names where a command is run."""
    payload = harness._base(2, who, GUILD_A, None, None)
    if announce:
        values["channel"] = str(announce)
    payload["data"], _ = harness._options(
        ["feed", "add"], {"url": url, **values}, channel(announce) if announce else {}
    )
    return harness._dispatch(payload)


def cycle(harness) -> None:
    """Let the background poller run one full cycle (woken at once, no waiting on intervals)."""
    harness.run(asyncio.wait_for(harness.bot.feed_poller.next_cycle(), 60))


def announcements(harness, cid: int = CHANNEL_A) -> list:
    return [s for s in harness.fake.sent if s.kind == "channel" and s.message["channel_id"] == str(cid)]


def test_a_followed_feed_is_polled_in_the_background_and_each_new_article_announced_once(harness, clock, news, engine):
    reply = add_feed(harness, news.url(FEED), CHANNEL_A)[-1]
    assert reply.ephemeral and reply.embed["title"] == "Following: Harbor Times — Local news"
    assert "3 items" in reply.embed["description"]
    fields = {f["name"]: f["value"] for f in reply.embed["fields"]}
    assert fields["First check"] == "now (within a minute)" and fields["Announced in"] == f"<#{CHANNEL_A}>"

    cycle(harness)
    posted = announcements(harness)
    assert [p.embed["title"] for p in posted] == [s.title for s in reversed(HARBOR[:3])]
    fishing = posted[0].embed
    assert fishing["url"] == "https://harbortimes.example/harbor/fishing-quota"
    assert fishing["description"].startswith("The harbour's fishing fleet will be allowed to land 1,200 tonnes")
    assert "**Harbor Times**" in fishing["description"] and "6 Mar 2025" in fishing["description"]
    assert all(p.body["allowed_mentions"] == {"parse": []} for p in posted)
    assert engine.count_articles([str(GUILD_A)]) == 12 + 3

    clock.advance(minutes=30)
    cycle(harness)
    assert len(announcements(harness)) == 3  # nothing new: not announced again
    assert news.hits(FEED)[-1].headers["if-none-match"] == news.routes[FEED].etag

    news.serve_feed(FEED, rss2(news.base, HARBOR))
    clock.advance(minutes=30)
    cycle(harness)
    assert [p.embed["title"] for p in announcements(harness)][3:] == [HARBOR[3].title]

    answer = harness.slash("ask", question="How did the council vote on the footbridge over the harbour?")[-1]
    assert "21 to 9" in answer.embed["description"] and "Harbor Times" in answer.embed["description"]
    elsewhere = harness.slash("ask", guild=GUILD_B, question="How did the council vote on the footbridge?")[-1]
    assert "21 to 9" not in elsewhere.text  # another server never sees this server's feeds

    listed = harness.slash("feed list", who="mod")[-1].embed
    [field] = listed["fields"]
    assert field["name"] == "F1 · Harbor Times — Local news" and "✓ ok" in field["value"]
    assert "4 articles" in field["value"] and f"<#{CHANNEL_A}>" in field["value"]
    assert "nothing here" not in harness.slash("feed list", who="mod", guild=GUILD_B)[-1].embed["description"]


def test_members_are_refused_and_moderators_remove_with_confirmation(harness, clock, news):
    refused = add_feed(harness, news.url(FEED), who="member")
    assert len(refused) == 1 and "for moderators" in refused[0].content
    add_feed(harness, news.url(FEED), who="mod")
    harness.bot.cooldowns = Cooldowns()
    add_feed(harness, news.url("/valley/atom.xml"), who="mod", keywords="frost")
    cycle(harness)
    assert not [s for s in harness.fake.sent if s.kind == "channel"]  # no channel: nothing announced

    choices = harness.autocomplete("feed remove", "feed", who="mod", feed="val")[-1].payload["data"]["choices"]
    assert choices == [{"name": "F2 · Valley Courier · ok", "value": "2"}]
    confirm = harness.slash("feed remove", who="mod", feed="F2")[-1]
    assert "Stop following `F2` **Valley Courier**?" in confirm.content and "1 articles stay" in confirm.content
    assert harness.click(confirm, "Stop following", who="member")[0].content.startswith("This command is for")
    done = harness.click(confirm, "Stop following", who="mod")[0]
    assert done.type == 7 and done.content.startswith("Stopped following `F2`")
    assert harness.slash("feed remove", who="mod", guild=GUILD_B, feed="F1")[0].content == "no feed with id 1"
    assert harness.slash("feed pause", who="mod", feed="nonsense")[0].content.startswith("pick a feed")

    paused = harness.slash("feed pause", who="mod", feed="1")[-1]
    assert paused.content.startswith("Paused `F1`")
    assert "⏸ paused by moderator" in harness.slash("feed list", who="mod")[-1].embed["fields"][0]["value"]
    assert harness.slash("feed resume", who="mod", feed="1")[-1].content.startswith("Following `F1`")


def test_bad_feeds_get_a_clear_reply_and_a_week_of_failing_tells_the_channel_once(harness, clock, news):
    news.routes["/page"] = Route(b"<html><body><p>Just a web page.</p></body></html>", "text/html")
    bad = add_feed(harness, news.url("/page"), who="mod")[-1]
    assert bad.ephemeral and "is a web page, not an RSS or Atom feed" in bad.content
    harness.bot.cooldowns = Cooldowns()
    wrong = add_feed(harness, "ftp://example.com/feed", who="mod")[-1]
    assert "http:// or https://" in wrong.content

    harness.bot.cooldowns = Cooldowns()
    add_feed(harness, news.url(FEED), CHANNEL_A)
    cycle(harness)
    news.routes[FEED].status = 500
    for _ in range(12):  # backoff doubles to a day; a week of failures pauses the feed
        clock.now = max(clock.now, clock.now.fromisoformat(harness.bot.feed_poller.feeds.feed(1).next_check_at))
        cycle(harness)
    notices = [s for s in announcements(harness) if not s.embeds]
    assert len(notices) == 1 and "has kept failing and is paused" in notices[0].content
    assert "HTTP 500" in notices[0].content and notices[0].body["allowed_mentions"] == {"parse": []}
    field = harness.slash("feed list", who="mod")[-1].embed["fields"][0]["value"]
    assert "⏸ paused after failing since" in field


def test_an_announcement_keeps_to_the_limits_and_pings_nobody(harness, clock, news):
    loud = HARBOR[0].__class__(
        "everyone-story",
        "@everyone " + "A very long headline " * 30,
        "Ada Lovelace",
        "2025-03-09",
        ["@everyone look: " + "a long first passage with many words " * 60, "Second paragraph with enough words."],
    )
    news.publish("harbor", [loud], "Harbor Times", "harbortimes.example")
    news.serve_feed(FEED, rss2(news.base, [loud]))
    add_feed(harness, news.url(FEED), CHANNEL_A)
    cycle(harness)
    [post] = announcements(harness)
    embed_within_limits(post.embed)
    assert "@\u200beveryone look" in post.embed["description"] and "@everyone" not in post.embed["description"]
    assert post.embed["description"].rstrip().endswith("`A14`")  # the attribution is never cut


def test_the_poller_stops_with_the_bot_and_announces_what_a_timer_added(settings, engine, monkeypatch, news):
    from retrieval.feeds import Feeds

    from .conftest import start_harness, stop_harness

    h = start_harness(settings, engine, monkeypatch)
    task = h.bot.feed_poller._task
    assert task is not None and not task.done()
    threads = []
    poll = h.bot.feed_poller.feeds.poll

    def recorded(**kwargs):
        threads.append(threading.get_ident())
        return poll(**kwargs)

    monkeypatch.setattr(h.bot.feed_poller.feeds, "poll", recorded)
    cycle(h)
    assert threads and threading.get_ident() not in threads  # checked in a worker thread, not on the loop
    stop_harness(h)
    assert task.done() and not task.cancelled()

    quiet = start_harness(settings.with_(feed_polling=False), engine, monkeypatch)
    try:
        reply = add_feed(quiet, news.url(FEED), CHANNEL_A)[-1]
        assert {f["name"]: f["value"] for f in reply.embed["fields"]}["First check"] == (
            "when `coverage-bot feed poll` runs"
        )
        cycle(quiet)
        assert len(news.hits(FEED)) == 1 and not announcements(quiet)  # only `add` read it
        timer = Feeds(engine)  # `coverage-bot feed poll --once --due`, in another process
        try:
            assert timer.poll()[0].count("added") == 3
        finally:
            timer.close()
        cycle(quiet)
        assert len(announcements(quiet)) == 3
    finally:
        stop_harness(quiet)


QUESTION = "How many soldiers did Russia lose, according to Trump?"


def answered_while(harness, start) -> float:
    """Start slow feed work (`start`, on the loop), ask a question 0.3 s in, and return how long
    after the start the answer came. The default executor has one worker, the worst case."""
    harness.loop.set_default_executor(ThreadPoolExecutor(max_workers=1))

    async def go():
        began = time.monotonic()
        start()
        await asyncio.sleep(0.3)  # the fetch is under way
        ask = harness._base(2, "member", GUILD_A, None, None)
        ask["data"], _ = harness._options(["ask"], {"question": QUESTION}, {})
        harness.bot._connection.parse_interaction_create(ask)
        while not any("800,000" in s.text for s in harness.fake.sent):
            await asyncio.sleep(0.02)
        answered = time.monotonic() - began
        await harness.drain()
        return answered

    return harness.run(go())


@pytest.fixture
def slow(settings, encoder, monkeypatch, news):
    """A bot whose fetches may take 2 s, and a feed that takes 3 s to answer."""
    from retrieval import Engine

    from .conftest import start_harness, stop_harness

    local = settings.with_(fetch_timeout=2)
    engine = Engine.open(local, encoder)
    h = start_harness(local, engine, monkeypatch)
    yield h
    news.routes[FEED].delay = 0
    stop_harness(h)
    engine.close()


def test_a_slow_feed_in_the_background_never_holds_the_threads_questions_need(slow, news):
    poller = slow.bot.feed_poller
    poller.feeds.add(news.url(FEED), str(GUILD_A))
    news.routes[FEED].delay = 3.0
    answered = answered_while(slow, poller.wake)
    assert answered < 1.5, f"the question waited {answered:.1f} s for the feed"

    async def polled():
        while poller.feeds.feed(1).checked_at is None:
            await asyncio.sleep(0.05)

    slow.run(asyncio.wait_for(polled(), 10))
    assert "did not answer within 2 s" in (poller.feeds.feed(1).error or "")  # the poll itself waited


def test_following_a_slow_feed_never_holds_the_threads_questions_need(slow, news):
    news.routes[FEED].delay = 3.0
    payload = slow._base(2, "mod", GUILD_A, None, None)
    payload["data"], _ = slow._options(["feed", "add"], {"url": news.url(FEED)}, {})
    answered = answered_while(slow, lambda: slow.bot._connection.parse_interaction_create(payload))
    assert answered < 1.5, f"the question waited {answered:.1f} s for the feed"
    assert any("did not answer within 2 s" in s.text for s in slow.fake.sent)  # /feed add waited for it
