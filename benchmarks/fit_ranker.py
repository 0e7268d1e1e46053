"""Fit the ranking model on real questions and write it to retrieval/search/ranker.json.

Each development set is ingested into its own data folder through the real ingest path, and
each question goes through the real question path (`Searcher.features`: candidates and
signals, as of the question's date) so the model learns from exactly what it will see. 30% of
every set's questions (by a hash of their id) are held aside and never used to fit anything;
the figures are reported for both parts.

1. order: a linear score over the passage signals, fitted listwise (softmax over each
   answerable question's candidates, L2 chosen by 5-fold cross-validation);
2. relevance: a logistic calibration of that score with the question signals, fitted on
   out-of-fold scores of every question (answerable or not), so probabilities are honest;
3. threshold (decline below it) and floor (further passages shown from it), chosen on the
   out-of-fold probabilities: most questions handled right (a right passage in the top 3, or
   an unanswerable question declined) while at most MAX_WRONGLY_DECLINED of the answerable
   ones are declined.

Then every question is asked again through `Engine.ask` with the new model and scored by
`retrieval.evaluate` (hit@1, hit@3, declined, fresh subset), per set and part, with a
reliability table (shown relevance in bins against the share of shown passages that answer).

    python benchmarks/fit_ranker.py                       # fit, write the model and results/ranker.json
    python benchmarks/fit_ranker.py --out /tmp/r.json --sets devset --limit 30   # a quick trial
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import WORK_DIR, log, write_result  # noqa: E402
from retrieval import Engine, Settings  # noqa: E402
from retrieval.evaluate import Question, evaluate, load_questions, report  # noqa: E402
from retrieval.search.model import CALIBRATION_INPUTS, DEFAULT_PATH, Linear, Ranker  # noqa: E402
from retrieval.search.signals import PASSAGE_SIGNALS  # noqa: E402

DEVDATA = ROOT.parent / "shared" / "devdata"
SETS = {
    "realtimeqa-2022": (DEVDATA / "realtimeqa-2022" / "corpus", DEVDATA / "realtimeqa-2022" / "questions.jsonl"),
    "devset": (ROOT / "devset" / "articles", ROOT / "devset" / "questions.jsonl"),
}
HELD_ASIDE = 0.3
FOLDS = 5
MAX_WRONGLY_DECLINED = 0.04
L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)


@dataclass
class Example:
    """One question's candidates as the model sees them."""

    set: str
    question: Question
    held: bool
    passage: np.ndarray  # (candidates, passage signals)
    whole: np.ndarray  # question signals
    labels: np.ndarray  # 1 where the candidate answers (expected article, holds the answer)
    fold: int


def held_aside(set_name: str, qid: str) -> bool:
    digest = hashlib.sha256(f"{set_name}:{qid}".encode()).digest()
    return digest[0] / 256 < HELD_ASIDE


def open_set(name: str, corpus: Path, work: Path) -> Engine:
    """A data folder holding the set's corpus (and the seeds), built once and reused."""
    data = work / f"fit-{name}"
    engine = Engine.open(Settings(data_dir=data, model_cache_dir=work / "models"), progress=sys.stderr.isatty())
    if engine.stats()["articles"] <= 1:
        log(f"{name}: ingesting {corpus}")
        engine.ingest([str(corpus)], progress=sys.stderr.isatty())
    return engine


def examples_of(name: str, engine: Engine, questions: list[Question]) -> list[Example]:
    out = []
    for q in questions:
        found = engine.searcher.features(q.question, ["global"], None, None, None, q.as_of)
        if found is None:
            continue
        _, pool, passage, whole = found
        if q.unanswerable:
            labels = np.zeros(len(pool))
        else:
            articles = engine.store.articles_by_ids(pool.article_ids.tolist())
            wanted = {str(e) for e in q.expected}
            labels = np.array(
                [
                    float((str(a) in wanted or (articles[a].url or "") in wanted) and q.answer in text)
                    for a, text in zip(pool.article_ids.tolist(), pool.texts, strict=True)
                ]
            )
        fold = int(hashlib.sha256(f"fold:{name}:{q.id}".encode()).hexdigest(), 16) % FOLDS
        out.append(Example(name, q, held_aside(name, q.id), passage, whole, labels, fold))
    return out


# -- fitting ------------------------------------------------------------------------------------
def standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def fit_order(examples: list[Example], l2: float) -> Linear:
    """Listwise: maximise the log of the softmax mass on each answerable question's right passages."""
    groups = [(e.passage, e.labels) for e in examples if e.labels.sum() > 0]
    mean, scale = standardiser(np.vstack([e.passage for e in examples]))
    groups = [((x - mean) / scale, y > 0) for x, y in groups]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.5 * l2 * w @ w, l2 * w
        for z, right in groups:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            mass = p[right].sum() + 1e-12
            total -= np.log(mass)
            grad += p @ z - (p[right] @ z[right]) / mass
        return total, grad

    result = minimize(loss, np.zeros(len(mean)), jac=True, method="L-BFGS-B")
    return Linear(PASSAGE_SIGNALS, mean, scale, result.x)


