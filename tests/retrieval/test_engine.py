"""The engine end to end over a real SQLite file, real FAISS and the packaged model."""

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from retrieval import BadQuestion, Engine, NotFound
from retrieval.embed import passage_text
from retrieval.errors import BadFilter, BadSource
from retrieval.index import VectorIndex
from retrieval.parse import from_fields
from tests.conftest import DATA, SEED_URL

SOLDIERS = "How many soldiers did Russia lose, according to Trump?"


def test_first_start_seeds_the_store(engine: Engine):
    assert any("built the store" in e and "1 added" in e for e in engine.events)
    stats = engine.stats()
    assert stats["articles"] == 1 and stats["passages"] == 10 and stats["indexed"] == 10
    [article] = engine.articles(["global"])
    assert (article.outlet, article.author, article.url, article.published) == (
        "Caliber.Az",
        "Tamilla Hasanova",
        SEED_URL,
        None,
    )


def test_soldiers_question_quotes_the_800000_passage_with_attribution(engine: Engine):
    answer = engine.ask(SOLDIERS)
    assert answer.answered
    top = answer.hits[0]
    assert "800,000" in top.passage.text
    assert top.passage.ordinal == 3
    assert top.article.outlet == "Caliber.Az"
    assert top.article.author == "Tamilla Hasanova"
    assert top.article.url == SEED_URL
    assert "800,000" in top.highlight and top.highlight in top.passage.text
    data = answer.to_json()
    assert data["passages"][0]["paragraph"] == 3
    assert data["passages"][0]["article"]["published"] is None


def test_off_topic_question_is_declined(engine: Engine):
    answer = engine.ask("Who won the 2022 football World Cup?")
    assert answer.answered is False
    assert answer.hits == []
    assert answer.to_json() == {
        "question": "Who won the 2022 football World Cup?",
        "answered": False,
        "passages": [],
        "related": [],  # nothing held comes close: no "closest coverage" either
    }


def test_a_bare_number_matches_lexically(engine: Engine):
    answer = engine.ask("800000")  # no comma: only the lexical side can tie it to "800,000"
    assert answer.answered
    assert "800,000" in answer.hits[0].passage.text


@pytest.mark.parametrize(("question", "message"), [("   ", "empty"), ("x" * 501, "501 characters")])
def test_bad_questions(engine: Engine, question: str, message: str):
    with pytest.raises(BadQuestion, match=message):
        engine.ask(question)


def test_each_format_is_ingested_with_its_metadata(engine: Engine):
    report = engine.ingest([str(DATA / "storm.html"), str(DATA / "bridge.md")], added_by="test")
    assert report.count("added") == 2, report.outcomes
    storm = engine.ask("How many homes lost electricity in the storm?").hits[0]
    assert storm.article.outlet == "Harbor Times"
    assert storm.article.published == "2025-02-03"
    assert "20,000 homes" in storm.passage.text
    bridge = engine.ask("What budget did the council approve for the bridge?").hits[0]
    assert bridge.article.outlet == "Valley Courier"
    assert bridge.article.author == "Sam Okafor"
    assert "$148 million" in bridge.passage.text


def test_readding_the_same_article_updates_instead_of_duplicating(engine: Engine, tmp_path: Path):
    first = engine.ingest([str(DATA / "bridge.md")])
    again = engine.ingest([str(DATA / "bridge.md")])
    assert again.outcomes[0].status == "unchanged"
    assert engine.stats()["articles"] == 2

    changed = tmp_path / "bridge.md"
    text = (DATA / "bridge.md").read_text().replace("$148 million", "$151 million")
    changed.write_text(text)
    update = engine.ingest([str(changed)])
    assert update.outcomes[0].status == "updated"
    assert update.outcomes[0].article_id == first.outcomes[0].article_id
    stats = engine.stats()
    assert stats["articles"] == 2 and stats["indexed"] == stats["passages"] == 13
    hit = engine.ask("What budget did the council approve for the bridge?").hits[0]
    assert "$151 million" in hit.passage.text


