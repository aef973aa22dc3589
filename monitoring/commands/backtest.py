"""``backtest --year Y``: how well the year-end projection did on a finished year.

For each month-end of year Y (January–November), the district's and every complete
subdistrict's year-end PM2.5 mean is projected from the data up to then and compared with
the actual annual mean. JSON: ``{"rows": [...], "summary": {"mae", "coverage", "n", "bias",
"fitted_spread", "coverage_target"}, "method": {...}, "notes": [...]}``; CSV: the rows on
stdout, the summary on stderr as ``# `` lines. docs/BACKTEST.md holds the table for the
embedded history and how the interval was calibrated.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "backtest",
        help="project each month-end of a finished year and compare with the actual annual PM2.5 mean",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--year", type=int, required=True, help="a finished year with data, e.g. 2016")
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")
    p.add_argument("--spread", type=float, default=None,
                   help="try another interval spread instead of status_rules.projection_spread in targets.yaml")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring import reports
    from monitoring.commands.report import emit
    from monitoring.storage.engine import make_engine
    from monitoring.targets import load_targets

    rep = reports.backtest(make_engine(check_writable=False), load_targets(), year=args.year, spread=args.spread)
    summary = rep.extra["summary"]
    emit(rep, args.format, top={"summary": summary, "profile_years": rep.extra["profile_years"], "spread": rep.extra["spread"]},
         stderr_lines=["summary: " + ", ".join(f"{k} {v}" for k, v in summary.items())])
    return 0
