"""Attribution links: a stored URL can never add a second link or break out of its own."""

import re

import pytest

from bot import render
from retrieval.models import Article

#: A Markdown link as Discord reads one: [text](target), the target ending at the first ")".
LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)")


def article(url: str | None, title: str = "Storm cuts power") -> Article:
    return Article(1, "global", title, "Harbor Times", None, "2025-02-03", url, "en", "2025-02-04", None, "h", 5)


@pytest.mark.parametrize(
    "url",
    [
        "https://harbortimes.example/a)[Click here](https://evil.example/phish",
        "https://harbortimes.example/a) [x](https://evil.example)",
        "https://harbortimes.example/a b (c) <d> [e] `f` |g| \\h",
        "https://harbortimes.example/a\n[x](https://evil.example)",
    ],
)
def test_a_url_cannot_inject_a_second_link(url: str):
    line = render.attribution(article(url), 3)
    links = LINK.findall(line)
    assert len(links) == 1, line
    text, target = links[0]
    assert text == "Storm cuts power"
    assert target.startswith("https://harbortimes.example/a") and target == render.link_url(url)
    assert not set("()[]<> `|\\\n") & set(target)  # the rest of the URL stays inside, inert
    assert line.count("](") == 1


def test_links_keep_ordinary_urls_and_drop_what_is_not_http():
    plain = "https://harbortimes.example/news/2025/02/03/storm-power?ref=rss&x=1#top"
    assert render.headline_link(article(plain)) == f"[Storm cuts power]({plain})"
    assert render.headline_link(article("javascript:alert(1)")) == "*Storm cuts power*"
    assert render.link_url("https://bücher.example/straße") == "https://xn--bcher-kva.example/stra%C3%9Fe"
    embed = render.article_embed(article("https://harbortimes.example/a)b"), [])
    assert embed.url == "https://harbortimes.example/a%29b"