def test_same_text_without_url_from_same_outlet_is_one_article(engine: Engine):
    one = from_fields("Headline", "A paragraph about a harbour.\n\nAnother one.", outlet="Wire")
    two = from_fields("Headline, retitled", "A paragraph about a harbour.\n\nAnother one.", outlet="Wire")
    engine.add([one])
    report = engine.add([two])
    assert report.outcomes[0].status == "updated"
    assert engine.stats()["articles"] == 2


def test_syndicated_copy_is_one_result_listing_every_outlet(engine: Engine):
    text = "Port officials said the new ferry terminal will open on 3 March after a two-year delay."
    wire = from_fields("Ferry terminal to open", text, outlet="Capital Wire", url="https://wire.example/ferry")
    copy = from_fields("Terminal opens in March", text, outlet="Harbor Times", url="https://harbor.example/ferry")
    engine.add([wire, copy])
    answer = engine.ask("When will the ferry terminal open?")
    assert answer.answered
    outlets = [answer.hits[0].article.outlet] + [a.outlet for a in answer.hits[0].also_in]
    assert sorted(outlets) == ["Capital Wire", "Harbor Times"]
    assert sum("ferry terminal" in h.passage.text for h in answer.hits) == 1


def test_answers_spread_across_outlets(engine: Engine):
    engine.add(
        [
            from_fields(
                "Losses claim",
                "Trump said Russia lost 800,000 soldiers in the war.",
                outlet="Other Outlet",
                url="https://other.example/losses",
            ),
        ]
    )
    answer = engine.ask(SOLDIERS, k=2)
    assert {h.article.outlet for h in answer.hits} == {"Caliber.Az", "Other Outlet"}


def test_filters_by_outlet_and_date(engine: Engine):
    engine.ingest([str(DATA / "storm.html"), str(DATA / "bridge.md")])
    only = engine.ask("Who proposed replacing the bridge?", outlets=["valley courier"], k=5)
    assert only.hits and {h.article.outlet for h in only.hits} == {"Valley Courier"}
    assert not engine.ask("Who proposed replacing the bridge?", outlets=["Harbor Times"]).answered
    dated = engine.ask("storm power homes", since="2025-02-01", until="2025-02-05", k=5)
    assert dated.hits and {h.article.published for h in dated.hits} == {"2025-02-03"}
    assert not engine.ask("storm power homes", since="2026-01-01").answered


def test_compare_groups_by_outlet(engine: Engine):
    engine.add(
        [
            from_fields(
                "Losses claim",
                "Trump said Russia lost 800,000 soldiers in the war.",
                outlet="Other Outlet",
                published="2025-01-24",
            ),
        ]
    )
    result = engine.compare("Russian military losses")
    assert result.answered
    assert {g.outlet for g in result.outlets} == {"Caliber.Az", "Other Outlet"}
    assert all(len(g.hits) == 1 for g in result.outlets)


def test_collections_are_kept_apart(engine: Engine):
    engine.add(
        [from_fields("Local", "The Gull Island lighthouse will be repainted red in May.", outlet="Island News")],
        collection="111",
    )
    question = "What colour will the lighthouse be painted?"
    assert engine.ask(question, collections=["111", "global"]).answered
    assert not engine.ask(question, collections=["global"]).answered
    assert not engine.ask(question, collections=["222", "global"]).answered
    [local] = engine.articles(["111"])
    with pytest.raises(NotFound):
        engine.article(local.id, collections=["222", "global"])


def test_remove_takes_passages_out_of_answers_at_once(engine: Engine):
    [seed] = engine.articles(["global"])
    removed = engine.remove(seed.id, actor="test")
    assert removed.title == seed.title
    assert not engine.ask(SOLDIERS).answered
    assert engine.stats()["indexed"] == 0
    with pytest.raises(NotFound):
        engine.remove(seed.id)
    assert [r["action"] for r in engine.history("global")][:1] == ["removed"]


def test_removal_persists_and_seeds_are_not_added_again(settings, encoder, engine: Engine):
    [seed] = engine.articles(["global"])
    engine.remove(seed.id)
    engine.close()
    reopened = Engine.open(settings, encoder=encoder)
    assert reopened.stats()["articles"] == 0
    assert reopened.events == []


