"""Following feeds against a local news site: real feeds, real pages, a real store and index."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils

import pytest

from retrieval import Engine, FetchError, NotFound, Settings
from retrieval.errors import BadSource
from retrieval.feeds import FeedError, Feeds
from retrieval.feeds.parse import FeedItem, article_from_feed, read_feed, split_keywords
from retrieval.fetch import Page, fetch, retry_after
from retrieval.parse import from_fields
from retrieval.urls import normalise_url
from tests.feed_site import HARBOR, PLAINS, VALLEY, Clock, Route, atom, rss1, rss2

HARBOR_RSS = "/harbor/rss.xml"


@pytest.fixture
def local(settings: Settings) -> Settings:
    return settings.with_(allow_private_urls=True, fetch_timeout=0.5, fetch_max_bytes=200_000)


@pytest.fixture
def engine(local: Settings, encoder):
    eng = Engine.open(local, encoder=encoder)
    yield eng
    eng.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def feeds(engine: Engine, clock: Clock):
    service = Feeds(engine, clock=clock)
    yield service
    service.close()


@pytest.fixture
def news(site):
    """The three outlets' pages, and their feeds: RSS 2.0, Atom, RSS 1.0."""
    site.publish("harbor", HARBOR, "Harbor Times", "harbortimes.example")
    site.publish("valley", VALLEY, "Valley Courier", "valleycourier.example")
    site.publish("plains", PLAINS, "Plains Post", "plainspost.example")
    site.serve_feed(HARBOR_RSS, rss2(site.base, HARBOR[:3]))
    site.serve_feed("/valley/atom.xml", atom(VALLEY), "application/atom+xml")
    site.serve_feed("/plains/rss.rdf", rss1(site.base, PLAINS), "application/rdf+xml")
    return site


def held(engine: Engine, collection: str = "global"):
    return {a.title: a for a in engine.articles([collection]) if a.added_by and a.added_by.startswith("feed:")}


def test_first_poll_adds_the_items_of_each_kind_of_feed(feeds: Feeds, engine: Engine, news):
    added = feeds.add(news.url(HARBOR_RSS), "global")
    assert (added.feed.title, added.items, added.feed.next_check_at) == (
        "Harbor Times — Local news",
        3,
        feeds.clock().isoformat(timespec="seconds"),
    )
    feeds.add(news.url("/valley/atom.xml"), "global")
    feeds.add(news.url("/plains/rss.rdf"), "global")
    results = feeds.poll()
    assert [r.summary() for r in results] == ["3 added", "2 added", "1 added"]
    articles = held(engine)
    ferry = articles["Harbour ferry fares rise for the first time in a decade"]
    assert (ferry.outlet, ferry.author, ferry.published) == ("Harbor Times", "Ada Lovelace", "2025-03-02")
    assert ferry.url == "https://harbortimes.example/harbor/ferry-fares"  # the page's canonical URL
    frost = articles["Late frost damages half of the valley's apple blossom"]  # Atom, relative link
    assert (frost.outlet, frost.published, frost.paragraphs) == ("Valley Courier", "2025-04-12", 3)
    wind = articles["Plains wind farm doubles its turbines"]  # RSS 1.0
    assert (wind.outlet, wind.author, wind.published) == ("Plains Post", "Sam Okafor", "2025-05-01")
    assert [r.path for r in news.requests if "/valley/orchard" in r.path] == ["/valley/orchard-frost"]
    answer = engine.ask("How many tonnes of cod may the fleet land next season?")
    assert answer.answered and "1,200 tonnes" in answer.hits[0].passage.text
    listed = {f.title: f for f in feeds.feeds()}
    assert listed["Valley Courier"].articles == 2 and listed["Valley Courier"].state == "ok"


