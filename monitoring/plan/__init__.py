"""Tracking the 2026 action plan: the 附4 indicators and the key tasks of 附1–附3.

* ``tasks.py``: the work measures, their units, the status in force, status changes;
* ``indicators.py``: entered indicator values (one at a time or a CSV) and the table in force;
* ``coverage.py``: road-dust monitoring coverage; ``brief.py``: the plan's part of the brief;
* the status decisions themselves are pure functions in ``monitoring/rules/plan_status.py``.

The names below are the package's interface: pages, the CLI, the brief and the tests call
``plan.tasks_table`` and the like (a hundred call sites), so they are gathered here rather
than each caller naming the module. No streamlit here; SQL lives in storage/plan_queries.py.
"""

from __future__ import annotations

from monitoring.plan.brief import brief_sections, value_text
from monitoring.plan.common import beijing_today, parse_day
from monitoring.plan.coverage import coverage_summary, road_dust_coverage
from monitoring.plan.indicators import (
    INDICATOR_COLUMNS,
    INDICATOR_STATUSES,
    enter_indicator_value,
    entered_count,
    find_indicator,
    import_indicator_csv,
    indicator_history,
    indicator_keys,
    indicator_state_text,
    indicators_table,
    parse_indicator_value,
)
from monitoring.plan.tasks import (
    STATUS_ZH,
    TASK_COLUMNS,
    TASKS_CSV,
    all_units,
    canonical_units,
    lead_unit_summary,
    load_tasks,
    overdue_tasks,
    parse_status,
    resolve_unit,
    set_task_status,
    task_history,
    tasks_table,
)
from monitoring.rules.plan_status import SHOWN_TASK_STATUSES as SHOWN_STATUSES
from monitoring.rules.plan_status import TASK_STATUSES as STATUSES
from monitoring.rules.plan_status import UNREPORTED, as_number, indicator_state

__all__ = [
    "INDICATOR_COLUMNS", "INDICATOR_STATUSES", "SHOWN_STATUSES", "STATUSES", "STATUS_ZH", "TASKS_CSV", "TASK_COLUMNS",
    "UNREPORTED", "all_units", "as_number", "beijing_today", "brief_sections", "canonical_units", "coverage_summary",
    "enter_indicator_value", "entered_count", "find_indicator", "import_indicator_csv", "indicator_history",
    "indicator_keys", "indicator_state", "indicator_state_text", "indicators_table", "lead_unit_summary", "load_tasks",
    "overdue_tasks", "parse_day", "parse_indicator_value", "parse_status", "resolve_unit", "road_dust_coverage",
    "set_task_status", "task_history", "tasks_table", "value_text",
]