def test_reindex_rebuilds_from_the_store(engine: Engine):
    assert engine.reindex() == 10
    assert engine.ask(SOLDIERS).hits[0].passage.ordinal == 3


def test_deleted_index_is_rebuilt_on_start(settings, encoder, engine: Engine):
    engine.close()
    settings.index_path.unlink()
    reopened = Engine.open(settings, encoder=encoder)
    assert any("rebuilt the index" in e and "missing" in e for e in reopened.events)
    assert reopened.stats()["indexed"] == 10
    assert reopened.ask(SOLDIERS).hits[0].passage.ordinal == 3


def test_stale_index_is_rebuilt_on_start(settings, encoder, engine: Engine, tmp_path: Path):
    stale = tmp_path / "stale"
    stale.mkdir()
    shutil.copy(settings.index_path, stale / "i")
    shutil.copy(settings.index_meta_path, stale / "m")
    engine.ingest([str(DATA / "bridge.md")])  # the saved copy no longer matches the store
    engine.close()
    shutil.copy(stale / "i", settings.index_path)
    shutil.copy(stale / "m", settings.index_meta_path)
    reopened = Engine.open(settings, encoder=encoder)
    assert any("13 passages" in e and "10 vectors" in e for e in reopened.events)
    assert reopened.ask("What budget did the council approve for the bridge?").answered


def test_index_built_with_another_model_is_rebuilt(settings, encoder, engine: Engine):
    engine.close()
    index, _ = VectorIndex.load(settings.index_path, settings.index_meta_path)
    index.model = "some-other-model"
    index.save(settings.index_path, settings.index_meta_path)
    reopened = Engine.open(settings, encoder=encoder)
    assert any("some-other-model" in e for e in reopened.events)
    loaded, _ = VectorIndex.load(settings.index_path, settings.index_meta_path)
    assert loaded.model == reopened.vector_key == f"{reopened.encoder.key}+headline+alone"
    assert np.array_equal(loaded.ids(), reopened.store.passage_ids())


def test_bad_sources_write_nothing(engine: Engine, tmp_path: Path):
    before = engine.stats()
    sources = [str(DATA / n) for n in ("empty.txt", "binary.txt", "empty_page.html", "table.csv")]
    report = engine.ingest([*sources, str(tmp_path / "missing.md")])
    assert report.count("skipped") == 5
    reasons = " | ".join(o.reason for o in report.outcomes)
    for word in ("empty", "binary", "no article text", "unsupported", "no such file"):
        assert word in reasons
    after = engine.stats()
    assert (after["articles"], after["passages"], after["indexed"]) == (
        before["articles"],
        before["passages"],
        before["indexed"],
    )


def test_folder_ingest_skips_sidecars_and_reports_each_file(engine: Engine, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "bridge.md", folder)
    shutil.copy(DATA / "storm.html", folder)
    shutil.copy(DATA / "empty.txt", folder)
    (folder / "bridge.md.meta.json").write_text('{"author": "Corrected Name"}')
    report = engine.ingest([str(folder)])
    assert sorted(o.status for o in report.outcomes) == ["added", "added", "skipped"]
    bridge = engine.ask("What budget did the council approve for the bridge?").hits[0]
    assert bridge.article.author == "Corrected Name"


def test_edit_changes_attribution_not_passages(engine: Engine):
    [seed] = engine.articles(["global"])
    engine.edit(seed.id, {"published": "2025-01-24"}, actor="mod")
    assert engine.ask(SOLDIERS).hits[0].article.published == "2025-01-24"
    assert engine.history("global")[0]["action"] == "edited"


def test_gaps_lists_unanswered_and_unhelpful_questions(engine: Engine):
    for _ in range(2):
        engine.record_question("global", engine.ask("Who won the 2022 football World Cup?"), "u1")
    helpful = engine.record_question("global", engine.ask(SOLDIERS), "u2")
    engine.record_feedback(helpful, "u3", helpful=False)
    gaps = engine.gaps("global")
    assert [g["times"] for g in gaps] == [2, 1]
    assert gaps[0]["question"] == "Who won the 2022 football World Cup?"


