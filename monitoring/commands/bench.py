"""``bench [--quick] [--no-pages] [--browser [--compare TREE [--pages a,b]]] [--format text|json] [--data-dir DIR]``:
the performance benchmark (docs/PERFORMANCE.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from monitoring.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "bench",
        help="measure ingest and page times against references measured in the same run (wall and CPU)",
        description=(
            "Generates the data sets (deterministic; cached under bench-data/), times the ingest of a "
            "1,000,000-row file against two references measured in the same run — the floor (the fastest "
            "loader found of the same rows into the same table, no validation or audit) and the reference "
            "loader (one-row sqlite3 executemany into a bare table) — in wall-clock and CPU time, then the "
            "re-ingest, the to_sql baseline and every page on ten years of data, and prints the table with "
            "PASS/FAIL against the goals in monitoring/bench/goals.yaml."
        ),
    )
    p.add_argument("--quick", action="store_true", help="a small version (seconds): checks that it works, not timing")
    p.add_argument("--no-pages", action="store_true", help="skip the page timings (no Streamlit)")
    p.add_argument(
        "--browser", action="store_true",
        help="instead: every page's cold load and sidebar switch in Chromium, against a one-line Streamlit page "
             "(embedded data and ten years of hourly data; --quick: two pages, embedded data, one round)",
    )
    p.add_argument("--rounds", type=int, default=3, help="with --browser: measured rounds of cold loads (default 3)")
    p.add_argument(
        "--compare", type=Path, default=None, metavar="TREE",
        help="with --browser: this code against the project in TREE (e.g. `git worktree add /tmp/before HEAD~1`), "
             "cold loads and switches interleaved round by round on the embedded data (monitoring/browser_compare.py)",
    )
    p.add_argument("--pages", default=None, help="with --compare: the url paths to compare, comma-separated (default: all)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--data-dir", type=Path, default=None, help="where the data sets are generated and cached (default: bench-data/)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring import bench

    if args.browser and args.compare is not None:
        from monitoring import browser_bench, browser_compare

        paths = [p.strip() for p in args.pages.split(",")] if args.pages else list(browser_bench.PAGES)
        unknown = [p for p in paths if p not in browser_bench.PAGES]
        if unknown:
            raise InputError(f"--pages: no page {', '.join(unknown)}", hint=f"use some of {', '.join(browser_bench.PAGES)}")
        comparison = browser_compare.compare(
            args.compare, folder=args.data_dir or bench.BENCH_DIR, paths=paths, rounds=max(1, args.rounds),
            say=lambda m: print(m, file=sys.stderr),
        )
        print(json.dumps(comparison.to_json(), ensure_ascii=False, indent=2) if args.format == "json" else comparison.text())
        return 0
    if args.browser:
        from monitoring import browser_bench

        browser = browser_bench.run(
            quick=args.quick, folder=args.data_dir or bench.BENCH_DIR, rounds=max(1, args.rounds),
            progress=lambda m: print(m, file=sys.stderr),
        )
        print(json.dumps(browser.to_json(), ensure_ascii=False, indent=2) if args.format == "json" else browser.text())
        return 0

    report = bench.run(
        quick=args.quick,
        pages=not args.no_pages,
        folder=args.data_dir or bench.BENCH_DIR,
        progress=lambda m: print(m, file=sys.stderr),
    )
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.text())
    return 0
