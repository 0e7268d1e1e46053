"""Page metadata against labels read by hand (benchmarks/page_labels.json): per field right /
total for ours (`parse_html`, the ingest path's parser) and for bare trafilatura's metadata.

    python benchmarks/page_labels.py [--part dev|check] [--data /path/to/article-extraction-benchmark] [--limit N] [--json]

Tune on `--part dev`; score `--part check` only at the end of a round (the labels file says how
each field was read). Check pages marked `fresh` were labelled after the rules were last changed
and are also reported on their own ("fresh", part of check).

Headlines match ignoring case and punctuation; authors as a set of names (same rule); outlets
when one name contains the other ("CNN" / "CNN Business"); dates exactly, and a page that
states no date is right only when no date is given. A field a label leaves out is not scored.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from page_body import DEFAULT_DATA, load_pages

LABELS = Path(__file__).with_name("page_labels.json")
FIELDS = ("title", "authors", "published", "outlet")


def loose(text: str | None) -> str:
    """Lower case, letters and digits only ("Barron's" = "Barrons"), no leading "the"."""
    text = re.sub(r"[\W_]+", " ", re.sub(r"['’]", "", (text or "").lower())).strip()
    return text[4:] if text.startswith("the ") else text


def right(field: str, found, expected) -> bool:
    if field == "published":
        return found == expected
    if field == "authors":
        if not expected:
            return not found
        names = re.split(r"\s*(?:,|;|\band\b)\s*", found or "") if isinstance(found, str) else (found or [])
        return {loose(n) for n in names if loose(n)} == {loose(n) for n in expected}
    if expected is None:
        return not found
    a, b = loose(found), loose(expected)
    if field == "outlet":
        return bool(a) and (a in b or b in a)
    return a == b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--part", choices=("dev", "check"), help="only this part of the labels (default: both)")
    parser.add_argument("--limit", type=int, help="only the first N labelled pages (a quick trial)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import trafilatura

    from retrieval.errors import CoverageError
    from retrieval.parse import parse_html

    labels = [p for p in json.loads(LABELS.read_text())["pages"] if args.part in (None, p["part"])][: args.limit]
    pages = load_pages(args.data)
    totals: dict = {}
    rows = []
    for label in labels:
        key = next(k for k in pages if k.startswith(label["id"]))
        html = pages[key]
        try:
            a = parse_html(html, key)
            ours = {"title": a.title, "authors": a.author, "published": a.published, "outlet": a.outlet}
        except CoverageError:
            ours = dict.fromkeys(FIELDS)
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
        bare = {"title": doc.title, "authors": doc.author, "published": doc.date, "outlet": doc.sitename} if doc else {}
        row = {"id": label["id"], "part": label["part"], "fresh": bool(label.get("fresh"))}
        for field in FIELDS:
            if field not in label:
                continue
            for who, found in (("ours", ours.get(field)), ("trafilatura", bare.get(field))):
                ok = right(field, found, label[field])
                slot = totals.setdefault((label["part"], who, field), [0, 0])
                slot[0] += ok
                slot[1] += 1
                row[f"{who}.{field}"] = [found, ok]
            if label.get("fresh"):
                for who in ("ours", "trafilatura"):
                    slot = totals.setdefault(("fresh", who, field), [0, 0])
                    slot[0] += row[f"{who}.{field}"][1]
                    slot[1] += 1
            if field == "published" and label[field] is None and ours.get(field):
                row["invented_date"] = ours[field]
        rows.append(row)
    out = {f"{s}/{w}/{f}": v for (s, w, f), v in sorted(totals.items())}
    if args.json:
        print(json.dumps({"totals": out, "rows": rows}, indent=2, ensure_ascii=False))
        return
    print(f"{len(labels)} labelled pages; right / total per field")
    print(f"{'':22} " + " ".join(f"{f:>11}" for f in FIELDS))
    splits = (args.part,) if args.part else ("dev", "check", "all")
    if any(label.get("fresh") for label in labels):
        splits += ("fresh",)
    for split in splits:
        for who in ("ours", "trafilatura"):
            cells = []
            for field in FIELDS:
                got = [
                    v
                    for (s, w, f), v in totals.items()
                    if w == who and f == field and (split == s or (split == "all" and s != "fresh"))
                ]
                r, t = sum(g[0] for g in got), sum(g[1] for g in got)
                cells.append(f"{r:>5}/{t:<5}")
            print(f"{split + ' ' + who:22} " + " ".join(f"{c:>11}" for c in cells))
    invented = [r for r in rows if "invented_date" in r]
    print(f"dates given where the page states none (ours): {len(invented)}")
    for row in rows:
        wrong = [f for f in FIELDS if f"ours.{f}" in row and not row[f"ours.{f}"][1]]
        if wrong:
            print(f"  {row['id']} {row['part']}: " + "; ".join(f"{f}={row[f'ours.{f}'][0]!r}" for f in wrong))


if __name__ == "__main__":
    main()