def calibration_inputs(order: Linear, e: Example) -> np.ndarray:
    s = order(e.passage)
    return np.column_stack([s, s - s.max(), np.tile(e.whole, (len(s), 1))])


def fit_relevance(inputs: np.ndarray, labels: np.ndarray, l2: float = 1.0) -> Linear:
    """Logistic regression (Newton's method, L2 on the weights)."""
    mean, scale = standardiser(inputs)
    z = np.column_stack([(inputs - mean) / scale, np.ones(len(inputs))])
    beta = np.zeros(z.shape[1])
    penalty = np.r_[np.full(z.shape[1] - 1, l2), 0.0]
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(z @ beta, -40, 40)))
        grad = z.T @ (p - labels) + penalty * beta
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return Linear(CALIBRATION_INPUTS, mean, scale, beta[:-1], float(beta[-1]))


def out_of_fold(examples: list[Example], l2: float) -> dict[int, np.ndarray]:
    """Order scores of each example from a model fitted without its fold."""
    scores: dict[int, np.ndarray] = {}
    for fold in range(FOLDS):
        order = fit_order([e for e in examples if e.fold != fold], l2)
        for i, e in enumerate(examples):
            if e.fold == fold:
                scores[i] = order(e.passage)
    return scores


def hits_at(scores: dict[int, np.ndarray], examples: list[Example], n: int) -> float:
    answerable = [i for i, e in enumerate(examples) if e.labels.sum() > 0 or not e.question.unanswerable]
    right = [e.labels[np.argsort(-scores[i])[:n]].max() > 0 for i in answerable for e in [examples[i]]]
    return float(np.mean(right)) if right else 0.0


def choose_threshold(probs: list[np.ndarray], examples: list[Example]) -> tuple[float, float, dict]:
    """Threshold and floor from out-of-fold probabilities (see the module's docstring)."""
    top = np.array([p.max() if len(p) else 0.0 for p in probs])
    answerable = np.array([not e.question.unanswerable for e in examples])
    best = None
    for threshold in np.unique(np.round(top, 3)):
        declined = top < threshold
        wrongly = declined[answerable].mean()
        if wrongly > MAX_WRONGLY_DECLINED:
            continue
        for floor_share in (0.0, 0.25, 0.5, 0.75, 1.0):
            floor = threshold * floor_share
            right = 0
            for p, e, d in zip(probs, examples, declined, strict=True):
                if e.question.unanswerable:
                    right += d
                elif not d:
                    shown = [i for i in np.argsort(-p)[:3] if p[i] >= floor or i == np.argmax(p)]
                    right += e.labels[shown].max() > 0
            # Most handled right; then the surer answers (higher threshold), then the fewer
            # weak passages shown (higher floor).
            key = (right, threshold, floor)
            if best is None or key > best[0]:
                best = (key, float(threshold), float(floor), float(wrongly))
    if best is None:
        return 0.0, 0.0, {}
    (right, _, _), threshold, floor, wrongly = best
    unanswerable = ~answerable
    declined = top < threshold
    return (
        threshold,
        floor,
        {
            "handled_right": round(float(right) / len(examples), 4),
            "wrongly_declined": round(wrongly, 4),
            "declined_unanswerable": round(float(declined[unanswerable].mean()), 4) if unanswerable.any() else None,
        },
    )


# -- reporting ----------------------------------------------------------------------------------
def reliability(engine: Engine, questions: list[Question], k: int = 3, bins: int = 5) -> list[dict]:
    """Shown relevance in bins against the share of shown passages that answer."""
    from retrieval.evaluate import rank_of_hit

    rows = [[0, 0, 0.0] for _ in range(bins)]
    for q in questions:
        answer = engine.ask(q.question, k=k, as_of=q.as_of)
        for rank, hit in enumerate(answer.hits, 1):
            right = not q.unanswerable and _answers(q, answer, rank, rank_of_hit)
            b = min(int(hit.score * bins), bins - 1)
            rows[b][0] += 1
            rows[b][1] += right
            rows[b][2] += hit.score
    return [
        {
            "relevance": f"{i / bins:.1f}–{(i + 1) / bins:.1f}",
            "shown": n,
            "mean_relevance": round(total / n, 3) if n else None,
            "answered": round(right / n, 3) if n else None,
        }
        for i, (n, right, total) in enumerate(rows)
    ]


