"""Fit the ranking model on real questions and write it to retrieval/search/ranker.json.

Each development set is ingested into its own data folder through the real ingest path, and
each question goes through the real question path (`Searcher.features`: candidates and
signals, as of the question's date) so the model learns from exactly what it will see. 30% of
every set's questions (by a hash of their id) are held aside and never used to fit anything;
the figures are reported for both parts. The measured sets (`--measure`, by default the real
pages with questions written for them) are never fitted on at all, and are reported whole.

1. order: a linear score over the passage signals, fitted listwise (softmax over each
   answerable question's candidates, L2 chosen by 5-fold cross-validation);
2. relevance: a logistic regression over the order score and the passage signals, fitted on
   out-of-fold order scores of every question (answerable or not), so probabilities are honest;
3. threshold (decline unless a shown passage reaches it), chosen on out-of-fold probabilities
   for precision: the highest at which at most MAX_WRONGLY_DECLINED of each set's answerable
   questions are declined; and floor (passages shown from it), the one that handles most
   questions right (a right passage among the 3 shown, or an unanswerable one declined).

Then every question is asked again through `Engine.ask` with the new model and scored by
`retrieval.evaluate` (hit@1, hit@3, declined, fresh subset), per set and part, with a
reliability table (shown relevance in bins against the share of shown passages that answer).

    python benchmarks/fit_ranker.py                       # fit, write the model and results/ranker.json
    python benchmarks/fit_ranker.py --report retrieval/search/ranker.json   # the shipped model's figures: results/quality.json
    python benchmarks/fit_ranker.py --out /tmp/r.json --sets devset --limit 30   # a quick trial
    python benchmarks/fit_ranker.py --out /tmp/r.json --limit 12 --articles 8      # a smoke run (seconds)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import DEVDATA, WORK_DIR, log, model_cache, write_result  # noqa: E402
from retrieval import Engine, Settings  # noqa: E402
from retrieval.evaluate import Question, evaluate, load_questions, report  # noqa: E402
from retrieval.search.model import (  # noqa: E402
    DEFAULT_PATH,
    RELEVANCE_INPUTS,
    Linear,
    Ranker,
    relevance_inputs,
    sigmoid,
)
from retrieval.search.signals import PASSAGE_SIGNALS, RELEVANCE_ONLY, SIGNS, passage_signals  # noqa: E402

SETS = {
    "realtimeqa-2022": (DEVDATA / "realtimeqa-2022" / "corpus", DEVDATA / "realtimeqa-2022" / "questions.jsonl"),
    "devset": (ROOT / "devset" / "articles", ROOT / "devset" / "questions.jsonl"),
    # Real pages from about 120 sites, through the HTML ingest path, with questions written for
    # this project in chat style (docs/quality.md).
    "pages": (DEVDATA / "article-extraction-benchmark" / "html", ROOT / "benchmarks" / "page_questions.jsonl"),
}
FIT_SETS = ("realtimeqa-2022", "devset")
#: Measured, never fitted on: a whole set the model has not seen, as the team's own sets are.
MEASURED_SETS = ("pages",)
HELD_ASIDE = 0.3
FOLDS = 5
MAX_WRONGLY_DECLINED = 0.05
L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
RELEVANCE_TOP = 5


@dataclass
class Example:
    """One question's candidates as the model sees them."""

    set: str
    question: Question
    held: bool
    passage: np.ndarray  # (candidates, passage signals)
    labels: np.ndarray  # 1 where the candidate answers (expected article, holds the answer)
    fold: int
    narrowed: list[tuple[np.ndarray, np.ndarray]]  # (signals, labels) of the pool confined to a few articles


def held_aside(set_name: str, qid: str) -> bool:
    digest = hashlib.sha256(f"{set_name}:{qid}".encode()).digest()
    return digest[0] / 256 < HELD_ASIDE