def test_second_poll_sends_the_validators_and_a_new_item_adds_one(feeds: Feeds, engine: Engine, news, clock):
    feeds.add(news.url(HARBOR_RSS), "global")
    assert feeds.poll()[0].count("added") == 3
    assert feeds.poll() == []  # not due for 30 minutes
    clock.advance(minutes=30)
    again = feeds.poll()
    assert [r.status for r in again] == ["not modified"]
    conditional = news.hits(HARBOR_RSS)[-1].headers
    assert conditional["if-none-match"] == news.routes[HARBOR_RSS].etag
    assert conditional["if-modified-since"] == news.routes[HARBOR_RSS].last_modified
    assert "coverage-bot" in conditional["user-agent"]
    assert again[0].feed.next_check_at == (clock() + dt.timedelta(minutes=30)).isoformat(timespec="seconds")
    pages_before = len([r for r in news.requests if "/harbor/" in r.path and "rss" not in r.path])

    news.serve_feed(HARBOR_RSS, rss2(news.base, HARBOR))  # a fourth story
    clock.advance(minutes=30)
    [result] = feeds.poll()
    assert [(o.status, o.title) for o in result.outcomes] == [
        ("added", "Council approves a footbridge over the inner harbour")
    ]
    pages_after = len([r for r in news.requests if "/harbor/" in r.path and "rss" not in r.path])
    assert pages_after == pages_before + 1  # only the new item's page was fetched
    assert len(held(engine)) == 4


def test_the_feeds_text_stands_in_for_a_page_that_cannot_be_read(feeds: Feeds, engine: Engine, news):
    del news.routes["/harbor/lighthouse-reopens"]  # 404
    news.routes["/valley/rail-line"] = Route(b"%PDF-1.4", "application/pdf")
    feeds.add(news.url(HARBOR_RSS), "global")
    feeds.add(news.url("/valley/atom.xml"), "global")
    harbor, valley = feeds.poll()
    assert harbor.summary() == "3 added"
    lighthouse = held(engine)["Old lighthouse reopens to visitors after two years of repairs"]
    assert (lighthouse.author, lighthouse.published, lighthouse.paragraphs) == ("Tom Baker", "2025-03-04", 3)
    assert lighthouse.outlet == "Harbor Times"  # learnt from the feed's pages that could be read
    assert lighthouse.url.endswith("/harbor/lighthouse-reopens")  # tracking parameters gone
    # Atom with only a summary: nothing to fall back on, so the item fails with both reasons.
    [failed] = [o for o in valley.outcomes if o.status == "failed"]
    assert "application/pdf" in failed.reason and "only a summary" in failed.reason
    assert valley.count("added") == 1


def test_keywords_keep_only_matching_items(feeds: Feeds, engine: Engine, news):
    feeds.add(news.url(HARBOR_RSS), "global", keywords="lighthouse, cod quota")
    [result] = feeds.poll()
    assert sorted((o.status, o.title) for o in result.outcomes) == [
        ("added", "Fishing fleet wins a larger cod quota for next season"),
        ("added", "Old lighthouse reopens to visitors after two years of repairs"),
        ("filtered", "Harbour ferry fares rise for the first time in a decade"),
    ]
    assert split_keywords("Ukraine  russia") == ["ukraine", "russia"]
    assert split_keywords("ceasefire talks, Zelenskyy,") == ["ceasefire talks", "zelenskyy"]


def test_each_collection_has_its_own_feeds_and_caps(local: Settings, encoder, news, clock):
    engine = Engine.open(local.with_(feed_max_feeds=2), encoder=encoder)
    feeds = Feeds(engine, clock=clock)
    try:
        feeds.add(news.url(HARBOR_RSS), "server-a")
        feeds.add(news.url("/valley/atom.xml"), "server-a")
        with pytest.raises(FeedError, match="2 feeds are followed here already"):
            feeds.add(news.url("/plains/rss.rdf"), "server-a")
        with pytest.raises(FeedError, match="already followed here as feed F1"):
            feeds.add(news.url(HARBOR_RSS + "?utm_source=x"), "server-a")
        other = feeds.add(news.url(HARBOR_RSS), "server-b")  # another server may follow it too
        feeds.poll()
        assert len(held(engine, "server-a")) == 5 and len(held(engine, "server-b")) == 3
        assert not held(engine, "global")
        assert [f.id for f in feeds.feeds(["server-b"])] == [other.feed.id]
        with pytest.raises(NotFound):
            feeds.remove(other.feed.id, ["server-a"])
    finally:
        feeds.close()
        engine.close()


