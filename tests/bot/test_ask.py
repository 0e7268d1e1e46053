"""/ask, its buttons, /compare and /quote against the real seeds and devset articles."""

import datetime as dt
import re

from bot.checks import collections_for
from retrieval import Engine
from retrieval.models import ParsedArticle
from retrieval.parse import from_fields

from .conftest import start_harness, stop_harness
from .fake_discord import APP_ID, GUILD_A, GUILD_B

LOSSES = "How many soldiers did Russia lose?"


def answer_of(sent):
    """The deferred "thinking" response, then the follow-up that carries the answer."""
    assert sent[0].kind == "callback" and sent[0].type == 5
    assert sent[-1].kind == "followup"
    return sent[0], sent[-1]


def test_ask_quotes_the_seed_with_bold_sentence_and_attribution(harness):
    defer, answer = answer_of(harness.slash("ask", question=LOSSES))
    assert defer.ephemeral and answer.ephemeral  # only the asker sees it unless public
    text = answer.embed["description"]
    assert "**Trump noted that Russia has suffered significant losses" in text
    assert "800,000 soldiers" in text
    assert "— **Caliber.Az** · [Russia, Ukraine, and diplomacy" in text
    assert "(https://caliber.az/en/post/russia-ukraine-and-diplomacy-trump-pushes-for-resolution)" in text
    assert "Tamilla Hasanova" in text and "¶3 · `A1¶3` · relevance 0." in text
    footer = answer.embed["footer"]["text"]
    assert "relevance 0–1: the chance that a passage answers" in footer
    # The footing line: how many passages, from how many outlets, over which dates.
    dates = r"\d{1,2} \w{3}( \d{4})?( – \d{1,2} \w{3} \d{4})?"
    assert re.match(rf"\d passages? from \d outlets?, {dates} \(1 undated\)", footer)
    labels = [b["label"] for b in answer.buttons]
    assert labels[:3] == ["More", "Helpful", "Not helpful"] and "Full article A1" in labels


def test_each_quoted_passage_shows_the_relevance_the_engine_gave_it(harness, engine):
    """The calibrated relevance on every attribution line, so that a weak match looks weak."""
    _, answer = answer_of(harness.slash("ask", question=LOSSES, count=3))
    shown = re.findall(r"`A(\d+)¶(\d+)` · relevance (\d\.\d\d)", answer.embed["description"])
    assert len(shown) == answer.embed["description"].count("— **")
    result = engine.ask(LOSSES, collections=collections_for(GUILD_A), k=3, as_of=dt.datetime.now(dt.UTC).date())
    expected = [(str(h.article.id), str(h.passage.ordinal), f"{h.score:.2f}") for h in result.hits]
    assert shown == expected and max(float(r) for *_, r in shown) >= engine.searcher.threshold


def test_public_answer_more_feedback_and_full_article(harness, engine):
    _, answer = answer_of(harness.slash("ask", question=LOSSES, count=2, public=True))
    assert not answer.ephemeral
    more = harness.click(answer, "More", who="other")
    _, more_answer = answer_of(more)
    assert more_answer.ephemeral and "results 3–4" in more_answer.embed["footer"]["text"]
    assert more_answer.embed["description"].startswith("**3.**")
    first = set(re.findall(r"`A\d+¶\d+`", answer.embed["description"]))
    assert first.isdisjoint(re.findall(r"`A\d+¶\d+`", more_answer.embed["description"]))

    helpful = harness.click(answer, "Helpful")
    assert helpful[0].ephemeral and "noted as helpful" in helpful[0].content
    harness.click(answer, "Not helpful", who="other")
    gaps = harness.slash("gaps", who="mod")
    assert "1 not helpful" in gaps[0].embed["description"] and "Russia lose" in gaps[0].embed["description"]

    full = harness.click(answer, "Full article A1")
    page = full[0]
    assert page.ephemeral and page.embed["title"].startswith("Russia, Ukraine, and diplomacy")
    assert "**¶1**" in page.embed["description"] and "page 1 of 2" in page.embed["footer"]["text"]
    nxt = harness.click(page, "Next")
    assert nxt[0].type == 7  # edited in place
    assert "**¶9**" in nxt[0].embed["description"] and "page 2 of 2" in nxt[0].embed["footer"]["text"]


def test_an_unanswered_question_says_so_and_reaches_gaps(harness):
    _, answer = answer_of(harness.slash("ask", question="What is the best recipe for sourdough bread?"))
    assert "do not answer this" in answer.embed["description"] and "/articles" in answer.embed["description"]
    assert not answer.buttons
    gaps = harness.slash("gaps", who="mod")[0]
    assert "1×" in gaps.embed["description"] and "sourdough" in gaps.embed["description"]


def test_overlong_question_is_refused_in_our_code_not_trusted_to_discord(harness):
    sent = harness.slash("ask", question="why " * 200)
    assert len(sent) == 1 and sent[0].ephemeral and "the limit is 500" in sent[0].content