def open_set(name: str, corpus: Path, work: Path, articles: int | None = None) -> Engine:
    """A data folder holding the set's corpus (and the seeds), built once and reused; with
    `articles`, only the first that many of the corpus's files, in a folder of its own."""
    if not corpus.is_dir():
        raise SystemExit(f"{name}: no corpus at {corpus} (the development data is read from {DEVDATA})")
    data = work / (f"fit-{name}" if articles is None else f"fit-{name}-{articles}")
    settings = Settings(data_dir=data, model_cache_dir=model_cache())
    engine = Engine.open(settings, progress=sys.stderr.isatty())
    if engine.stats()["articles"] <= 1:
        files = corpus_files(corpus, work)
        if not files:
            raise SystemExit(f"{name}: no articles in {corpus}")
        sources = [str(p) for p in files[:articles]] if articles is not None else [str(files[0].parent)]
        log(f"{name}: ingesting {corpus}" + ("" if articles is None else f" (the first {len(sources)} articles)"))
        engine.ingest(sources, progress=sys.stderr.isatty())
    return engine


def corpus_files(corpus: Path, work: Path) -> list[Path]:
    """The corpus's articles in name order. The extraction benchmark keeps its pages gzipped;
    they are written out once as .html files in the work folder, which ingest reads as pages."""
    if pages := sorted(corpus.glob("*.html.gz")):
        out = work / f"{corpus.parent.name}-html"
        out.mkdir(parents=True, exist_ok=True)
        for page in pages:
            target = out / page.name.removesuffix(".gz")
            if not target.exists():
                with gzip.open(page, "rb") as f:
                    target.write_bytes(f.read())
        return [out / page.name.removesuffix(".gz") for page in pages]
    return sorted(corpus.glob("*.md"))


def examples_of(name: str, engine: Engine, questions: list[Question]) -> list[Example]:
    out = []
    for q in questions:
        found = engine.searcher.features(q.question, ["global"], None, None, None, q.as_of)
        if found is None:
            continue
        query, pool, passage = found
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
        out.append(Example(name, q, held_aside(name, q.id), passage, labels, fold, narrowed(query, pool, labels, q.id)))
    return out