def test_items_past_the_cap_wait_for_the_next_check(local: Settings, encoder, news, clock):
    engine = Engine.open(local.with_(feed_max_items=2), encoder=encoder)
    feeds = Feeds(engine, clock=clock)
    try:
        news.serve_feed(HARBOR_RSS, rss2(news.base, HARBOR))
        feeds.add(news.url(HARBOR_RSS), "global")
        [first] = feeds.poll()
        assert (first.count("added"), first.waiting) == (2, 2)
        assert {o.title for o in first.outcomes} == {h.title for h in HARBOR[2:]}  # the newest first
        assert first.feed.etag is None  # so the next check reads the feed again rather than a 304
        clock.advance(minutes=30)
        [second] = feeds.poll()
        assert (second.count("added"), second.waiting, second.feed.etag is not None) == (2, 0, True)
        assert len(held(engine)) == 4
    finally:
        feeds.close()
        engine.close()


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Broken'), "malformed XML"),
        (Route(b"<!DOCTYPE html><html><body><p>Our news</p></body></html>", "text/html"), "a web page, not"),
        (Route(b"<rss>" + b"<item>x</item>" * 30_000 + b"</rss>"), "larger than the 195 KB limit"),
        (Route(b"<rss/>", delay=2), "did not answer within 0.5 s"),
        (Route(b"gone", "text/html", status=410), "HTTP 410"),
        (Route(b"", status=404), "HTTP 404"),
        (Route(b"\x89PNG\r\n", "image/png"), "image/png, not one of"),
    ],
    ids=["malformed", "html", "huge", "slow", "gone", "missing", "image"],
)
def test_a_bad_feed_gets_its_error_and_the_others_go_on(feeds: Feeds, engine: Engine, news, route, reason):
    feeds.add(news.url(HARBOR_RSS), "global")
    bad = feeds.add(news.url(HARBOR_RSS), "team").feed  # same feed in another collection, then broken
    news.routes["/broken.xml"] = route
    feeds.store.update(bad.id, {"url": news.url("/broken.xml")})
    results = {r.feed.id: r for r in feeds.poll()}
    assert results[bad.id].status == "failed" and reason in results[bad.id].error
    assert results[1].count("added") == 3
    listed = feeds.feed(bad.id)
    assert (listed.state, listed.failures) == ("failing", 1) and reason in listed.error


def test_errors_back_off_doubling_to_a_day_and_a_week_of_failing_pauses(feeds: Feeds, news, clock):
    news.routes["/down.xml"] = Route(rss2(news.base, HARBOR[:1]))
    quiet = feeds.add(news.url("/down.xml"), "global").feed
    loud = feeds.add(news.url(HARBOR_RSS), "global", announce_to="12345").feed
    news.routes["/down.xml"].status = 503
    feeds.store.update(loud.id, {"url": news.url("/down.xml?loud")})
    gaps = []
    for _ in range(9):
        start = clock()
        results = feeds.poll(every=True)
        assert {r.status for r in results} == {"failed"}
        gaps.append(dt.datetime.fromisoformat(results[0].feed.next_check_at) - start)
        clock.now = dt.datetime.fromisoformat(results[0].feed.next_check_at)
    hours = [g.total_seconds() / 3600 for g in gaps]
    assert hours[:6] == [1, 2, 4, 8, 16, 24] and set(hours[6:]) == {24}
    assert not feeds.pending_notices() and feeds.feed(quiet.id).paused is None  # 5.3 days so far
    clock.advance(days=2)
    results = {r.feed.id: r for r in feeds.poll()}
    assert results[quiet.id].paused_now and results[loud.id].paused_now
    assert "paused after failing since 2025-03-10: " in feeds.feed(quiet.id).paused
    assert [f.id for f in feeds.pending_notices()] == [loud.id]  # told once, where it announces
    feeds.mark_noticed(loud.id)
    assert not feeds.pending_notices()
    clock.advance(days=3)
    assert feeds.poll(every=True) == []  # paused feeds are not checked
    news.routes["/down.xml"].status = 200
    resumed = feeds.resume(quiet.id)
    assert (resumed.paused, resumed.failures) == (None, 0)
    assert [r.status for r in feeds.poll()] == ["checked"]