def test_a_direct_message_searches_the_seeds_only(harness):
    _, answer = answer_of(harness.slash("ask", guild=None, question=LOSSES))
    cited = set(re.findall(r"`A(\d+)¶\d+`", answer.embed["description"]))
    assert cited == {"1"}


def test_servers_do_not_see_each_others_articles(harness):
    _, a = answer_of(harness.slash("ask", guild=GUILD_A, question=LOSSES))
    _, b = answer_of(harness.slash("ask", guild=GUILD_B, question=LOSSES))
    assert len(set(re.findall(r"`A(\d+)¶", a.embed["description"]))) > 1
    assert set(re.findall(r"`A(\d+)¶", b.embed["description"])) == {"1"}
    refused = harness.slash("source", guild=GUILD_B, citation="A3¶3")
    assert refused[0].ephemeral and "3" in refused[0].content and not refused[0].embeds


def test_compare_shows_each_outlet_with_dates(harness):
    _, answer = answer_of(harness.slash("compare", topic="Russian soldiers lost in the war"))
    names = [f["name"] for f in answer.embed["fields"]]
    assert len(names) >= 3 and any(n.startswith("Caliber.Az · undated") for n in names)
    assert any(re.search(r"· \d{1,2} (Jan|Feb) 2025$", n) for n in names)
    assert all("`A" in f["value"] for f in answer.embed["fields"])
    assert not any("relevance" in f["value"] for f in answer.embed["fields"])  # a topic, not a question
    assert "outlets" in answer.embed["footer"]["text"]


def test_quote_finds_who_said_it_exact_matches_first(harness):
    _, answer = answer_of(harness.slash("quote", text="Did Trump say Russia lost 800,000 soldiers?"))
    fields = answer.embed["fields"]
    assert fields[0]["name"] == "Exact match: Trump"
    exact = [f for f in fields if f["name"].startswith("Exact match")]
    assert any("`A1¶3`" in f["value"] for f in exact)
    kinds = [f["name"].split(":")[0] for f in fields]
    assert kinds == sorted(kinds, key=["Exact match", "Near-exact match", "Related passage"].index)


def test_cooldown_says_when_to_try_again(harness):
    for _ in range(3):
        assert harness.slash("ask", who="other", question=LOSSES)[-1].kind == "followup"
    refused = harness.slash("ask", who="other", question=LOSSES)
    assert len(refused) == 1 and refused[0].ephemeral
    assert re.search(r"try again in \d+ s \(<t:\d+:R>\)", refused[0].content)


def test_unexpected_errors_are_short_for_people_and_full_in_the_log(harness, engine, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(engine, "ask", broken)
    sent = harness.slash("ask", question=LOSSES)
    assert sent[-1].ephemeral and "Something went wrong" in sent[-1].content
    assert "index exploded" not in sent[-1].content
    assert "index exploded" in caplog.text and "test-token" not in caplog.text


def flood(day: dt.date, place: str) -> ParsedArticle:
    return from_fields(
        "River Tamm floods Riverton",
        f"The River Tamm burst its banks in Riverton on Sunday, sending water into the {place}.",
        outlet="Riverton Herald",
        published=day.isoformat(),
    )


def test_questions_are_asked_as_of_the_day_they_were_sent(harness, engine):
    """The message's (and the interaction's) date is the as-of date: "this week" is that week."""
    today = dt.datetime.now(dt.UTC).date()
    engine.add([flood(today - dt.timedelta(days=200), "market square")], collection=str(GUILD_A))
    engine.add([flood(today - dt.timedelta(days=2), "railway station")], collection=str(GUILD_A))
    question = "Where did the River Tamm flood reach this week?"
    reply = harness.message(f"<@{APP_ID}> {question}", mentions_bot=True)[-1]
    first = reply.embeds[0]["description"].split("**2.**")[0]
    assert "railway station" in first and "market square" not in first
    _, answer = answer_of(harness.slash("ask", question=question))
    assert "railway station" in answer.embed["description"].split("**2.**")[0]


def test_a_declined_answer_lists_the_closest_coverage_apart_and_labelled(settings, encoder, monkeypatch):
    """Declined (here: a bar no passage reaches), the closest passages come in their own field,
    labelled as coverage that may not answer, with full attribution, never as the answer."""
    strict = settings.with_(min_relevance=0.99)
    engine = Engine.open(strict, encoder=encoder)
    harness = start_harness(strict, engine, monkeypatch)
    try:
        _, answer = answer_of(harness.slash("ask", question="How many soldiers did Russia lose, according to Trump?"))
        embed = answer.embed
        assert "do not answer this" in embed["description"] and "800,000" not in embed["description"]
        [field] = embed["fields"]
        assert field["name"] == "Closest coverage, which may not answer it"
        assert "800,000" in field["value"] and "Caliber.Az" in field["value"] and "`A1¶3`" in field["value"]
        assert all(float(r) < 0.99 for r in re.findall(r"· relevance (\d\.\d\d)", field["value"]))
        assert "relevance" in field["value"]
        assert not answer.buttons
    finally:
        stop_harness(harness)
        engine.close()
