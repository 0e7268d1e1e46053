"""How often HTML extraction gets a page's outlet, headline and date right.

Reads a folder of saved pages and its `manifest.json` (a list of {"file", "outlet", "headline",
"published"} written by a person from each page), parses every page as `coverage-bot ingest`
would, and prints the agreement per field and per page.

    python benchmarks/page_metadata.py /path/to/pages [--json]

The pages themselves are not in the repository (they are other publishers' work).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from retrieval.errors import CoverageError
from retrieval.parse import parse_file


def same_outlet(found: str | None, expected: str | None) -> bool:
    if not found or not expected:
        return False
    a, b = found.lower(), expected.lower()
    return a in b or b in a or a.split(".")[0] in b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (args.folder / "manifest.json").is_file():
        parser.error(f"no manifest.json in {args.folder}")
    manifest = json.loads((args.folder / "manifest.json").read_text())
    rows, totals = [], {"parsed": 0, "outlet": 0, "headline": 0, "date": 0}
    for item in manifest:
        try:
            article = parse_file(args.folder / item["file"])
        except CoverageError as err:
            rows.append({"file": item["file"], "error": str(err)})
            continue
        row = {
            "file": item["file"],
            "outlet": same_outlet(article.outlet, item.get("outlet")),
            "headline": article.title.strip().lower() == (item.get("headline") or "").strip().lower(),
            "date": article.published == item.get("published"),
            "paragraphs": len(article.paragraphs),
        }
        totals["parsed"] += 1
        for key in ("outlet", "headline", "date"):
            totals[key] += row[key]
        rows.append(row)
    if args.json:
        print(json.dumps({"pages": len(manifest), "totals": totals, "rows": rows}, indent=2))
        return
    for row in rows:
        if "error" in row:
            print(f"{row['file']:40} error: {row['error']}")
        else:
            marks = "".join(k[0].upper() if row[k] else "-" for k in ("outlet", "headline", "date"))
            print(f"{row['file']:40} {marks}  {row['paragraphs']} paragraphs")
    n = len(manifest)
    print(
        f"{n} pages: parsed {totals['parsed']}, outlet right {totals['outlet']}, "
        f"headline right {totals['headline']}, date right {totals['date']}"
    )


if __name__ == "__main__":
    main()