def test_a_server_that_asks_to_wait_is_left_alone_that_long_within_a_day(feeds: Feeds, news, clock):
    feed = feeds.add(news.url(HARBOR_RSS), "global").feed
    news.routes[HARBOR_RSS] = Route(b"busy", "text/plain", status=429, headers={"Retry-After": "10800"})
    [result] = feeds.poll(every=True)
    assert result.status == "failed" and "HTTP 429 (it asks to wait 10800 s)" in result.error
    assert dt.datetime.fromisoformat(result.feed.next_check_at) - clock() == dt.timedelta(hours=3)  # not 1 h
    # An HTTP date three days on: the fetch reads it against the wall clock, not the test's.
    later = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(days=3), usegmt=True)
    news.routes[HARBOR_RSS] = Route(b"down", "text/plain", status=503, headers={"Retry-After": later})
    [result] = feeds.poll(every=True)
    assert dt.datetime.fromisoformat(result.feed.next_check_at) - clock() == dt.timedelta(days=1)  # capped
    assert feeds.feed(feed.id).failures == 2


def test_retry_after_reads_seconds_and_dates_and_ignores_the_rest():
    now = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)
    assert retry_after("120", now) == 120
    assert retry_after("Mon, 10 Mar 2025 12:30:00 GMT", now) == 1800
    assert retry_after("Mon, 10 Mar 2025 11:00:00 GMT", now) == 0  # already past
    assert retry_after("soon", now) is None and retry_after("", now) is None and retry_after(None, now) is None


def test_a_redirected_feed_is_followed_and_a_permanent_move_is_remembered(feeds: Feeds, engine: Engine, news, clock):
    news.routes["/feed"] = Route(b"", status=301, location="/harbor/rss.xml")
    news.routes["/for-now"] = Route(b"", status=302, location="/valley/atom.xml")
    moved = feeds.add(news.url("/feed"), "global").feed
    borrowed = feeds.add(news.url("/for-now"), "global").feed
    results = {r.feed.id: r for r in feeds.poll()}
    assert results[moved.id].count("added") == 3 and results[borrowed.id].count("added") == 2
    assert feeds.feed(moved.id).url == news.url("/harbor/rss.xml")  # 301: moved for good
    assert feeds.feed(borrowed.id).url == news.url("/for-now")  # 302: only for now
    clock.advance(hours=1)
    assert [r.status for r in feeds.poll()] == ["not modified", "not modified"]
    assert len(news.hits("/feed")) == 2  # the add and the first check; later ones go straight there
    assert len(news.hits("/for-now")) == 3
    news.routes["/old-feed"] = Route(b"", status=308, location="/harbor/rss.xml")
    twin = feeds.add(news.url("/old-feed"), "global").feed
    feeds.poll_feed(twin)
    assert feeds.feed(twin.id).url == news.url("/old-feed")  # the collection follows that address already


def test_a_web_page_that_names_its_feed_is_followed_through_it(feeds: Feeds, news):
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href="{HARBOR_RSS}"></head></html>'
    news.routes["/harbor/"] = Route(page.encode(), "text/html")
    added = feeds.add(news.url("/harbor/"), "global")
    assert added.discovered_from == news.url("/harbor/") and added.feed.url == news.url(HARBOR_RSS)
    news.routes["/plain"] = Route(b"<html><body><p>No feed here.</p></body></html>", "text/html")
    with pytest.raises(FeedError, match="is a web page, not an RSS or Atom feed"):
        feeds.add(news.url("/plain"), "global")
    for bad, message in [("ftp://x.example/feed", "http:// or https://"), (news.url("/nothing"), "HTTP 404")]:
        with pytest.raises((FeedError, FetchError), match=message):
            feeds.add(bad, "global")
    with pytest.raises(FeedError, match="5 to 1440 minutes"):
        feeds.add(news.url(HARBOR_RSS), "global", interval=2)
    assert [f.url for f in feeds.feeds()] == [news.url(HARBOR_RSS)]  # nothing half-added