def narrowed(query, pool, labels: np.ndarray, qid: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """The same question against a few of its candidates' articles only, as an outlet or date
    filter or a server holding little coverage would pose it: once with articles that do not
    answer (the best of a bad lot must not look like an answer), once with the answering
    article among others. Used to fit relevance only; never reported."""
    rng = np.random.default_rng(int(hashlib.sha256(qid.encode()).hexdigest()[:8], 16))
    articles = np.unique(pool.article_ids)
    right = {a for a in articles if labels[pool.article_ids == a].any()}
    wrong = [a for a in articles if a not in right]
    out = []
    choices = [rng.choice(wrong, size=min(len(wrong), int(rng.integers(1, 4))), replace=False)] if wrong else []
    if right and wrong:
        choices.append(np.r_[list(right), rng.choice(wrong, size=1)])
    for chosen in choices:
        keep = np.flatnonzero(np.isin(pool.article_ids, chosen))
        sub = pool.subset(keep)
        out.append((passage_signals(query, sub), labels[keep]))
    return out


def asked_elsewhere(e: Example, engines: dict[str, Engine]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The question against the other sets' coverage, where nothing answers it: a server is
    asked about things it holds nothing on, and the best passage of unrelated coverage must
    not look like an answer. Used to fit relevance only; never reported."""
    out = []
    for name, engine in engines.items():
        if name != e.set:
            found = engine.searcher.features(e.question.question, ["global"], None, None, None, e.question.as_of)
            if found is not None:
                out.append((found[2], np.zeros(len(found[1]))))
    return out


# -- fitting ------------------------------------------------------------------------------------
def standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def bounds(names: tuple[str, ...]) -> list[tuple[float | None, float | None]]:
    """Each weight held to its signal's expected sign (signals.SIGNS); the order model's gap
    input and signals of no set direction are free."""
    out = []
    for name in names:
        sign = SIGNS.get(name, +1 if name == "score_gap" else 0)
        out.append((0.0, None) if sign > 0 else (None, 0.0) if sign < 0 else (None, None))
    return out


def fit_order(examples: list[Example], l2: float) -> Linear:
    """Listwise: maximise the log of the softmax mass on each answerable question's right
    passages. Weights on signals.RELEVANCE_ONLY are held at 0."""
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

    held = [
        (0.0, 0.0) if n in RELEVANCE_ONLY else b for n, b in zip(PASSAGE_SIGNALS, bounds(PASSAGE_SIGNALS), strict=True)
    ]
    result = minimize(loss, np.zeros(len(mean)), jac=True, method="L-BFGS-B", bounds=held)
    return Linear(PASSAGE_SIGNALS, mean, scale, result.x)


def fit_logistic(
    inputs: np.ndarray, labels: np.ndarray, names: tuple[str, ...] = RELEVANCE_INPUTS, l2: float = 10.0
) -> Linear:
    """Logistic regression, L2 on the weights, each weight held to its signal's sign."""
    mean, scale = standardiser(inputs)
    z = (inputs - mean) / scale

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = beta[:-1], beta[-1]
        logit = np.clip(z @ w + b, -40, 40)
        p = 1 / (1 + np.exp(-logit))
        total = np.sum(np.logaddexp(0, logit) - labels * logit) + 0.5 * l2 * w @ w
        return total, np.r_[z.T @ (p - labels) + l2 * w, np.sum(p - labels)]

    result = minimize(
        loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=[*bounds(names), (None, None)]
    )
    return Linear(names, mean, scale, result.x[:-1], float(result.x[-1]))


def out_of_fold(examples: list[Example], l2: float) -> tuple[dict[int, np.ndarray], dict[int, list[np.ndarray]]]:
    """Order scores of each example (and of its narrowed pools) from a model fitted without its fold."""
    scores: dict[int, np.ndarray] = {}
    narrow: dict[int, list[np.ndarray]] = {}
    for fold in range(FOLDS):
        order = fit_order([e for e in examples if e.fold != fold], l2)
        for i, e in enumerate(examples):
            if e.fold == fold:
                scores[i] = order(e.passage)
                narrow[i] = [order(x) for x, _ in e.narrowed]
    return scores, narrow


def hits_at(scores: dict[int, np.ndarray], examples: list[Example], n: int) -> float:
    """Out-of-fold hit@n of the order model alone (no decline), answerable questions only."""
    answerable = [i for i, e in enumerate(examples) if e.labels.sum() > 0 or not e.question.unanswerable]
    right = [e.labels[np.argsort(-scores[i])[:n]].max() > 0 for i in answerable for e in [examples[i]]]
    return float(np.mean(right)) if right else 0.0


def shown_and_answered(scores: np.ndarray, probs: np.ndarray, threshold: float, floor: float, k: int = 3):
    """What `choose` shows (in the order model's order, from `floor`), and whether it answers."""
    order = np.argsort(-scores, kind="stable")[:20]
    shown = [i for i in order if probs[i] >= floor][:k]
    return shown, any(probs[i] >= threshold for i in shown)


def choose_threshold(scores: dict[int, np.ndarray], probs: dict[int, np.ndarray], examples: list[Example]):
    """Threshold and floor from out-of-fold figures (see the module's docstring)."""
    answerable = [i for i, e in enumerate(examples) if not e.question.unanswerable]
    unanswerable = [i for i, e in enumerate(examples) if e.question.unanswerable]
    sets = sorted({examples[i].set for i in answerable})
    candidates = np.unique(np.round(np.concatenate([p[np.argsort(-scores[i])[:3]] for i, p in probs.items()]), 3))
    best = None
    for threshold in candidates:
        for floor_share in (0.25, 0.5, 0.75, 1.0):
            floor = float(threshold) * floor_share
            outcome = {i: shown_and_answered(scores[i], probs[i], threshold, floor) for i in probs}
            # Each set of questions on its own: one style of asking must not bear all the declines.
            wrongly = max(
                (np.mean([not outcome[i][1] for i in answerable if examples[i].set == name]) for name in sets),
                default=0.0,
            )
            if wrongly > MAX_WRONGLY_DECLINED:
                continue
            right = sum(outcome[i][1] and examples[i].labels[outcome[i][0]].max() > 0 for i in answerable)
            right += sum(not outcome[i][1] for i in unanswerable)
            # For precision: the surest answers the decline budget allows (the highest threshold),
            # then the most questions handled right, then the fewest weak passages shown.
            key = (float(threshold), right, floor)
            if best is None or key > best[0]:
                declined = np.mean([not outcome[i][1] for i in unanswerable]) if unanswerable else None
                best = (key, wrongly, declined)
    if best is None:
        return 0.0, 0.0, {}
    (threshold, right, floor), wrongly, declined = best
    return (
        threshold,
        floor,
        {
            "handled_right": round(int(right) / len(examples), 4),
            "wrongly_declined": round(float(wrongly), 4),
            "declined_unanswerable": None if declined is None else round(float(declined), 4),
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
    parser.add_argument(
        "--sets", default=",".join(FIT_SETS), help="sets to fit on, comma-separated: " + ", ".join(SETS)
    )
    parser.add_argument(
        "--measure",
        default=",".join(MEASURED_SETS),
        help="sets only measured, never fitted on (comma-separated; '' for none)",
    )
    parser.add_argument("--work", type=Path, default=WORK_DIR, help="where the data folders are built")
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="where to write the fitted model")
    parser.add_argument("--limit", type=int, help="only the first N questions of each set (a quick trial)")
    parser.add_argument(
        "--articles",
        type=int,
        help="only the first N articles of each set's corpus (a quick trial; figures mean nothing)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="MODEL",
        help="fit nothing: measure this fitted model (e.g. the shipped retrieval/search/ranker.json) on the sets",
    )
    parser.add_argument(
        "--result", help="name of the benchmarks/results file (default: ranker, or quality with --report)"
    )
    args = parser.parse_args()
    fit_sets = [n for n in args.sets.split(",") if n]
    measured = [n for n in args.measure.split(",") if n and n not in fit_sets]
    if unknown := [n for n in fit_sets + measured if n not in SETS]:
        parser.error(f"no set named {', '.join(unknown)}; the sets are {', '.join(SETS)}")
    if (args.limit or args.articles) and not args.report and args.out.resolve() == DEFAULT_PATH.resolve():
        parser.error("--limit and --articles fit a trial model: give --out a path outside the package")
    started = time.time()
    if args.report:
        report_only(args, fit_sets, measured, started)
        return

    engines, questions = open_sets(fit_sets, measured, args)
    examples = []
    for name in fit_sets:
        examples += examples_of(name, engines[name], questions[name])
    for e in examples:
        e.narrowed += asked_elsewhere(e, {n: engines[n] for n in fit_sets})
    fit = [e for e in examples if not e.held]
    log(f"{len(fit)} questions to fit on, {len(examples) - len(fit)} held aside")

    cv = {}
    for l2 in L2_GRID:
        scores, narrow = out_of_fold(fit, l2)
        cv[l2] = (hits_at(scores, fit, 1) + hits_at(scores, fit, 3), scores, narrow)
        log(f"l2 {l2}: out-of-fold hit@1 {hits_at(scores, fit, 1):.3f}, hit@3 {hits_at(scores, fit, 3):.3f}")
    l2 = max(cv, key=lambda v: (cv[v][0], v))
    _, oof, oof_narrow = cv[l2]

    def relevance_data(indices) -> tuple[np.ndarray, np.ndarray]:
        """Inputs and labels: the first RELEVANCE_TOP candidates of each question's pool (where
        answers are decided and shown), and of its narrowed pools."""
        xs, ys = [], []
        for i in indices:
            pools = [(oof[i], fit[i].passage, fit[i].labels)]
            pools += [(sc, x, y) for sc, (x, y) in zip(oof_narrow[i], fit[i].narrowed, strict=True)]
            for scores, signals, labels in pools:
                top = np.argsort(-scores, kind="stable")[:RELEVANCE_TOP]
                xs.append(relevance_inputs(scores, signals)[top])
                ys.append(labels[top])
        return np.vstack(xs), np.concatenate(ys)

    # The relevance model reads out-of-fold order scores, as it will read scores of new
    # questions. Out-of-fold relevance (from models that did not see the question) is what the
    # calibration is fitted on, on real pools only, and the threshold chosen on.
    logits = {}
    for fold in range(FOLDS):
        part = fit_logistic(*relevance_data([i for i, e in enumerate(fit) if e.fold != fold]))
        for i, e in enumerate(fit):
            if e.fold == fold:
                logits[i] = part(relevance_inputs(oof[i], e.passage))
    relevance = fit_logistic(*relevance_data(range(len(fit))))
    shown = [np.argsort(-oof[i], kind="stable")[:RELEVANCE_TOP] for i in range(len(fit))]
    platt = fit_logistic(
        np.concatenate([logits[i][top] for i, top in enumerate(shown)])[:, None],
        np.concatenate([fit[i].labels[top] for i, top in enumerate(shown)]),
        names=("relevance",),
        l2=0.0,
    )
    calibration = (
        float(platt.weights[0] / platt.scale[0]),
        float(platt.bias - platt.weights[0] * platt.mean[0] / platt.scale[0]),
    )
    if calibration[0] <= 0:
        raise SystemExit("the calibration does not rise with the relevance model; refusing to write it")
    probs = {i: sigmoid(calibration[0] * z + calibration[1]) for i, z in logits.items()}
    threshold, floor, chosen = choose_threshold(oof, probs, fit)
    log(f"threshold {threshold:.3f}, floor {floor:.3f}: {chosen}")

    order = fit_order(fit, l2)
    provenance = {
        "fitted": dt.date.today().isoformat(),
        "commit": _commit(),
        "sets": {n: len(questions[n]) for n in fit_sets},
        "fit_questions": len(fit),
        "held_aside_share": HELD_ASIDE,
        "l2": l2,
        "max_wrongly_declined": MAX_WRONGLY_DECLINED,
        "out_of_fold": chosen,
        "command": "python benchmarks/fit_ranker.py " + " ".join(sys.argv[1:]),
    }
    ranker = Ranker(order, relevance, calibration, threshold, floor, provenance)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ranker.save(args.out)
    log(f"wrote {args.out}")

    figures, tables = measure(engines, questions, ranker, measured)
    write_result(
        args.result or "ranker",
        {
            "model": str(args.out),
            "provenance": provenance,
            "threshold": threshold,
            "floor": floor,
            "weights": dict(zip(PASSAGE_SIGNALS, np.round(order.weights, 4).tolist(), strict=True)),
            "relevance": dict(zip(RELEVANCE_INPUTS, np.round(relevance.weights, 4).tolist(), strict=True)),
            "calibration": {"slope": calibration[0], "intercept": calibration[1]},
            "figures": figures,
            "measured_only": measured,
            "reliability_held_aside": tables,
            "seconds": round(time.time() - started, 1),
        },
    )


def report_only(args: argparse.Namespace, fit_sets: list[str], measured: list[str], started: float) -> None:
    """`--report MODEL`: the figures and reliability tables of a model already fitted, on the
    same folders and parts as a fit would report them."""
    ranker = Ranker.load(args.report)
    engines, questions = open_sets(fit_sets, measured, args)
    figures, tables = measure(engines, questions, ranker, measured)
    write_result(
        args.result or "quality",
        {
            "model": str(args.report),
            "provenance": ranker.provenance,
            "measured_at": _commit(),
            "threshold": ranker.threshold,
            "floor": ranker.floor,
            "figures": figures,
            "measured_only": measured,
            "reliability_held_aside": tables,
            "seconds": round(time.time() - started, 1),
        },
    )


def open_sets(
    fit_sets: list[str], measured: list[str], args: argparse.Namespace
) -> tuple[dict[str, Engine], dict[str, list[Question]]]:
    """Each set's data folder (built the first time) and its questions (`--limit` of them)."""
    engines, questions = {}, {}
    for name in fit_sets + measured:
        corpus, path = SETS[name]
        engines[name] = open_set(name, corpus, args.work, args.articles)
        questions[name] = load_questions(path)[: args.limit]
        log(f"{name}: {len(questions[name])} questions" + (" (measured only)" if name in measured else ""))
    return engines, questions


def measure(
    engines: dict[str, Engine], questions: dict[str, list[Question]], ranker: Ranker, measured: list[str]
) -> tuple[dict, dict]:
    """Every set asked again through `Engine.ask` with `ranker`: figures per set and part (a
    measured set whole), and the reliability table of each set's held-aside part; logged."""
    figures, tables = {}, {}
    for name, engine in engines.items():
        engine.searcher = type(engine.searcher)(engine, ranker)
        if name in measured:  # never fitted on: all of it is held aside
            tables[name] = reliability(engine, questions[name])
        for part, held in () if name in measured else (("fit", False), ("held-aside", True)):
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
        for subset in ("all", "fresh"):
            if f := value[subset]:
                log(
                    f"{key:28} {subset:5} hit@1 {f['hit@1']} hit@3 {f['hit@3']} declined {f['declined_unanswerable']} "
                    f"wrongly {f['wrongly_declined']} (n={f['questions']})"
                )
    return figures, tables


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
