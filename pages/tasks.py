"""重点任务 Key tasks: the plan's work measures by annex, unit and status; overdue; per lead unit."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import context as ctx
from monitoring import plan
from monitoring.errors import MonitorError

t = ctx.t
engine = ctx.engine()
targets = ctx.targets()
actor = ctx.actor()
ALL = "__all__"
STATUS_COLOR = {"not_started": "#bdbdbd", "in_progress": "#4e79a7", "done": "#1a9850", "late": "#d73027"}

st.title(t("tasks.title"))
all_tasks = plan.load_tasks()
st.caption(t("tasks.caption", tasks=all_tasks.groupby("annex")["task_no"].nunique().sum(), measures=len(all_tasks)))
flash = st.session_state.pop("tasks_flash", None)
if flash:
    st.success(flash)

today = plan.beijing_today()
c1, c2, c3 = st.columns(3)
annex = c1.selectbox(t("tasks.filter.annex"), options=[ALL, 1, 2, 3],
                     format_func=lambda a: t("tasks.filter.all") if a == ALL else t(f"tasks.annex.{a}"), key="tasks_annex")
unit = c2.selectbox(t("tasks.filter.unit"), options=[ALL, *plan.all_units(all_tasks)],
                    format_func=lambda u: t("tasks.filter.all") if u == ALL else u, key="tasks_unit")
status = c3.selectbox(t("tasks.filter.status"), options=[ALL, *plan.STATUSES],
                      format_func=lambda s: t("tasks.filter.all") if s == ALL else t(f"plan.task_status.{s}"),
                      key="tasks_status")
try:
    everything = plan.tasks_table(engine, targets, as_of=today)
    shown = plan.tasks_table(
        engine, targets, as_of=today,
        annex=None if annex == ALL else int(annex),
        unit=None if unit == ALL else str(unit),
        status=None if status == ALL else str(status),
    )
except MonitorError as exc:
    ctx.stop_with(exc)


def _display(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("plan.col.measure_id"): frame["measure_id"],
            t("plan.col.status"): [t(f"plan.task_status.{s}") + (" ⚠" if o else "") for s, o in
                                   zip(frame["status"], frame["overdue"], strict=True)],
            t("plan.col.deadline"): frame["deadline"],
            t("plan.col.task"): frame["task"],
            t("plan.col.measure"): frame["measure"],
            t("plan.col.lead_units"): ["、".join(u) for u in frame["lead_units"]],
            t("plan.col.support_units"): ["、".join(u) for u in frame["support_units"]],
            t("plan.col.status_day"): [("" if d is None or pd.isna(d) else str(d)) for d in frame["status_day"]],
            t("plan.col.note"): frame["note"],
            t("plan.col.set_by"): frame["set_by"].fillna(""),
        }
    )


st.caption(t("tasks.count", n=len(shown)))
st.dataframe(_display(shown), hide_index=True, key="tasks-table")

# -- overdue ---------------------------------------------------------------------------------------
late = plan.overdue_tasks(shown)
st.subheader(t("tasks.overdue", n=len(late)))
if late.empty:
    st.caption(t("tasks.overdue.none"))
else:
    st.dataframe(_display(late), hide_index=True, key="tasks-overdue")

# -- per lead unit ---------------------------------------------------------------------------------
st.subheader(t("tasks.summary"))
summary = plan.lead_unit_summary(shown)
if not summary.empty:
    fig = go.Figure()
    for code in plan.STATUSES:
        fig.add_trace(go.Bar(y=summary["lead_unit"], x=summary[code], name=t(f"plan.task_status.{code}"),
                             orientation="h", marker={"color": STATUS_COLOR[code]}))
    fig.update_layout(barmode="stack", title={"text": t("tasks.summary.chart")}, height=160 + 22 * len(summary),
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, yaxis={"autorange": "reversed"},
                      legend={"orientation": "h", "y": -0.05})
    st.plotly_chart(fig, width="stretch", key="tasks-summary-chart", config={"displaylogo": False})
    labels = {"lead_unit": t("plan.col.lead_unit"), "total": t("plan.col.total"), "overdue": t("plan.col.overdue")}
    labels.update({s: t(f"plan.task_status.{s}") for s in plan.STATUSES})
    st.dataframe(summary.rename(columns=labels), hide_index=True, key="tasks-summary")

# -- setting a status (analysts) -------------------------------------------------------------------
if actor.can_write:
    st.subheader(t("tasks.set"))
    options = list(everything["measure_id"])
    first_lines = {r.measure_id: f"{r.measure_id} {r.task}：{str(r.measure).splitlines()[0][:40]}"
                   for r in everything.itertuples(index=False)}
    with st.form("task_status_form"):
        measure_id = st.selectbox(t("tasks.set.measure"), options=options, format_func=lambda m: first_lines[m],
                                  key="task_set_measure")
        new_status = st.selectbox(t("tasks.set.status"), options=list(plan.STATUSES),
                                  format_func=lambda s: t(f"plan.task_status.{s}"), key="task_set_status")
        day = st.date_input(t("tasks.set.date"), value=today, min_value=dt.date(targets.year, 1, 1), max_value=today,
                            key="task_set_day")
        note = st.text_area(t("tasks.set.note"), key="task_set_note")
        submitted = st.form_submit_button(t("tasks.set.submit"))
    if submitted and measure_id:
        try:
            plan.set_task_status(engine, measure_id, new_status, note, day, actor, targets=targets, today=today)
        except MonitorError as exc:
            ctx.show_error(exc)
        else:
            st.session_state["tasks_flash"] = t("tasks.set.saved", measure=measure_id,
                                                status=t(f"plan.task_status.{new_status}"))
            ctx.clear_data_caches()
            st.rerun()
else:
    st.info(t("tasks.readonly"), icon=":material/lock:")

# -- who changed what ------------------------------------------------------------------------------
st.subheader(t("tasks.history"))
history = plan.task_history(engine)
if history.empty:
    st.caption(t("tasks.history.empty"))
else:
    st.dataframe(
        pd.DataFrame({
            t("plan.col.measure_id"): history["measure_id"],
            t("plan.col.status"): [t(f"plan.task_status.{s}") for s in history["status"]],
            t("plan.col.status_day"): history["day"].astype(str),
            t("plan.col.note"): history["note"],
            t("plan.col.set_by"): history["set_by"],
            t("plan.col.set_at"): history["set_at"].astype(str),
        }),
        hide_index=True, key="tasks-history",
    )