def _answers(q: Question, answer, rank: int, rank_of_hit) -> bool:
    """Whether the passage at `rank` answers (rank_of_hit looks at the first hit only)."""
    from retrieval.models import Answer

    one = Answer(answer.question, True, [answer.hits[rank - 1]])
    return rank_of_hit(q, one) == 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--work", type=Path, default=WORK_DIR, help="where the data folders are built")
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="where to write the fitted model")
    parser.add_argument("--limit", type=int, help="only the first N questions of each set (a quick trial)")
    parser.add_argument("--result", default="ranker", help="name of the benchmarks/results file")
    args = parser.parse_args()
    started = time.time()

    engines, examples, questions = {}, [], {}
    for name in args.sets.split(","):
        corpus, path = SETS[name]
        engines[name] = open_set(name, corpus, args.work)
        questions[name] = load_questions(path)[: args.limit]
        log(f"{name}: {len(questions[name])} questions")
        examples += examples_of(name, engines[name], questions[name])
    fit = [e for e in examples if not e.held]
    log(f"{len(fit)} questions to fit on, {len(examples) - len(fit)} held aside")

    cv = {}
    for l2 in L2_GRID:
        scores = out_of_fold(fit, l2)
        cv[l2] = (hits_at(scores, fit, 1) + hits_at(scores, fit, 3), scores)
        log(f"l2 {l2}: out-of-fold hit@1 {hits_at(scores, fit, 1):.3f}, hit@3 {hits_at(scores, fit, 3):.3f}")
    l2 = max(cv, key=lambda v: (cv[v][0], v))
    oof = cv[l2][1]

    inputs = np.vstack(
        [
            np.column_stack([oof[i], oof[i] - oof[i].max(), np.tile(e.whole, (len(oof[i]), 1))])
            for i, e in enumerate(fit)
        ]
    )
    labels = np.concatenate([e.labels for e in fit])
    relevance = fit_relevance(inputs, labels)
    slope = relevance.weights[0] / relevance.scale[0] + relevance.weights[1] / relevance.scale[1]
    if slope <= 0:
        raise SystemExit("the calibration does not rise with the order score; refusing to write it")
    probs = []
    for i, e in enumerate(fit):
        x = np.column_stack([oof[i], oof[i] - oof[i].max(), np.tile(e.whole, (len(oof[i]), 1))])
        probs.append(1 / (1 + np.exp(-relevance(x))))
    threshold, floor, chosen = choose_threshold(probs, fit)
    log(f"threshold {threshold:.3f}, floor {floor:.3f}: {chosen}")

    order = fit_order(fit, l2)
    provenance = {
        "fitted": dt.date.today().isoformat(),
        "commit": _commit(),
        "sets": {n: len(q) for n, q in questions.items()},
        "fit_questions": len(fit),
        "held_aside_share": HELD_ASIDE,
        "l2": l2,
        "max_wrongly_declined": MAX_WRONGLY_DECLINED,
        "out_of_fold": chosen,
        "command": "python benchmarks/fit_ranker.py " + " ".join(sys.argv[1:]),
    }
    ranker = Ranker(order, relevance, threshold, floor, provenance)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ranker.save(args.out)
    log(f"wrote {args.out}")

    figures, tables = {}, {}
    for name, engine in engines.items():
        engine.searcher = type(engine.searcher)(engine, ranker)
        for part, held in (("fit", False), ("held-aside", True)):
            qs = [q for q in questions[name] if held_aside(name, q.id) == held]
            if not qs:
                continue
            result = report(evaluate(engine, qs, ["global"], k=3))
            result.pop("misses")
            figures[f"{name} {part}"] = {"all": result["overall"], "fresh": result["fresh"]}
            if held:
                tables[name] = reliability(engine, qs)
        everything = report(evaluate(engine, questions[name], ["global"], k=3))
        figures[f"{name} all"] = {"all": everything["overall"], "fresh": everything["fresh"]}
    for key, value in figures.items():
        f = value["fresh"] or value["all"]
        log(
            f"{key:28} hit@1 {f['hit@1']} hit@3 {f['hit@3']} declined {f['declined_unanswerable']} "
            f"wrongly {f['wrongly_declined']} (n={f['questions']})"
        )
    write_result(
        args.result,
        {
            "model": str(args.out),
            "provenance": provenance,
            "threshold": threshold,
            "floor": floor,
            "weights": dict(zip(PASSAGE_SIGNALS, np.round(order.weights, 4).tolist(), strict=True)),
            "calibration": dict(zip(CALIBRATION_INPUTS, np.round(relevance.weights, 4).tolist(), strict=True)),
            "figures": figures,
            "reliability_held_aside": tables,
            "seconds": round(time.time() - started, 1),
        },
    )


def _commit() -> str | None:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
            ).stdout.strip()
            or None
        )
    except OSError:
        return None


if __name__ == "__main__":
    main()
