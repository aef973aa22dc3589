"""Road-dust monitoring coverage for the plan: the checks of rules/coverage.py over the store."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from monitoring import i18n
from monitoring.i18n import Lang
from monitoring.rules import coverage as coverage_rules
from monitoring.storage import plan_queries
from monitoring.targets import Targets


def road_dust_coverage(
    engine: Engine, targets: Targets, *, year: int, month: int | None = None
) -> coverage_rules.Coverage | None:
    """The plan's coverage checks for ``year`` ending at ``month`` (default: the last month
    with measurements); None when the year has no road-dust measurement."""
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1]) if month else dt.date(year, 12, 31)
    # December of the year before: January's re-check looks at it.
    rows = plan_queries.road_dust_rows(engine, dt.date(year - 1, 12, 1), last_day)
    in_year = rows[[d.year == year for d in rows["day"]]] if len(rows) else rows
    if in_year.empty:
        return None
    end_month = month or max(d.month for d in in_year["day"])
    frame = rows[["subdistrict", "road", "day", "load", "grade"]]
    return coverage_rules.coverage(
        frame,
        month=pd.Period(year=year, month=end_month, freq="M"),
        thresholds={str(k): float(v) for k, v in targets.road_dust.grades.items()},
        year=year,
        subdistricts=[sd.short_name for sd in targets.subdistricts],
    )


def coverage_summary(cov: coverage_rules.Coverage | None, lang: Lang = "zh") -> pd.DataFrame:
    """The three coverage checks as a small (item, result) table."""
    item, result = i18n.t("plan.col.item", lang), i18n.t("plan.col.result", lang)
    if cov is None:
        return pd.DataFrame({item: [i18n.t("coverage.none", lang)], result: ["—"]})
    quarter = cov.quarters[cov.quarters["quarter"] == cov.quarters["quarter"].iloc[-1]] if len(cov.quarters) else cov.quarters
    complete = int(quarter["complete"].sum()) if len(quarter) else 0
    streak = cov.district_streak
    lines: list[tuple[str, str]] = [
        (
            i18n.t("coverage.recheck", lang),
            i18n.t("coverage.recheck.result", lang, missing=len(cov.recheck_missing), required=cov.recheck_required)
            + ("；" + i18n.t("coverage.recheck.undecided", lang, n=cov.recheck_undecided) if cov.recheck_undecided else ""),
        ),
        (
            i18n.t("coverage.quarter", lang),
            i18n.t("coverage.quarter.result", lang, quarter=quarter["quarter"].iloc[0] if len(quarter) else "—",
                   complete=complete, total=len(quarter)),
        ),
        (
            i18n.t("coverage.streak", lang),
            i18n.t("coverage.streak.result", lang, months=streak.months,
                   verdict=i18n.t("coverage.cleared" if streak.cleared_two_months else "coverage.not_cleared", lang)),
        ),
    ]
    if not cov.grades_known:
        lines.append((i18n.t("coverage.grades", lang), cov.notes[0] if lang == "zh" else cov.notes_en[0]))
    return pd.DataFrame(lines, columns=[item, result])
