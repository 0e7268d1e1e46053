from retrieval import Engine
from retrieval.parse import from_fields
from retrieval.quotes import match_kind, speaker, unframe


def test_unframe_separates_speaker_and_quotation():
    assert unframe("Did Trump say Russia lost 800,000 soldiers?") == ("Russia lost 800,000 soldiers", "Trump")
    assert unframe("“Putin would like to see me”") == ("Putin would like to see me", None)


def test_match_kinds():
    passage = 'Trump noted losses, claiming, "Russia lost 800,000 soldiers. Would you say that\'s a lot?"'
    assert match_kind("Russia lost 800,000 soldiers", passage) == "exact"
    assert match_kind("Russia lost 800000 soldiers", passage) == "exact"  # digit grouping ignored
    assert match_kind("Russia has lost 800,000 soldiers", passage) == "near"
    assert match_kind("Ukraine gained territory", passage) == "related"


def test_speaker_is_the_nearest_name_with_a_speech_verb():
    text = '"We are ready," said Marta Keller, a spokeswoman. The mayor was absent.'
    assert speaker(text) == "Marta Keller"


def test_engine_quote_finds_exact_matches_first(engine: Engine):
    engine.add(
        [
            from_fields(
                "Echo", "A columnist wrote that Russia lost 800,000 soldiers, citing Trump.", outlet="Other Outlet"
            )
        ]
    )
    found = engine.quote("Did Trump say Russia lost 800,000 soldiers?")
    assert [m.kind for m in found[:2]] == ["exact", "exact"]
    assert {m.hit.article.outlet for m in found[:2]} == {"Caliber.Az", "Other Outlet"}
    seed = next(m for m in found if m.hit.article.outlet == "Caliber.Az")
    assert seed.hit.passage.ordinal == 3 and seed.speaker == "Trump"
    assert engine.quote("Who won the 2022 football World Cup?") == []