def test_a_feed_url_with_credentials_never_shows_them(feeds: Feeds, news):
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href="{HARBOR_RSS}"></head></html>'
    news.routes["/harbor/"] = Route(page.encode(), "text/html")
    secret = news.base.replace("http://", "http://reader:s3cret@")
    added = feeds.add(secret + "/harbor/", "global")
    assert (added.discovered_from, added.feed.url) == (news.url("/harbor/"), news.url(HARBOR_RSS))
    with pytest.raises(FetchError) as caught:
        feeds.add(secret + "/nothing", "global")
    assert str(caught.value) == f"{news.url('/nothing')} answered HTTP 404"


def test_an_item_already_held_is_not_added_again_and_an_updated_one_updates(feeds: Feeds, engine: Engine, news, clock):
    ferry = HARBOR[0]
    engine.add(
        [
            from_fields(
                ferry.title,
                "\n\n".join(ferry.paragraphs),
                outlet="Harbor Times",
                url="https://harbortimes.example/harbor/ferry-fares",
            )
        ],
        added_by="discord:1",
    )
    feeds.add(news.url(HARBOR_RSS), "global")
    news.serve_feed("/mirror.xml", rss2(news.base, HARBOR[1:2], title="Harbor Times mirror"))
    [first] = feeds.poll()
    statuses = {o.title: o.status for o in first.outcomes}
    assert statuses[ferry.title] == "updated"  # same canonical URL: the page's metadata filled in
    assert statuses[HARBOR[1].title] == "added"
    mirror = feeds.add(news.url("/mirror.xml"), "global").feed
    lighthouse_pages = len(news.hits("/harbor/lighthouse-reopens"))
    [copy] = [r for r in feeds.poll() if r.feed.id == mirror.id]
    assert [(o.status, o.reason) for o in copy.outcomes] == [("unchanged", "already held from another feed")]
    assert len(news.hits("/harbor/lighthouse-reopens")) == lighthouse_pages  # not fetched again
    count = engine.count_articles(["global"])

    # The outlet corrects a story: new text on the page, a new date in the feed.
    fixed = dataclasses.replace(HARBOR[2], paragraphs=[*HARBOR[2].paragraphs, "Correction: the quota is in tonnes."])
    news.publish("harbor", [fixed], "Harbor Times", "harbortimes.example")
    stories = [HARBOR[0], HARBOR[1], dataclasses.replace(fixed, published="2025-03-07")]
    news.serve_feed(HARBOR_RSS, rss2(news.base, stories))
    clock.advance(minutes=30)
    [result] = [r for r in feeds.poll() if r.feed.url.endswith(HARBOR_RSS)]
    [(status, article_id)] = [(o.status, o.article_id) for o in result.outcomes]
    assert status == "updated" and engine.count_articles(["global"]) == count
    article, passages = engine.article(article_id)
    assert passages[-1].text == "Correction: the quota is in tonnes." and article.title == fixed.title


def test_a_poll_in_progress_elsewhere_is_left_alone_and_state_survives_a_restart(
    local: Settings, encoder, engine: Engine, feeds: Feeds, news, clock
):
    feed = feeds.add(news.url(HARBOR_RSS), "global").feed
    other = Feeds(engine, clock=clock, owner="another-process")
    try:
        assert other.store.lease(feed.id, other.owner, clock(), 600)
        assert [(r.status, r.error) for r in feeds.poll()] == [("busy", "another poll is checking it")]
        assert news.hits(HARBOR_RSS) == [news.hits(HARBOR_RSS)[0]]  # only the request made by `add`
        clock.advance(minutes=11)  # the other process died: its lease runs out
        assert feeds.poll()[0].count("added") == 3
    finally:
        other.close()
    feeds.close()
    engine.close()
    restarted = Engine.open(local, encoder=encoder)
    again = Feeds(restarted, clock=clock)
    try:
        clock.advance(minutes=30)
        assert [r.status for r in again.poll()] == ["not modified"]
        assert news.hits(HARBOR_RSS)[-1].headers.get("if-none-match")
    finally:
        again.close()
        restarted.close()


