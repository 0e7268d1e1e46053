"""A news site on 127.0.0.1 for the feed tests: real-shaped feeds (RSS 2.0 with content:encoded,
Atom with relative links, RSS 1.0), the article pages they link to (with og: and JSON-LD
metadata), conditional GET (304 when the validators match), a redirect, and the broken kinds:
malformed XML, an HTML page, a huge feed, a slow one. Every request is recorded."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Story:
    slug: str
    title: str
    author: str
    published: str  # YYYY-MM-DD
    paragraphs: list[str]


HARBOR = [
    Story(
        "ferry-fares",
        "Harbour ferry fares rise for the first time in a decade",
        "Ada Lovelace",
        "2025-03-02",
        [
            "Ferry fares across the harbour will rise by ten percent in April, the transport board said on Sunday.",
            "A single crossing to Gull Island will cost 4.40 euros, up from four euros, while monthly passes "
            "rise to 88 euros.",
            "Board chair Nina Osei said fuel and crew costs had climbed every year since 2015 and the fares had "
            "not kept pace.",
            "Commuter groups said they would ask the council to cap the rise for students and pensioners.",
        ],
    ),
    Story(
        "lighthouse-reopens",
        "Old lighthouse reopens to visitors after two years of repairs",
        "Tom Baker",
        "2025-03-04",
        [
            "The harbour lighthouse reopened to visitors on Tuesday after two years of repairs to its cracked "
            "stone tower.",
            "Engineers replaced 140 steps of the spiral staircase and fitted a new lantern that can be seen "
            "for 30 kilometres.",
            "The heritage trust said tickets for the first month sold out within a day of going on sale.",
        ],
    ),
    Story(
        "fishing-quota",
        "Fishing fleet wins a larger cod quota for next season",
        "Ada Lovelace",
        "2025-03-06",
        [
            "The harbour's fishing fleet will be allowed to land 1,200 tonnes of cod next season, 15 percent "
            "more than this year.",
            "Skipper Jonas Berg said the larger quota would let three boats return to full-time work after a "
            "lean winter.",
            "Scientists at the marine institute warned that the cod stock remained below its long-term average.",
        ],
    ),
    Story(
        "bridge-vote",
        "Council approves a footbridge over the inner harbour",
        "Tom Baker",
        "2025-03-08",
        [
            "The city council voted 21 to 9 on Thursday to build a footbridge over the inner harbour by 2027.",
            "The bridge will cost 18 million euros, two thirds of it paid by a regional development fund.",
            "Opponents said the design would block tall ships from the old quay during the summer festival.",
        ],
    ),
]

VALLEY = [
    Story(
        "orchard-frost",
        "Late frost damages half of the valley's apple blossom",
        "Maria Santos",
        "2025-04-12",
        [
            "A late frost on Friday night damaged about half of the apple blossom in the valley's orchards, "
            "growers said.",
            "Temperatures fell to minus four degrees before dawn, and sprinklers ran all night to protect the "
            "buds with ice.",
            "The growers' cooperative said the harvest could be the smallest since the frost of 1991.",
        ],
    ),
    Story(
        "rail-line",
        "Valley rail line to run every half hour from June",
        "Li Wei",
        "2025-04-14",
        [
            "Trains on the valley line will run every 30 minutes from June, twice as often as now, the rail "
            "operator announced.",
            "The change follows the opening of a new passing loop near Millbrook station, built over eighteen months.",
        ],
    ),
]

PLAINS = [
    Story(
        "wind-farm",
        "Plains wind farm doubles its turbines",
        "Sam Okafor",
        "2025-05-01",
        [
            "The wind farm on the northern plains will double to 48 turbines after regulators approved its "
            "expansion on Monday.",
            "The operator said the new turbines would power another 60,000 homes from the end of next year.",
        ],
    ),
]


def page_html(story: Story, outlet: str, canonical: str) -> bytes:
    """An article page as news sites publish it: og: tags, JSON-LD, navigation and a footer."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": f"{story.published}T08:00:00+00:00",
        "author": {"@type": "Person", "name": story.author},
        "publisher": {"@type": "Organization", "name": outlet},
    }
    body = "\n".join(f"<p>{p}</p>" for p in story.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{story.title} | {outlet}</title>
<meta property="og:site_name" content="{outlet}">
<meta property="og:title" content="{story.title}">
<meta property="og:type" content="article">
<meta property="og:url" content="{canonical}">
<meta name="author" content="{story.author}">
<meta property="article:published_time" content="{story.published}T08:00:00+00:00">
<link rel="canonical" href="{canonical}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head>
<body>
<header><nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>{story.title}</h1>
<p class="byline">By {story.author}</p>
{body}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Council votes on budget</a></li></ul></aside>
<footer><p>© 2025 {outlet}. All rights reserved.</p></footer>
</body>
</html>""".encode()


def _rfc822(day: str) -> str:
    return email.utils.format_datetime(dt.datetime.fromisoformat(f"{day}T08:00:00+00:00"))


def rss2(base: str, stories: list[Story], title: str = "Harbor Times — Local news") -> bytes:
    """RSS 2.0, newest first, with tracking parameters on the links and the full text in
    content:encoded."""
    items = []
    for s in reversed(stories):
        full = "".join(f"<p>{p}</p>" for p in s.paragraphs)
        items.append(f"""<item>
<title>{s.title}</title>
<link>{base}/harbor/{s.slug}?utm_source=rss&amp;utm_medium=feed</link>
<guid isPermaLink="false">harbor-{s.slug}</guid>
<description>{s.paragraphs[0]}</description>
<content:encoded><![CDATA[{full}<p><a href="{base}/harbor/{s.slug}">Read more</a></p>]]></content:encoded>
<dc:creator>{s.author}</dc:creator>
<pubDate>{_rfc822(s.published)}</pubDate>
</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{title}</title>
<link>{base}/harbor/</link>
<description>News from the harbour</description>
<language>en</language>
{"".join(items)}
</channel>
</rss>""".encode()


def atom(stories: list[Story]) -> bytes:
    """Atom 1.0 with relative links, resolved against the feed's own address."""
    entries = []
    for s in reversed(stories):
        entries.append(f"""<entry>
<title>{s.title}</title>
<id>tag:valley.example,2025:{s.slug}</id>
<link rel="alternate" type="text/html" href="/valley/{s.slug}"/>
<updated>{s.published}T09:00:00Z</updated>
<published>{s.published}T08:00:00Z</published>
<author><name>{s.author}</name></author>
<summary>{s.paragraphs[0]}</summary>
</entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Valley Courier</title>
<id>tag:valley.example,2025:feed</id>
<updated>2025-04-14T09:00:00Z</updated>
{"".join(entries)}
</feed>""".encode()


def rss1(base: str, stories: list[Story]) -> bytes:
    """RSS 1.0 (RDF) with Dublin Core dates and creators."""
    seq = "".join(f'<rdf:li rdf:resource="{base}/plains/{s.slug}"/>' for s in stories)
    items = "".join(
        f"""<item rdf:about="{base}/plains/{s.slug}">
<title>{s.title}</title><link>{base}/plains/{s.slug}</link>
<description>{s.paragraphs[0]}</description><dc:date>{s.published}T08:00:00Z</dc:date><dc:creator>{s.author}</dc:creator>
</item>"""
        for s in stories
    )
    return f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{base}/plains/rss"><title>Plains Post</title><link>{base}/plains/</link>
<description>Plains news</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>
{items}
</rdf:RDF>""".encode()


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)  # sent with an error status (Retry-After)


@dataclass
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class Site:
    """The routes, editable while the server runs, and every request it answered."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def serve_feed(self, path: str, body: bytes, content_type: str = "application/rss+xml; charset=utf-8") -> None:
        """A feed with validators that change with its bytes, as real servers do."""
        tag = f'"{abs(hash(body)):x}"'
        modified = email.utils.format_datetime(dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=len(body)))
        self.routes[path] = Route(body, content_type, etag=tag, last_modified=modified)

    def publish(self, prefix: str, stories: list[Story], outlet: str, domain: str) -> None:
        for s in stories:
            self.routes[f"/{prefix}/{s.slug}"] = Route(
                page_html(s, outlet, f"https://{domain}/{prefix}/{s.slug}"), "text/html; charset=utf-8"
            )


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self):
        site = self.site
        with site.lock:
            site.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = site.routes.get(self.path.split("?")[0])
        if route is None:
            self._send(404, "text/html", b"<html><body>Not found</body></html>")
            return
        if route.delay:
            time.sleep(route.delay)
        if route.location:
            self.send_response(route.status)
            self.send_header("Location", route.location)
            self.end_headers()
            return
        if route.status >= 400:  # a broken server answers its error, whatever the validators say
            self._send(route.status, route.content_type, route.body, route.headers)
            return
        match_tag = route.etag and self.headers.get("If-None-Match") == route.etag
        match_date = route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        if match_tag or (match_date and not self.headers.get("If-None-Match")):
            self.send_response(304)
            self.send_header("ETag", route.etag or "")
            self.end_headers()
            return
        extra = {}
        if route.etag:
            extra["ETag"] = route.etag
        if route.last_modified:
            extra["Last-Modified"] = route.last_modified
        self._send(route.status, route.content_type, route.body, extra)

    def _send(self, status: int, kind: str, body: bytes, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (size cap)
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    """A fresh site per test, on its own port."""
    state = Site()
    handler = type("Handler", (_Handler,), {"site": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self, start: dt.datetime | None = None):
        self.now = start or dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)