def test_index_switches_to_ivf_past_the_threshold_keeping_ids_and_removals(settings, encoder, tmp_path: Path):
    small = settings.with_(ivf_threshold=1000, nprobe=64)
    engine = Engine.open(small, encoder=encoder)
    assert engine._index.kind == "flat"
    paragraphs = [
        f"Harbour report {i}: the ferry number {i} carried {i * 7} passengers on route {i % 13}." for i in range(1000)
    ]
    engine.add([from_fields("Ferry log", "\n".join(paragraphs), outlet="Port Log", url="https://port.example/log")])
    assert engine._index.kind == "ivf"
    assert any("call for a ivf index" in e for e in engine.events)
    assert np.array_equal(engine._index.ids(), engine.store.passage_ids())
    assert engine.ask(SOLDIERS).hits[0].passage.ordinal == 3  # same answers through the new index

    [seed] = [a for a in engine.articles(["global"]) if a.outlet == "Caliber.Az"]
    engine.remove(seed.id)
    assert not engine.ask(SOLDIERS).answered
    assert np.array_equal(engine._index.ids(), engine.store.passage_ids())
    engine.close()

    reopened = Engine.open(small, encoder=encoder)  # the saved IVF index is in step: no rebuild
    assert reopened.events == [] and reopened._index.kind == "ivf"
    [log] = reopened.articles(["global"])
    reopened.remove(log.id)  # below half the threshold: back to exact search
    assert reopened._index.kind == "flat" and reopened._index.size == 0


def test_one_article_one_record_across_tracking_urls_and_corrected_outlets(engine: Engine, tmp_path: Path):
    page = (DATA / "storm.html").read_text()
    tracked = tmp_path / "storm-shared.html"
    tracked.write_text(page.replace("storm-power", "storm-power?utm_source=twitter&amp;fbclid=abc"))
    first = engine.ingest([str(DATA / "storm.html")]).outcomes[0]
    second = engine.ingest([str(tracked)]).outcomes[0]
    assert second.article_id == first.article_id and second.status == "unchanged"

    # A page without an address or site name, then the same file again with --outlet.
    bare = tmp_path / "bare.html"
    bare.write_text(
        page.replace('<link rel="canonical" href="https://harbortimes.example/news/2025/02/03/storm-power">', "")
        .replace('<meta property="og:url" content="https://harbortimes.example/news/2025/02/03/storm-power">', "")
        .replace('<meta property="og:site_name" content="Harbor Times">', "")
        .replace(" | Harbor Times", "")
        .replace("<footer><p>© 2025 Harbor Times. All rights reserved.</p></footer>", "")
        .replace("Storm knocks out", "Storm cuts")
    )
    made = engine.ingest([str(bare)]).outcomes[0]
    fixed = engine.ingest([str(bare)], overrides={"outlet": "Harbor Times Weekly"}).outcomes[0]
    assert fixed.status == "updated" and fixed.article_id == made.article_id
    assert engine.store.article(made.article_id).outlet == "Harbor Times Weekly"
    detail = engine.history("global")[0]["detail"]
    assert "outlet: None → 'Harbor Times Weekly'" in detail


def test_headings_and_blocks_are_stored(engine: Engine):
    [outcome] = engine.ingest([str(DATA / "typed.html")]).outcomes
    _, passages = engine.article(outcome.article_id)
    assert passages[0].heading is None and passages[-1].heading == "Costs"
    blocks = engine.blocks(outcome.article_id)
    assert [b.kind for b in blocks].count("teaser") == 1 and blocks[0].kind == "heading"
    hit = engine.ask("When will the port start dredging the channel?").hits[0]
    assert hit.article.url == "https://harbortimes.example/news/dredging"


