"""重点任务 Key tasks: the plan's work measures by annex, unit and status; how many are reported;
overdue; per lead unit. Analysts select a measure to report its status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w
from monitoring import plan
from monitoring.errors import MonitorError

t = ctx.t
engine = ctx.engine()
targets = ctx.targets()
actor = ctx.actor()
ALL = "__all__"
#: "Not reported" is a pale grey, not a warning: nobody has reported yet, nothing has failed.
STATUS_COLOR = {"unreported": "#e0e0e0", "not_started": "#bdbdbd", "in_progress": "#4e79a7", "done": "#1a9850",
                "late": "#d73027"}
DIALOG_KEY = "task_dialog"
IDS_KEY = "tasks_shown_ids"

# Statuses are dated by analysts, not measured: they are shown as in force today in Beijing.
today = plan.beijing_today()
st.title(t("tasks.title"))
try:
    all_tasks = plan.load_tasks()
except MonitorError as exc:
    ctx.stop_with(exc)
st.caption(t("tasks.caption2", tasks=all_tasks.groupby("annex")["task_no"].nunique().sum(), measures=len(all_tasks),
             as_of=t("tasks.as_of", day=str(today))))
flash = st.session_state.pop("tasks_flash", None)
if flash:
    st.success(flash)

everything = loaders.call(loaders.tasks_table, today)

# -- how many are reported ----------------------------------------------------------------------------
unreported = int((everything["status"] == plan.UNREPORTED).sum())
w.tile_row([
    w.tile_html(t("tasks.tile.reported"), t("tasks.tile.reported_value", n=len(everything) - unreported,
                                            total=len(everything))),
    w.tile_html(t("tasks.tile.done"), t("tasks.tile.count", n=int((everything["status"] == "done").sum()))),
    w.tile_html(t("tasks.tile.overdue"), t("tasks.tile.count", n=len(plan.overdue_tasks(everything)))),
    w.tile_html(t("tasks.tile.unreported"), t("tasks.tile.count", n=unreported)),
])
if unreported:
    if actor.can_write:
        st.caption(t("tasks.unreported.help"))
    else:
        st.info(t("tasks.unreported.viewer", n=unreported), icon=":material/edit_note:")

# The filters are drawn when their box is opened, the choice named on the count line below: three
# select boxes and their columns cost every cold load of this page ≈ 0.13 s in the browser
# (docs/PERFORMANCE.md, "Browser"); closed, the choices live on in session_state.
filters_box = w.lazy_expander(t("tasks.filter.title"), "tasks-filters", icon=":material/filter_alt:")
f1, f2, f3 = filters_box.columns(3) if filters_box is not None else (None, None, None)
annex_name = {1: t("tasks.annex.1"), 2: t("tasks.annex.2"), 3: t("tasks.annex.3")}


def _filter(box: Any, label: str, options: list[Any], fmt: Any, key: str) -> Any:
    # the widget's key carries the language (w.kept_choice); closed box: the kept choice
    return w.kept_choice(box, "selectbox", label, options, key=key, widget_key=f"{key}__{ctx.lang()}", format_func=fmt)


annex = _filter(f1, t("tasks.filter.annex"), [ALL, 1, 2, 3],
                lambda a: t("tasks.filter.all") if a == ALL else annex_name[a], "tasks_annex")
unit = _filter(f2, t("tasks.filter.unit"), [ALL, *plan.all_units(all_tasks)],
               lambda u: t("tasks.filter.all") if u == ALL else u, "tasks_unit")
status = _filter(f3, t("tasks.filter.status"), [ALL, *plan.SHOWN_STATUSES],
                 lambda s: t("tasks.filter.all") if s == ALL else t(f"plan.task_status.{s}"), "tasks_status")
# the filters in force, by name, for the count line (the box may be closed)
chosen_filters = ([annex_name[annex]] if annex != ALL else []) + ([str(unit)] if unit != ALL else []) \
    + ([t(f"plan.task_status.{status}")] if status != ALL else [])
shown = loaders.call(
    loaders.tasks_table, today,
    None if annex == ALL else int(annex), None if unit == ALL else str(unit), None if status == ALL else str(status),
)


def _deadline(text: Any) -> str:
    label = t(f"tasks.deadline.{text}")
    return str(text) if label == f"tasks.deadline.{text}" else label


def _display(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("plan.col.measure_id"): frame["measure_id"],
            t("plan.col.status"): [t(f"plan.task_status.{s}") + (" ⚠" if o else "") for s, o in
                                   zip(frame["status"], frame["overdue"], strict=True)],
            t("plan.col.deadline"): [_deadline(d) for d in frame["deadline"]],
            t("plan.col.task"): frame["task"],
            t("plan.col.measure"): frame["measure"],
            t("plan.col.lead_units"): ["、".join(u) for u in frame["lead_units"]],
            t("plan.col.support_units"): ["、".join(u) for u in frame["support_units"]],
            t("plan.col.status_day"): [("" if d is None or pd.isna(d) else str(d)) for d in frame["status_day"]],
            t("plan.col.note"): frame["note"],
            t("plan.col.set_by"): frame["set_by"].fillna(""),
        }
    )


def _open_selected() -> None:
    """A row selected in the table opens the status form for exactly that measure."""
    state: Any = st.session_state.get("tasks-table")
    try:
        rows = state["selection"]["rows"]
        st.session_state[DIALOG_KEY] = st.session_state[IDS_KEY][rows[0]]
    except (KeyError, IndexError, TypeError):
        st.session_state.pop(DIALOG_KEY, None)


def _close_dialog() -> None:
    st.session_state.pop(DIALOG_KEY, None)


st.caption(t("tasks.count", n=len(shown))
           + (w.paren(t("tasks.filter.active", what=w.sep().join(chosen_filters))) if chosen_filters else "")
           + (w.space() + t("tasks.select_hint") if actor.can_write else ""))
table = _display(shown)
st.session_state[IDS_KEY] = list(shown["measure_id"])
# The first rows static, the whole list as the grid behind an expander (issue 14: the grid's JavaScript
# only when opened); for analysts that grid selects a row and opens its status form.
w.dataframe(table, key="tasks-table", on_select=_open_selected if actor.can_write else None)
w.download_buttons(table, t("tasks.file", day=str(today)), key="tasks-table")

# -- overdue ---------------------------------------------------------------------------------------
late = plan.overdue_tasks(shown)
st.subheader(t("tasks.overdue", n=len(late)))
if late.empty:
    st.caption(t("tasks.overdue.none"))
else:
    late_table = _display(late)
    w.dataframe(late_table, key="tasks-overdue")
    w.download_buttons(late_table, t("tasks.file.overdue", day=str(today)), key="tasks-overdue")

# -- per lead unit ---------------------------------------------------------------------------------
# Chart and table drawn when opened: on the first screen they cost every cold load ≈ 0.18 s in the
# browser (docs/PERFORMANCE.md, "Browser"); the tiles above already count the whole plan.
summary_box = w.lazy_expander(t("tasks.summary"), "tasks-by-unit", icon=":material/bar_chart:")
if summary_box is not None:
    with summary_box:
        summary = plan.lead_unit_summary(shown)
        if not summary.empty:
            fig = go.Figure()
            for code in plan.SHOWN_STATUSES:
                fig.add_trace(go.Bar(y=summary["lead_unit"], x=summary[code], name=t(f"plan.task_status.{code}"),
                                     orientation="h", marker={"color": STATUS_COLOR[code]}))
            fig.update_layout(barmode="stack", title={"text": t("tasks.summary.chart")}, yaxis={"autorange": "reversed"},
                              xaxis={"title": {"text": t("plan.col.total")}})
            w.style(fig, height=200 + 22 * len(summary), legend=True)
            fig.update_layout(legend={"traceorder": "normal"})
            w.chart(fig, key="tasks-summary-chart")
            labels = {"lead_unit": t("plan.col.lead_unit"), "total": t("plan.col.total"), "overdue": t("plan.col.overdue")}
            labels.update({s: t(f"plan.task_status.{s}") for s in plan.SHOWN_STATUSES})
            summary_table = summary.rename(columns=labels)
            w.dataframe(summary_table, key="tasks-summary")
            w.download_buttons(summary_table, t("tasks.file.summary", day=str(today)), key="tasks-summary")

# -- reporting a status (analysts) -----------------------------------------------------------------
first_lines = {r.measure_id: f"{r.measure_id} {r.task}：{str(r.measure).splitlines()[0][:40]}"
               for r in everything.itertuples(index=False)}


def _save(measure_id: str, new_status: str, note: str, day: dt.date) -> None:
    try:
        plan.set_task_status(engine, measure_id, new_status, note, day, actor, targets=targets, today=today)
    except MonitorError as exc:
        ctx.show_error(exc)
        return
    st.session_state["tasks_flash"] = t("tasks.set.saved", measure=measure_id, status=t(f"plan.task_status.{new_status}"))
    st.session_state.pop(DIALOG_KEY, None)
    ctx.clear_data_caches()
    st.rerun()


@st.dialog(t("tasks.dialog.title"), width="large", on_dismiss=_close_dialog)
def status_dialog(measure_id: str) -> None:
    st.markdown(f"**{first_lines.get(measure_id, measure_id)}**")
    with st.form("task_dialog_form"):
        new_status = st.selectbox(t("tasks.set.status"), options=list(plan.STATUSES),
                                  format_func=lambda s: t(f"plan.task_status.{s}"), key="task_dialog_status")
        day = st.date_input(t("tasks.set.date"), value=today, min_value=dt.date(targets.year, 1, 1), max_value=today,
                            key="task_dialog_day", format="YYYY-MM-DD")
        note = st.text_area(t("tasks.set.note"), key="task_dialog_note")
        submitted = st.form_submit_button(t("tasks.set.submit"), key="task_dialog_submit")
    if submitted:
        _save(measure_id, new_status, note, day)


if actor.can_write:
    if st.session_state.get(DIALOG_KEY) in first_lines:
        status_dialog(str(st.session_state[DIALOG_KEY]))
    st.subheader(t("tasks.set"))
    with st.form("task_status_form"):
        measure_id = st.selectbox(t("tasks.set.measure"), options=list(everything["measure_id"]),
                                  format_func=lambda m: first_lines[m], key="task_set_measure")
        new_status = st.selectbox(t("tasks.set.status"), options=list(plan.STATUSES),
                                  format_func=lambda s: t(f"plan.task_status.{s}"), key="task_set_status")
        day = st.date_input(t("tasks.set.date"), value=today, min_value=dt.date(targets.year, 1, 1), max_value=today,
                            key="task_set_day", format="YYYY-MM-DD")
        note = st.text_area(t("tasks.set.note"), key="task_set_note")
        submitted = st.form_submit_button(t("tasks.set.submit"), key="task_set_submit")
    if submitted and measure_id:
        _save(measure_id, new_status, note, day)
else:
    st.info(t("tasks.readonly"), icon=":material/lock:")

# -- who changed what ------------------------------------------------------------------------------
st.subheader(t("tasks.history"))
history = loaders.call(loaders.task_history)
if history.empty:
    st.caption(t("tasks.history.empty"))
else:
    changes = pd.DataFrame({
        t("plan.col.measure_id"): history["measure_id"],
        t("plan.col.status"): [t(f"plan.task_status.{s}") for s in history["status"]],
        t("plan.col.status_day"): history["day"].astype(str),
        t("plan.col.note"): history["note"],
        t("plan.col.set_by"): history["set_by"],
        t("plan.col.set_at"): [w.beijing_time_text(v) for v in history["set_at"]],
    })
    w.dataframe(changes, key="tasks-history")
    w.download_buttons(changes, t("tasks.file.history"), key="tasks-history")
