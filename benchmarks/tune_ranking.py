"""Choose ranking defaults by measurement: fusion, decline thresholds, outlet diversity.

Builds a store from the seeds and the development corpus, computes every question's candidates
once, then scores each setting on the `dev` split; the best settings are reported on `holdout`
too, so a choice that only fits the tuning questions shows.

    python benchmarks/tune_ranking.py [--questions devset/questions.jsonl] [--top 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import tempfile
from pathlib import Path

from retrieval import Engine, Settings
from retrieval.evaluate import Outcome, load_questions, rank_of_hit, score
from retrieval.models import Answer, Hit
from retrieval.search.choose import DeclineRule, choose, fuse

ROOT = Path(__file__).resolve().parent.parent


def build_engine(data_dir: Path, encoder: str) -> Engine:
    engine = Engine.open(Settings(data_dir=data_dir, encoder=encoder))
    if engine.stats()["articles"] < 2:
        engine.ingest([str(ROOT / "devset" / "articles")])
    return engine


def outcomes_for(engine, cached, unknown, questions, fusion, rule, margin, k=3):
    outcomes = []
    for q in questions:
        found = cached[q.id]
        if found is None:
            outcomes.append(Outcome(q, False, None))
            continue
        candidates = [dataclasses.replace(c, copies=[]) for c in found]
        fuse(candidates, *fusion)
        candidates.sort(key=lambda c: -c.score)
        chosen = choose(candidates, rule, k, margin, unknown_terms=unknown[q.id])
        passages = engine.store.passages_by_ids([x.passage_id for c in chosen for x in [c, *c.copies]])
        articles = engine.store.articles_by_ids(p.article_id for p in passages.values())
        hits = [
            Hit(
                passages[c.passage_id],
                articles[passages[c.passage_id].article_id],
                c.score,
                c.similarity,
                also_in=[articles[passages[x.passage_id].article_id] for x in c.copies],
            )
            for c in chosen
        ]
        answer = Answer(q.question, bool(hits), hits)
        outcomes.append(Outcome(q, answer.answered, None if q.unanswerable else rank_of_hit(q, answer)))
    return outcomes


def objective(figures: dict) -> float:
    """Share of questions handled right: answerable ones with a hit in the top 3, unanswerable
    ones declined. Each question counts once, whichever kind it is; hit@1 breaks ties."""
    right = figures["hit@3"] * figures["answerable"] + figures["declined_unanswerable"] * figures["unanswerable"]
    return right / figures["questions"] + 0.01 * figures["hit@1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "devset" / "questions.jsonl")
    parser.add_argument("--data-dir", type=Path, help="reuse a data folder holding seeds + dev corpus")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--encoder", default="onnx-int8", choices=["onnx-int8", "torch"])
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tune-"))
    engine = build_engine(data_dir, args.encoder)
    questions = load_questions(args.questions)
    cached, unknown = {}, {}
    for q in questions:
        found = engine.searcher.candidates(q.question, ["global"], None, None, None)
        cached[q.id] = found.candidates if found else None
        unknown[q.id] = bool(found) and engine.searcher._has_unknown_terms(found.terms)
    dev = [q for q in questions if q.split == "dev"]
    holdout = [q for q in questions if q.split != "dev"]

    fusions = [("rrf", 60, 0.0), ("rrf", 10, 0.0)] + [("convex", 60, w) for w in (0.4, 0.6, 0.8)]
    rules = [
        DeclineRule(a, b, c, u)
        for a, b, c, u in itertools.product(
            (0.4, 0.45, 0.5, 0.6), (0.15, 0.2, 0.3), (0.3, 0.4, 0.5), (0.0, 0.35, 0.45, 0.55)
        )
    ]
    margins = (0.0, 0.05, 0.1)
    results = []
    for fusion, rule, margin in itertools.product(fusions, rules, margins):
        figures = score(outcomes_for(engine, cached, unknown, dev, fusion, rule, margin))
        results.append((objective(figures), fusion, rule, margin, figures))
    results.sort(key=lambda r: -r[0])

    print("Best per unknown_term_coverage (0 = check off), dev split:\n")
    for u in sorted({r[2].unknown_term_coverage for r in results}):
        _, fusion, rule, margin, f = next(r for r in results if r[2].unknown_term_coverage == u)
        h = score(outcomes_for(engine, cached, unknown, holdout, fusion, rule, margin))
        print(
            f"- {u}: {fusion[0]} {rule} margin {margin}: dev hit@3 {f['hit@3']:.3f}, declined {f['declined_unanswerable']:.3f}, "
            f"wrongly declined {f['wrongly_declined']:.3f}; holdout hit@3 {h['hit@3']:.3f}, declined {h['declined_unanswerable']:.3f}"
        )
    print()
    print(f"{len(results)} settings scored on {len(dev)} dev questions; best {args.top}, with holdout figures\n")
    print(
        "| fusion | min_sim | min_sim_lex | min_cov | unknown_cov | margin | dev hit@1 | dev hit@3 | dev MRR | dev declined | dev wrongly declined | holdout hit@1 | holdout hit@3 | holdout declined | holdout wrongly declined |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for _, fusion, rule, margin, f in results[: args.top]:
        h = score(outcomes_for(engine, cached, unknown, holdout, fusion, rule, margin))
        name = f"{fusion[0]} k={fusion[1]}" if fusion[0] == "rrf" else f"convex w={fusion[2]}"
        print(
            f"| {name} | {rule.min_similarity} | {rule.min_similarity_lexical} | {rule.min_term_coverage} | {rule.unknown_term_coverage} | {margin} "
            f"| {f['hit@1']:.3f} | {f['hit@3']:.3f} | {f['mrr']:.3f} | {f['declined_unanswerable']:.3f} | {f['wrongly_declined']:.3f} "
            f"| {h['hit@1']:.3f} | {h['hit@3']:.3f} | {h['declined_unanswerable']:.3f} | {h['wrongly_declined']:.3f} |"
        )


if __name__ == "__main__":
    main()