def test_removing_and_pausing(feeds: Feeds, engine: Engine, news, clock):
    feed = feeds.add(news.url(HARBOR_RSS), "global").feed
    feeds.poll()
    assert feeds.pause(feed.id).paused == "paused by hand"
    clock.advance(hours=2)
    assert feeds.poll() == []
    removed = feeds.remove(feed.id)
    assert removed.articles == 3 and feeds.feeds() == []
    assert len(held(engine)) == 3  # the articles stay
    with pytest.raises(NotFound, match="no feed with id"):
        feeds.remove(feed.id)


def test_a_feed_removed_while_it_is_checked_is_left_out(feeds: Feeds, engine: Engine, news, monkeypatch):
    feed = feeds.add(news.url(HARBOR_RSS), "global").feed
    feeds.add(news.url("/valley/atom.xml"), "global")
    add = engine.add

    def add_then_remove(*args, **kwargs):  # a moderator removes the feed during its check
        report = add(*args, **kwargs)
        if kwargs.get("added_by") == f"feed:{feed.id}":
            feeds.remove(feed.id)
        return report

    monkeypatch.setattr(engine, "add", add_then_remove)
    results = feeds.poll()
    assert [r.feed.title for r in results] == ["Valley Courier"]  # the other feed went on
    assert [f.title for f in feeds.feeds()] == ["Valley Courier"]
    assert len(held(engine)) == 5  # what the removed feed brought stays, as removal promises


def test_new_articles_are_announced_once_where_the_feed_says(feeds: Feeds, engine: Engine, news):
    feeds.add(news.url(HARBOR_RSS), "global", announce_to="999")
    feeds.add(news.url("/valley/atom.xml"), "global")  # no channel: nothing to announce
    feeds.poll()
    pending = feeds.pending_announcements()
    assert [a.article.title for a in pending] == [h.title for h in reversed(HARBOR[:3])]
    assert pending[0].first_passage.startswith("The harbour's fishing fleet will be allowed")
    engine.remove(pending[1].article.id)  # removed before it was announced: dropped
    feeds.mark_announced([pending[0].item_id])
    assert [a.article.title for a in feeds.pending_announcements()] == [HARBOR[0].title]


def test_conditional_fetch_returns_a_304_page(news):
    url = news.url(HARBOR_RSS)
    first = fetch(url, allow_private=True, accept=("application/rss+xml",))
    assert first.status == 200 and first.headers["etag"] == news.routes[HARBOR_RSS].etag
    again = fetch(
        url, allow_private=True, accept=("application/rss+xml",), headers={"If-None-Match": first.headers["etag"]}
    )
    assert (again.status, again.body) == (304, b"")
    with pytest.raises(FetchError, match="not an HTML page"):
        fetch(url, allow_private=True)  # the default still wants HTML


@pytest.mark.parametrize(
    "link",
    [
        "HTTPS://News.Example:443/a/b?utm_source=rss&id=7#comments",
        "https://user:secret@news.example/x",
        "http://127.0.0.1:8080/story?b=2&a=1",
        "https://news.example",  # no path
        "http://[2001:db8::1]:8080/story?utm_medium=feed",  # an IPv6 literal keeps its brackets
    ],
)
def test_an_items_link_is_the_canonical_url_an_article_gets(link):
    """One rule: an item's link (what feed dedupe compares) is the URL an article is stored under."""
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title><link>{link}</link>'
    body += "<description>An item with a link.</description></item></channel></rss>"
    page = Page("https://news.example/rss", body.replace("&", "&amp;").encode(), "application/rss+xml")
    [item] = read_feed(page).items
    assert item.link == normalise_url(link)
    assert from_fields("A", "Some text of the article.", url=link).url == item.link