def test_edit_is_checked_like_ingest(engine: Engine):
    [seed] = engine.articles(["global"])
    other = engine.add([from_fields("Other", "A paragraph about a harbour.", url="https://o.example/a")])
    with pytest.raises(BadSource, match="not a real date"):
        engine.edit(seed.id, {"published": "2025-13-45"})
    with pytest.raises(BadSource, match=f"article {other.outcomes[0].article_id} in global already has the URL"):
        engine.edit(seed.id, {"url": "https://o.example/a?utm_source=x"})
    edited = engine.edit(seed.id, {"url": "https://user:pw@Caliber.az/en/post/x#top"})
    assert edited.url == "https://caliber.az/en/post/x"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outlets": ["Nope Gazette"]}, "no outlet named 'Nope Gazette' in global; outlets held: Caliber.Az"),
        ({"collections": ["nope"]}, "no collection named 'nope'; collections held: global"),
        ({"since": "2025-03-01", "until": "2025-02-01"}, "since 2025-03-01 is after until 2025-02-01"),
        ({"since": "2020-01-01"}, "no article in global is dated from 2020-01-01"),
    ],
)
def test_filters_that_match_nothing_say_so(engine: Engine, kwargs, message):
    args = {"collections": ["global"], "outlets": None, "since": None, "until": None, **kwargs}
    with pytest.raises(BadFilter, match=message.replace("(", r"\(")):
        engine.check_filters(**args)


def test_filters_that_match_pass(engine: Engine):
    engine.check_filters(["global"], ["caliber.az"], None, None)


def _stored_vectors(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    rows = engine.store.db.execute("SELECT vector, vector_alone FROM passages ORDER BY id").fetchall()
    return tuple(np.vstack([np.frombuffer(r[k], dtype=np.float32) for r in rows]) for k in (0, 1))


def test_each_passage_is_stored_embedded_with_its_headline_and_alone(engine: Engine):
    article, passages = engine.article(engine.articles(["global"])[0].id)
    indexed, alone = _stored_vectors(engine)
    expected_indexed = engine.encoder.encode([passage_text(article.title, p.heading, p.text) for p in passages])
    expected_alone = engine.encoder.encode([p.text for p in passages])
    assert np.allclose(indexed, expected_indexed, atol=1e-5) and np.allclose(alone, expected_alone, atol=1e-5)
    assert not np.allclose(indexed, alone, atol=1e-2)  # the headline changes what is embedded

    engine.edit(article.id, {"title": "Trump and the war in Ukraine"}, actor="mod")
    edited, kept = _stored_vectors(engine)
    assert not np.allclose(edited, indexed, atol=1e-2) and np.array_equal(kept, alone)
    assert engine.ask(SOLDIERS).hits[0].passage.ordinal == 3


def test_a_store_from_before_alone_vectors_is_upgraded_when_opened(settings, encoder, engine: Engine):
    indexed, alone = _stored_vectors(engine)
    engine.close()
    with sqlite3.connect(settings.db_path) as db:  # as a store written by the previous version
        db.execute("ALTER TABLE passages DROP COLUMN vector_alone")
        db.execute("UPDATE meta SET value = ? WHERE key = 'vector_model'", (f"{encoder.key}+headline",))
        db.execute("PRAGMA user_version = 2")
    reopened = Engine.open(settings, encoder=encoder)
    assert f"embedding 10 passages again as {reopened.vector_key} (they were made as {encoder.key}+headline)" in (
        reopened.events
    )
    assert reopened.check().healthy
    upgraded, filled = _stored_vectors(reopened)
    assert np.allclose(upgraded, indexed, atol=1e-5) and np.allclose(filled, alone, atol=1e-5)
    assert reopened.ask(SOLDIERS).hits[0].passage.ordinal == 3
    reopened.close()


def test_check_finds_a_passage_missing_its_alone_vector_and_reencoding_restores_it(engine: Engine):
    with engine.store.transaction():
        engine.store.db.execute("UPDATE passages SET vector_alone = NULL WHERE ordinal = 3")
    [embeddings] = [f for f in engine.check().findings if f.part == "embeddings"]
    assert not embeddings.ok and "1 of 10 passages do not have both vectors" in embeddings.detail
    engine.reindex(reencode=True)
    assert engine.check().healthy
