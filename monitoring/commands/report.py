"""``report KIND``: the figures the pages show, as CSV (default) or JSON, for scripts.

Kinds: ranking, district, progress, budget, trend, road-dust, aqi. CSV goes to stdout
(missing figures are empty cells, with a status saying why); the method and the notes go
to stderr as ``# `` lines, so the CSV stays clean. JSON is one object:

    {"report": NAME, "rows": [ {column: value, ...}, ... ], "method": {key: text, ...},
     "notes": [English], "notes_zh": [Chinese], "extra": {...}}

``rows`` holds the same columns in the same order as the CSV; a missing figure is null.
``method`` keys come in pairs: ``key`` (Chinese, as on the pages) and ``key_en``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from typing import Any

KINDS = ("ranking", "district", "progress", "budget", "trend", "road-dust", "aqi")

_FORMAT_HELP = (
    "csv (default): the table on stdout, method and notes on stderr as '# ' lines; "
    'json: {"report", "rows": [objects], "method": {key, key_en}, "notes": [en], "notes_zh": [zh], "extra": {}}'
)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _add_common(p: argparse.ArgumentParser, *, year: bool = True, events: bool = True) -> None:
    if year:
        p.add_argument("--year", type=int, required=True, help="the year, e.g. 2026")
    p.add_argument("--format", choices=("csv", "json"), default="csv", help=_FORMAT_HELP)
    if events:
        # --exclude-dust: the name of earlier versions, kept (sand and dust is one kind of event)
        p.add_argument("--exclude-events", "--exclude-dust", dest="exclude_events", action="store_true",
                       help="leave the days of exceptional events out, sand and dust included (扣除例外事件)")


_STANDARDS_HELP = (
    "the rule set: in-force (default: each day by the standards in force that day, an annual figure by "
    "the evaluation rules in force on 31 December), 2012 (GB 3095-2012, HJ 633-2012, HJ 663-2013) or 2026 "
    "(GB 3095—2026, HJ 633—2026, HJ 663—2026; provisional values marked in the method)"
)


def _add_standards(p: argparse.ArgumentParser) -> None:
    p.add_argument("--standards", default="in-force", metavar="in-force|2012|2026", help=_STANDARDS_HELP)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="the figures the pages show (ranking, district, progress, budget, trend, road-dust, aqi) as CSV or JSON",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", parser_class=type(p))
    kinds.required = True

    r = kinds.add_parser(
        "ranking",
        help="one row per subdistrict: rank, subdistrict, mean, target, gap, valid_days, days, status, outlook, …",
        description="Columns: rank, subdistrict, mean, target, gap, valid_days, days, status (so far: meets / exceeds / "
        "incomplete), outlook (year-end, PM2.5: on_track / at_risk / off_track / unknown — the same as `report budget`), "
        "code, pinyin, completeness, complete, required_days, period_state (over / to_date), last_year_mean, "
        "change_pct, change_rank, demo, mean_3y. " + _FORMAT_HELP,
    )
    _add_common(r)
    r.add_argument("--through", type=_date, help="last day (default: the last day with data in the year)")
    r.add_argument("--month", type=int, choices=range(1, 13), metavar="M", help="one month only (1–12)")
    r.add_argument("--pollutant", default="pm25", help="pm25 (default), pm10, so2, no2, o3, co")
    _add_standards(r)
    r.set_defaults(handler=run)

    d = kinds.add_parser(
        "district",
        help="district indicators (PM2.5, good-day ratio, heavy days, poor-road share) against their targets",
        description="Columns: key, name, name_en, value, unit, target, direction, gap, status (so far), outlook "
        "(year-end), valid_days, days, last_year_value, trend, note, note_en, value_3y. " + _FORMAT_HELP,
    )
    _add_common(d)
    d.add_argument("--through", type=_date, help="last day (default: the last day with data in the year)")
    _add_standards(d)
    d.set_defaults(handler=run)

    g = kinds.add_parser(
        "progress",
        help="per month: monthly mean, year-to-date mean, target, remaining budget",
        description="Columns: month, month_state (over / in_progress / future), monthly_mean, monthly_valid_days, "
        "monthly_days, monthly_complete (never for the month in progress), ytd_mean, ytd_valid_days, target, "
        "remaining_days, required_rest_mean (empty when the target can no longer be met), cannot_meet, "
        "best_possible_mean, projection, projection_low, projection_high, status, outlook (the year to date at the "
        "month's end; empty for a future month). " + _FORMAT_HELP,
    )
    _add_common(g)
    g.add_argument("--subdistrict", help="a subdistrict (name, pinyin or code); default: the district")
    _add_standards(g)
    g.set_defaults(handler=run)

    b = kinds.add_parser(
        "budget",
        help="year-end budget per subdistrict and district: required rest-of-year mean, projection, days left",
        description="Columns: subdistrict, code, target, ytd_mean, valid_days, required_days, remaining_days, "
        "required_rest_mean (empty when the target can no longer be met), cannot_meet, best_possible_mean, best_gap, "
        "projection, projection_low, projection_high, non_good_days, non_good_days_left, heavy_days, "
        "heavy_days_left, status (so far), outlook (year-end). " + _FORMAT_HELP,
    )
    _add_common(b)
    b.add_argument("--through", type=_date, help="last day (default: the last day with data in the year)")
    _add_standards(b)
    b.set_defaults(handler=run)

    t = kinds.add_parser(
        "trend",
        help="the multi-year table with trend statistics (Theil–Sen, Mann–Kendall)",
        description="Columns: year, value, source, kind, period, complete, in_series; statistics in extra "
        "(JSON) or on stderr (CSV). " + _FORMAT_HELP,
    )
    _add_common(t, year=False, events=False)
    t.add_argument("--pollutant", default="pm25", help="pm25 (default), pm10, so2, no2, o3, co, good_days")
    t.set_defaults(handler=run)

    rd = kinds.add_parser(
        "road-dust",
        help="road-dust load by subdistrict and road, poor-grade share",
        description="Columns: subdistrict, code, road, month, load, grade, grade_source, source. " + _FORMAT_HELP,
    )
    _add_common(rd, events=False)
    rd.add_argument("--month", type=int, choices=range(1, 13), metavar="M", help="one month only (1–12)")
    rd.set_defaults(handler=run)

    a = kinds.add_parser(
        "aqi",
        help="daily AQI (HJ 633, the table in force each day) per subdistrict, or for the district",
        description="Columns: day, subdistrict, code, aqi, category, category_en, level, color, primary, "
        "pollutants_used, missing, good, heavy, pm25, pm10, so2, no2, co, o3_8h, o3_1h. " + _FORMAT_HELP,
    )
    _add_common(a)
    a.add_argument("--from", dest="start", type=_date, help="first day")
    a.add_argument("--to", dest="end", type=_date, help="last day")
    a.add_argument("--subdistrict", help="one subdistrict (name, pinyin or code)")
    a.add_argument("--district", action="store_true", help="the district's daily AQI instead")
    _add_standards(a)
    a.set_defaults(handler=run)


def jsonable(value: Any) -> Any:
    """A value as JSON: NaN/NA → null, dates → ISO text, frames → lists of objects."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return [jsonable(rec) for rec in value.to_dict("records")]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if hasattr(value, "frame") and hasattr(value, "method"):  # a nested Report
        return {"report": value.name, "rows": jsonable(value.frame), "method": value.method}
    return value