def test_a_feed_typed_two_ways_is_one_feed(feeds: Feeds, news):
    feeds.add(news.url(HARBOR_RSS), "global")
    with pytest.raises(FeedError, match="already followed here as feed F1"):
        feeds.add(news.url(HARBOR_RSS).replace("http://", "HTTP://") + "?utm_source=x#top", "global")
    with pytest.raises(FeedError, match="cannot be followed: the URL is 2"):
        feeds.add(news.url("/" + "x" * 2100), "global")


def test_a_feeds_fields_lose_whole_escape_sequences():
    # Not well-formed XML (ESC and BEL are not XML characters), so feedparser's loose parser reads it.
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bay\x1b]0;owned\x07 Post</title>'
        "<item><title>Ferry\x1b[2J strike ends</title><link>https://bay.example/a</link>"
        "<author>Ann\u009d52;c;ZWNobw==\x07 Writer</author><description>It ended.</description></item>"
        "</channel></rss>"
    ).encode()
    parsed = read_feed(Page("https://bay.example/rss", body, "application/rss+xml"))
    [item] = parsed.items
    assert (parsed.title, item.title, item.author) == ("Bay Post", "Ferry strike ends", "Ann Writer")


def test_a_feeds_own_text_becomes_passages_by_the_rules_every_article_follows():
    long = " ".join(f"Sentence {i} of a live blog's very long paragraph goes on here." for i in range(50))
    html = (
        "<p>The council voted 21 to 9 on Thursday to build a footbridge over the inner harbour.</p>"
        "<figure><img src=x><figcaption>The old quay. Photo: Getty Images</figcaption></figure>"
        "<h2>What happens next</h2><p>The plan has three parts:</p>"
        "<ul><li>a design contest this spring</li><li>building from 2026</li><li>opening in 2027</li></ul>"
        f"<p>{long}</p><p>Read also: Harbour ferry fares rise</p><script>track()</script>"
        '<p>Opponents said it would block tall ships.</p><p><a href="https://harbor.example/a">Read more</a></p>'
    )
    link = "https://harbor.example/a"
    item = FeedItem("g", link, "Council approves a footbridge", "Tom Baker", "2025-03-08", "", html, "f")
    article = article_from_feed(item, link)
    assert article.paragraphs[:2] == [
        "The council voted 21 to 9 on Thursday to build a footbridge over the inner harbour.",
        "The plan has three parts:\na design contest this spring\nbuilding from 2026\nopening in 2027",
    ]
    pieces = article.paragraphs[2:-1]  # the long paragraph, split at sentence ends
    assert len(pieces) > 1 and all(len(p) <= 2000 and p.endswith("here.") for p in pieces) and " ".join(pieces) == long
    assert article.paragraphs[-1] == "Opponents said it would block tall ships."
    assert article.headings == [None] + ["What happens next"] * (len(article.paragraphs) - 1)
    kinds = {b.text: b.kind for b in article.blocks}
    assert kinds["Read also: Harbour ferry fares rise"] == "teaser" and "Read more" not in kinds
    assert (article.title, article.author, article.published, article.url) == (
        "Council approves a footbridge", "Tom Baker", "2025-03-08", link,
    )  # fmt: skip

    plain = dataclasses.replace(item, content="Plain text paragraph number one.\n\nAnd plain & simple text two.")
    two = ["Plain text paragraph number one.", "And plain & simple text two."]
    assert article_from_feed(plain, "x").paragraphs == two
    for nothing in (
        "<p>Read also: Harbour ferry fares rise</p>",
        "<figure><figcaption>Photo: AP</figcaption></figure>",
    ):
        with pytest.raises(BadSource, match="the feed's text has no paragraphs"):
            article_from_feed(dataclasses.replace(item, content=nothing), "x")


def test_feed_settings_are_read_and_checked():
    from retrieval.errors import SettingsError

    s = Settings.from_mapping({"COVERAGE_BOT_FEED_INTERVAL": "10", "COVERAGE_BOT_FEED_POLLING": "false"})
    assert (s.feed_interval, s.feed_polling, s.feed_max_feeds, s.feed_max_items) == (10, False, 20, 25)
    with pytest.raises(SettingsError, match="between 5 and 1440"):
        Settings.from_mapping({"COVERAGE_BOT_FEED_INTERVAL": "2"})
