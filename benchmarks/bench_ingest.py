"""Ingest throughput end to end, beside the bare encoder's throughput on the same passages.

End to end means: Markdown files on disk → `Engine.ingest` (read, parse, validate, encode,
SQLite, FAISS, index file written) → the first question answered (which builds the BM25 index
the engine builds lazily), i.e. until the passages are searchable. The bare figure is
the engine's encoder (`make_encoder(settings)`, the torch `Encoder` before it existed) `.encode(texts)` on exactly the same paragraphs,
once. Ingest encodes each paragraph twice (read with its headline, and alone: embed.PASSAGE_CONTEXT),
so its rate is at most half the bare one; our own overhead is the time outside the encoder, which
is reported too (`overhead_share`).

The model is loaded and warmed up before either is timed (its load time is reported apart).

    .venv/bin/python benchmarks/bench_ingest.py                    # 200 files x 10 passages
    .venv/bin/python benchmarks/bench_ingest.py --files 50 --repeat 1   # quick check

Takes about 3 x passages / encode-rate (about 30 s at 200 passages/s for 2,000 passages,
repeated `--repeat` times). Writes benchmarks/results/ingest.json.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

from common import (
    WORK_DIR,
    encoder_for,
    log,
    memory,
    new_engine,
    settings_for,
    timer,
    write_markdown_corpus,
    write_result,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="Markdown files to generate (default 200)")
    parser.add_argument("--per-file", type=int, default=10, help="paragraphs per file (default 10)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the best is kept")
    parser.add_argument("--index-type", help="passed to Settings.index_type when the library has it")
    args = parser.parse_args()

    corpus = WORK_DIR / "ingest-corpus"
    texts = write_markdown_corpus(corpus, args.files, args.per_file)
    n = len(texts)
    log(f"wrote {args.files} files, {n} passages, to {corpus}")

    base = settings_for(WORK_DIR / "ingest-data", args.index_type)
    encoder = encoder_for(base)
    with timer() as t_load:
        encoder.encode(["warm up the model"])
    log(f"model {base.model} loaded in {t_load['s']:.1f} s")

    bare, runs = [], []
    for r in range(args.repeat):
        with timer() as t:
            encoder.encode(texts)
        bare.append(t["s"])
        t_bare = t
        log(f"bare encode: {n / t['s']:.0f} passages/s")

        data_dir = WORK_DIR / f"ingest-data-{r}"
        shutil.rmtree(data_dir, ignore_errors=True)
        settings = settings_for(data_dir, args.index_type)
        engine = new_engine(settings, encoder)
        # Time spent inside the encoder during ingest, to split encode from our own work.
        inner = {"s": 0.0}
        original = encoder.encode

        def counted(batch, *a, _original=original, _inner=inner, **kw):
            start = time.perf_counter()
            try:
                return _original(batch, *a, **kw)
            finally:
                _inner["s"] += time.perf_counter() - start

        encoder.encode = counted
        try:
            with timer() as t_ingest:
                report = engine.ingest([str(corpus)], added_by="benchmark")
            encode_in_ingest = inner["s"]
            with timer() as t_first:
                answer = engine.ask("what did trump say about russian losses", collections=["global"])
            with timer() as t_second:
                engine.ask("what did trump say about russian losses", collections=["global"])
        finally:
            del encoder.encode
        stats = engine.stats()
        engine.close()
        added = sum(o.paragraphs or 0 for o in report.outcomes if o.status == "added")
        # The first answer builds the BM25 index; a second answer shows what a query costs.
        lexical_build = max(t_first["s"] - t_second["s"], 0.0)
        total = t_ingest["s"] + lexical_build
        runs.append(
            {
                "passages_added": added,
                "ingest_s": round(t_ingest["s"], 2),
                "encode_inside_ingest_s": round(encode_in_ingest, 2),
                "first_answer_s": round(t_first["s"], 3),
                "second_answer_s": round(t_second["s"], 3),
                "lexical_build_s": round(lexical_build, 3),
                "end_to_end_s": round(total, 2),
                "end_to_end_passages_per_s": round(added / total, 1),
                "answered": answer.answered,
                "index_type": stats.get("index_type"),
                "bare_encode_passages_per_s": round(n / t_bare["s"], 1),
                # paired with the bare run just before it, so both saw the same machine load
                "ratio_to_bare": round(added / total / (n / t_bare["s"]), 3),
            }
        )
        log(
            f"ingest end to end: {added / total:.0f} passages/s ({t_ingest['s']:.1f} s ingest, encode {encode_in_ingest:.1f} s)"
        )
        shutil.rmtree(data_dir, ignore_errors=True)

    best = max(runs, key=lambda r: r["end_to_end_passages_per_s"])
    bare_rate = n / min(bare)
    result = {
        "files": args.files,
        "passages": n,
        "model": base.model,
        "model_load_s": round(t_load["s"], 2),
        "bare_encode_passages_per_s": round(bare_rate, 1),
        "bare_encode_runs_s": [round(b, 2) for b in bare],
        "end_to_end_passages_per_s": best["end_to_end_passages_per_s"],
        "ratio_end_to_end_to_bare": statistics.median(r["ratio_to_bare"] for r in runs),
        "overhead_share": round(1 - best["encode_inside_ingest_s"] / best["end_to_end_s"], 3),
        "best_run": best,
        "runs": runs,
        "median_end_to_end_passages_per_s": round(statistics.median(r["end_to_end_passages_per_s"] for r in runs), 1),
        "memory": memory(),
        "target_passages_per_s": 400,
        "target_met": best["end_to_end_passages_per_s"] >= 400,
    }
    write_result("ingest", result)
    print(
        f"ingest {result['end_to_end_passages_per_s']:.0f} passages/s end to end; bare encoder "
        f"{bare_rate:.0f}/s; ratio {result['ratio_end_to_end_to_bare']:.2f}"
    )


if __name__ == "__main__":
    main()
