#!/usr/bin/env python3
"""Consistency checker for the coverage-bot development set (stdlib only).

Checks:
  * every article in articles/*.md has YAML front matter with title, outlet,
    author, published (YYYY-MM-DD) and url, and 6-12 blank-line-separated
    paragraphs;
  * urls are unique across the corpus (including the seed article);
  * at least one syndicated pair exists (identical paragraphs, different url
    and outlet);
  * questions.jsonl: ids unique, required fields present, kind/split valid;
    for every answerable question, the answer string occurs (case-sensitive)
    in at least one paragraph of EACH expected article, and no article outside
    "expected" has a paragraph containing it;
  * prints counts per kind and split.

Usage: python3 check_devset.py [--devset DIR] [--seeds DIR]
Exit status 0 when everything passes, 1 otherwise.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_URLS = {
    "000_1696f38fa888702a.txt":
        "https://caliber.az/en/post/russia-ukraine-and-diplomacy-trump-pushes-for-resolution",
}
SEED_OUTLET = {"000_1696f38fa888702a.txt": "Caliber.Az"}
REQUIRED_FM = ("title", "outlet", "author", "published", "url")
KINDS = {"paraphrase", "lexical", "number", "date", "who-said", "outlet",
         "syndicated", "unanswerable"}
SPLITS = {"dev", "holdout"}

errors = []


def err(msg):
    errors.append(msg)


def parse_article(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        err(f"{path}: does not start with '---'")
        return None
    try:
        end = lines.index("---", 1)
    except ValueError:
        err(f"{path}: front matter not closed")
        return None
    fm = {}
    for ln in lines[1:end]:
        m = re.match(r'^([a-z_]+):\s*(.*)$', ln)
        if not m:
            err(f"{path}: bad front matter line {ln!r}")
            continue
        key, val = m.group(1), m.group(2).strip()
        if len(val) >= 2 and val[0] == '"' and val[-1] == '"':
            val = val[1:-1]
        fm[key] = val
    for k in REQUIRED_FM:
        if not fm.get(k):
            err(f"{path}: missing front matter field {k!r}")
    if fm.get("published") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", fm["published"]):
        err(f"{path}: published not YYYY-MM-DD: {fm['published']!r}")
    body = "\n".join(lines[end + 1:])
    paras = [re.sub(r"\s*\n\s*", " ", p.strip())
             for p in re.split(r"\n\s*\n", body) if p.strip()]
    if not 6 <= len(paras) <= 12:
        err(f"{path}: {len(paras)} paragraphs (want 6-12)")
    return {"path": path, "url": fm.get("url"), "outlet": fm.get("outlet"),
            "title": fm.get("title"), "published": fm.get("published"),
            "paras": paras}


def parse_seed(path):
    with open(path, encoding="utf-8") as f:
        lines = [ln.rstrip("\n") for ln in f]
    while lines and not lines[-1].strip():
        lines.pop()
    name = os.path.basename(path)
    # line 1 = headline, last line = byline; paragraphs are lines 2..n-1
    paras = [ln.strip() for ln in lines[1:-1] if ln.strip()]
    return {"path": path, "url": SEED_URLS.get(name), "outlet": SEED_OUTLET.get(name),
            "title": lines[0] if lines else "", "published": None, "paras": paras}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devset", default=HERE)
    ap.add_argument("--seeds", default="/work/shared/seeds")
    args = ap.parse_args()

    articles = []
    art_files = sorted(glob.glob(os.path.join(args.devset, "articles", "*.md")))
    for p in art_files:
        a = parse_article(p)
        if a:
            articles.append(a)
    seeds = []
    for name in SEED_URLS:
        sp = os.path.join(args.seeds, name)
        if os.path.exists(sp):
            seeds.append(parse_seed(sp))
        else:
            err(f"seed file missing: {sp}")
    corpus = seeds + articles

    by_url = {}
    for a in corpus:
        if a["url"] in by_url:
            err(f"duplicate url {a['url']}: {by_url[a['url']]['path']} and {a['path']}")
        by_url[a["url"]] = a

    # syndicated pairs
    synd = []
    for i, a in enumerate(articles):
        for b in articles[i + 1:]:
            if a["paras"] == b["paras"]:
                synd.append((a, b))
                if a["outlet"] == b["outlet"]:
                    err(f"syndicated copies share outlet: {a['path']} {b['path']}")
    if not synd:
        err("no syndicated (verbatim) pair of articles found")

    # questions
    qpath = os.path.join(args.devset, "questions.jsonl")
    questions = []
    with open(qpath, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                questions.append(json.loads(line))
            except json.JSONDecodeError as e:
                err(f"questions.jsonl line {n}: bad JSON: {e}")
    ids = collections.Counter(q.get("id") for q in questions)
    for i, c in ids.items():
        if c > 1:
            err(f"duplicate question id {i}")

    counts = collections.Counter()
    seed_only = 0
    n_answerable = n_unanswerable = 0
    for q in questions:
        qid = q.get("id")
        if not q.get("question"):
            err(f"{qid}: missing question text")
        kind, split = q.get("kind"), q.get("split")
        if kind not in KINDS:
            err(f"{qid}: bad kind {kind!r}")
        if split not in SPLITS:
            err(f"{qid}: bad split {split!r}")
        counts[(kind, split)] += 1
        if q.get("unanswerable"):
            n_unanswerable += 1
            if kind != "unanswerable":
                err(f"{qid}: unanswerable but kind={kind}")
            if "expected" in q or "answer" in q:
                err(f"{qid}: unanswerable must not carry expected/answer")
            continue
        n_answerable += 1
        if kind == "unanswerable":
            err(f"{qid}: kind unanswerable but no unanswerable flag")
        exp, ans = q.get("expected"), q.get("answer")
        if not exp or not isinstance(exp, list) or not ans:
            err(f"{qid}: answerable question needs expected list and answer")
            continue
        if len(set(exp)) != len(exp):
            err(f"{qid}: duplicate urls in expected")
        if len(ans.split()) > 8:
            err(f"{qid}: answer longer than 8 words")
        for u in exp:
            a = by_url.get(u)
            if not a:
                err(f"{qid}: expected url not in corpus: {u}")
                continue
            if not any(ans in p for p in a["paras"]):
                err(f"{qid}: answer {ans!r} not found in any paragraph of {u}")
        extra = [a["url"] for a in corpus
                 if a["url"] not in exp and any(ans in p for p in a["paras"])]
        if extra:
            err(f"{qid}: answer {ans!r} also occurs in unlisted article(s): {extra}")
        if any(u in SEED_URLS.values() for u in exp):
            seed_only += 1

    # report
    outlets = collections.Counter(a["outlet"] for a in articles)
    dates = sorted(a["published"] for a in articles if a["published"])
    print(f"articles: {len(articles)} written + {len(seeds)} seed = {len(corpus)} in corpus")
    print(f"outlets ({len(outlets)} in written articles): "
          + ", ".join(f"{o} {c}" for o, c in sorted(outlets.items())))
    if dates:
        print(f"published range: {dates[0]} .. {dates[-1]}")
    print("paragraphs: " + str(sum(len(a['paras']) for a in corpus)))
    for a, b in synd:
        print(f"syndicated pair: {a['outlet']} {a['url']}  ==  {b['outlet']} {b['url']}")
    print(f"questions: {len(questions)}  answerable: {n_answerable}  "
          f"unanswerable: {n_unanswerable}  involving seed article: {seed_only}")
    kinds = sorted({k for k, _ in counts})
    print(f"{'kind':<14}{'dev':>6}{'holdout':>9}{'total':>7}")
    tot = collections.Counter()
    for k in kinds:
        d, h = counts[(k, 'dev')], counts[(k, 'holdout')]
        tot['dev'] += d
        tot['holdout'] += h
        print(f"{k:<14}{d:>6}{h:>9}{d + h:>7}")
    print(f"{'total':<14}{tot['dev']:>6}{tot['holdout']:>9}{tot['dev'] + tot['holdout']:>7}")

    # minimum sizes requested for the set
    if len(articles) < 22:
        err(f"only {len(articles)} written articles (want >= 22)")
    if len(outlets) < 6:
        err(f"only {len(outlets)} outlets (want >= 6)")
    if len(questions) < 75:
        err(f"only {len(questions)} questions (want >= 75)")
    if n_answerable < 60:
        err(f"only {n_answerable} answerable questions (want >= 60)")
    if seed_only < 12:
        err(f"only {seed_only} questions about the seed article (want >= 12)")

    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for e in errors:
            print("  - " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
