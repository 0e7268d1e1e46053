"""A page that cuts its article into several same-class containers (ads between) keeps every
part; pages without such a run, teaser cards and comments are left as they are. A card set
inside a paragraph (a hover card, a captioned image) is not read as part of its sentence."""

from retrieval.bodies import prepare_body
from retrieval.parse import parse_html


def prose(part: int, n: int = 5) -> str:
    return "".join(
        f"<p>Paragraph {i} of part {part} tells how the harbour authority plans to repair the long "
        "breakwater before the winter storms arrive, with figures for each stage of the work.</p>"
        for i in range(1, n + 1)
    )


def split_page(*parts: str, body_class: str = "grid--item body body__container article__body") -> str:
    """The shape of a Condé Nast article page: each part in its own grid with an ad rail, and a
    full-width advertisement row between the parts."""
    grids = '<div class="row full-bleed-ad"><div class="ad"><span>Advertisement</span></div></div>'.join(
        f'<div class="grid grid-layout--adrail"><div class="{body_class}">{part}</div>'
        '<div class="grid--item grid-layout__aside"><div class="ad ad--rail"></div></div></div>'
        for part in parts
    )
    return (
        "<html><head><title>Breakwater repairs | Test Magazine</title></head><body>"
        '<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>'
        '<main><article class="article main-content"><header><h1>Harbour breakwater to be repaired</h1>'
        f"</header>{grids}</article></main><footer><p>Copyright Test Magazine</p></footer></body></html>"
    )


def paragraphs(html: str) -> list[str]:
    return [b.text for b in parse_html(html, "page.html").blocks if b.kind == "paragraph"]


def test_every_part_of_a_split_body_is_kept_in_page_order():
    found = paragraphs(split_page(prose(1), prose(2), prose(3)))
    assert len(found) == 15
    assert [p[:26] for p in found[4:6]] == ["Paragraph 5 of part 1 tell", "Paragraph 1 of part 2 tell"]
    assert found[-1].startswith("Paragraph 5 of part 3")


def test_a_page_without_a_repeated_body_is_passed_on_untouched():
    html = split_page(prose(1))
    assert prepare_body(html) is html
    broken = "<html><body><div class='body'>x</div><div class='body'>"  # unclosed: still no prose
    assert prepare_body(broken) is broken


def test_teaser_cards_and_comments_sharing_a_class_are_not_joined():
    cards = "".join('<div class="card-body"><p>Read next: the storm season</p></div>' for _ in range(4))
    comments = "".join(f'<div class="comment-body">{prose(9, 1)}</div>' for _ in range(3))
    html = split_page(prose(1)).replace("</article>", f"</article>{cards}{comments}")
    assert prepare_body(html) is html


HOVER_CARD = (
    '<span class="person"><a href="/people/ilhan-omar">Ilhan Omar</a><span class="person-card"><span>'
    '<img src="/omar.jpg" alt=""><a href="/people/ilhan-omar">Ilhan Omar</a>'
    '<a href="/a/1">Hillicon Valley: Progressives oppose funding bill</a><a href="/a/2">Sanders doubles down</a>'
    "</span></span></span>"
)


def test_a_card_inside_a_paragraph_is_dropped_and_the_paragraph_keeps_its_words():
    sentence = (
        f"A New York man pleaded guilty to charges he threatened to kill Rep. {HOVER_CARD} (D-Minn.), prosecutors said."
    )
    html = split_page(f"<p>{sentence}</p>" + prose(1))
    first = paragraphs(html)[0]
    assert (
        first
        == "A New York man pleaded guilty to charges he threatened to kill Rep. Ilhan Omar (D-Minn.), prosecutors said."
    )
    plain = split_page(prose(1))  # no image at all: passed on as it is
    assert prepare_body(plain) is plain