def build(args: argparse.Namespace) -> Any:
    """The Report a parsed ``report`` command asks for (the pages call the same functions)."""
    from monitoring import reports
    from monitoring.storage.engine import make_engine
    from monitoring.targets import load_targets

    targets = load_targets().under(getattr(args, "standards", "in-force"))
    engine = make_engine(check_writable=False)
    kind = args.kind
    deduct = getattr(args, "exclude_events", False)
    if kind == "ranking":
        return reports.ranking(
            engine, targets, year=args.year, through=args.through, month=args.month,
            pollutant=args.pollutant, exclude_events=deduct,
        )
    if kind == "district":
        return reports.district(engine, targets, year=args.year, through=args.through, exclude_events=deduct)
    if kind == "progress":
        return reports.progress(engine, targets, year=args.year, subdistrict=args.subdistrict, exclude_events=deduct)
    if kind == "budget":
        return reports.budget(engine, targets, year=args.year, through=args.through, exclude_events=deduct)
    if kind == "trend":
        return reports.trend(engine, targets, pollutant=args.pollutant)
    if kind == "road-dust":
        return reports.road_dust(engine, targets, year=args.year, month=args.month)
    return reports.daily_aqi(
        engine, targets, year=args.year, start=args.start, end=args.end, subdistrict=args.subdistrict,
        district=args.district, exclude_events=deduct,
    )


def emit(report: Any, fmt: str, *, top: dict[str, Any] | None = None, stderr_lines: list[str] | None = None) -> None:
    """A Report on stdout as the module docstring says (JSON object, or CSV with the method,
    ``stderr_lines`` and the notes on stderr as ``# `` lines); ``top`` adds keys to the JSON."""
    if fmt == "json":
        payload = {
            "report": report.name,
            "rows": jsonable(report.frame),
            "method": report.method,
            "notes": report.notes_en,
            "notes_zh": report.notes,
            "extra": jsonable(dict(report.extra)),
            **jsonable(top or {}),
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    from monitoring.exports import neutralise

    # the same rule as the dashboard's downloads: a text cell (a road name from an upload)
    # that a spreadsheet would run as a formula gets a leading apostrophe
    neutralise(report.frame).to_csv(sys.stdout, index=False, lineterminator="\n")
    for key, text in report.method.items():
        if key.endswith("_en"):
            print(f"# {key[:-3]}: {text}", file=sys.stderr)
    for line in stderr_lines or []:
        print(f"# {line}", file=sys.stderr)
    for note in report.notes_en:
        print(f"# note: {note}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from monitoring.errors import StorageError

    try:
        report = build(args)
    except (OperationalError, ProgrammingError) as exc:
        raise StorageError(
            f"the database cannot be read: {str(getattr(exc, 'orig', exc)).splitlines()[0]}",
            message_zh="无法读取数据库",
            hint="run `python -m monitoring init` first, or check DATABASE_URL",
        ) from None
    lines: list[str] = []
    if report.name == "trend":
        extra = report.extra
        if extra.get("refused"):
            lines.append(f"trend test refused: {extra['refused']}")
        else:
            ts, mk = extra["theil_sen"], extra["mann_kendall"]
            lines.append(
                f"Theil–Sen slope {ts['slope']:.2f}/year (95% {ts['low']:.2f} … {ts['high']:.2f}); "
                f"Mann–Kendall tau {mk['tau']:.3f}, p {mk['p']:.4f}: {mk['trend']} (n = {extra['n']})"
            )
    if report.name == "road_dust":
        share = report.extra.get("poor_share")
        lines.append(f"poor-grade share: {'unknown' if share is None else f'{share:.1f}%'} ({report.extra.get('poor_share_status')})")
    emit(report, args.format, stderr_lines=lines)
    return 0
