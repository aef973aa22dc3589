"""The plan's part of the leaders' monthly brief: (title, table) pairs, ready to print."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from monitoring import i18n
from monitoring.i18n import Lang
from monitoring.plan.coverage import coverage_summary, road_dust_coverage
from monitoring.plan.indicators import indicator_state_text, indicators_table
from monitoring.plan.tasks import lead_unit_summary, overdue_tasks, tasks_table
from monitoring.rules.plan_status import SHOWN_TASK_STATUSES, indicator_state
from monitoring.targets import Targets


def _label(key: str, lang: Lang) -> str:
    return i18n.t(key, lang)


def value_text(row: dict[str, Any]) -> str:
    """An indicator's value as the brief prints it (— when there is none)."""
    value = row["value"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:g}"


def _target_text(row: dict[str, Any]) -> str:
    target = row["target"]
    if target is None or (isinstance(target, float) and math.isnan(target)):
        return str(row["target_text"] or "—")
    sign = {"at_most": "≤", "at_least": "≥"}.get(str(row["direction"]), "")
    return f"{sign}{target:g}"


def brief_sections(
    engine: Engine, targets: Targets, as_of: dt.date, lang: Lang = "zh", *, include_measured: bool = True
) -> list[tuple[str, pd.DataFrame]]:
    """The plan's part of the leaders' monthly brief: (title, table) pairs, ready to print.

    1. the 附4 indicators (``include_measured=False`` leaves out the four the brief already
    shows from reports.district); 2. key tasks per lead unit; 3. overdue or late measures;
    4. road-dust monitoring coverage.
    """
    sections: list[tuple[str, pd.DataFrame]] = []
    ind = indicators_table(engine, targets, as_of=as_of, include_measured=include_measured)
    if not include_measured:
        ind = ind[ind["source"] != "measured"].reset_index(drop=True)
    sections.append(
        (
            _label("plan.brief.indicators", lang),
            pd.DataFrame(
                {
                    _label("plan.col.indicator", lang): ind["name"] if lang == "zh" else ind["name_en"],
                    _label("plan.col.value", lang): [value_text(r) for r in ind.to_dict("records")],
                    _label("plan.col.unit", lang): ind["unit"],
                    _label("plan.col.target", lang): [_target_text(r) for r in ind.to_dict("records")],
                    _label("plan.col.status", lang): [indicator_state_text(indicator_state(r), lang)
                                                      for r in ind.to_dict("records")],
                    _label("plan.col.source", lang): [_label(f"plan.source.{s}", lang) for s in ind["source"]],
                }
            ),
        )
    )
    tasks = tasks_table(engine, targets, as_of=as_of)
    summary = lead_unit_summary(tasks)
    sections.append(
        (
            _label("plan.brief.tasks", lang),
            summary.rename(columns=_summary_labels(lang)),
        )
    )
    late = overdue_tasks(tasks)
    sections.append(
        (
            _label("plan.brief.overdue", lang),
            pd.DataFrame(
                {
                    _label("plan.col.measure_id", lang): late["measure_id"] if len(late) else [],
                    _label("plan.col.task", lang): late["task"] if len(late) else [],
                    _label("plan.col.deadline", lang): late["deadline"] if len(late) else [],
                    _label("plan.col.lead_units", lang): ["、".join(u) for u in late["lead_units"]] if len(late) else [],
                    _label("plan.col.status", lang): [_label(f"plan.task_status.{s}", lang) for s in late["status"]]
                    if len(late)
                    else [],
                }
            ),
        )
    )
    cov = road_dust_coverage(engine, targets, year=as_of.year, month=as_of.month)
    sections.append((_label("plan.brief.coverage", lang), coverage_summary(cov, lang)))
    return sections


def _summary_labels(lang: Lang) -> dict[str, str]:
    labels = {"lead_unit": _label("plan.col.lead_unit", lang), "total": _label("plan.col.total", lang),
              "overdue": _label("plan.col.overdue", lang)}
    labels.update({s: _label(f"plan.task_status.{s}", lang) for s in SHOWN_TASK_STATUSES})
    return labels
