"""数据质量 Data quality: the scheduled pulls, the ingestion audit, each subdistrict's hours
with data, demo removal."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import context as ctx
from dashboard import loaders
from dashboard import widgets as w
from dashboard.events_section import render_panel as events_panel
from monitoring import timeutil
from monitoring.errors import MonitorError
from monitoring.ingest.audit import (
    STORED_COUNT_MAX_ROWS,
    demo_runs,
    hours_share,
    named_conflicts,
    rejected_csv,
    remove_demo_data,
    run_detail,
    runs_table,
)
from monitoring.pull_status import PullStatus, configured_sources, pull_status
from monitoring.targets import subdistrict_id

RUNS_SHOWN = 200
COLUMN_KEYS = {"old_value": "old", "new_value": "new"}
#: The run whose detail is shown (its id), kept across runs of the page; ``?run=ID`` sets it first.
RUN_KEY = "quality_run"

t = ctx.t
engine = ctx.engine()
targets = ctx.targets()
actor = ctx.actor()
english = ctx.lang() == "en"

st.title(t("nav.quality"))
st.caption(t("quality.caption"))


# -- scheduled pulls ----------------------------------------------------------------------
def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%d %H:%M}"


def _pull_state(line: PullStatus) -> str:
    return t("pull.none") if line.last_status is None else t(f"pull.status.{line.last_status}")


def pull_panel() -> None:
    """Each source of sources.yaml: its last pull, last success and newest hour received.

    Not cached (no loader): pulls are written by another process (`schedule`, cron), which
    cannot clear this server's caches, and the status reads ingestion_runs only (two small
    statements, ~15 ms with 20,000 pull runs beside 7.9 million readings).
    """
    st.subheader(t("pull.title"))
    try:
        sources = configured_sources(targets=targets)
        lines = pull_status(engine, sources)
    except MonitorError as exc:
        ctx.show_error(exc)  # a broken sources.yaml is named here; the rest of the page still draws
        return
    if not sources:
        st.info(t("pull.no_sources"), icon=":material/info:")
        st.caption(t("pull.how"))
        if not lines:
            return
    for line in lines:
        if line.configured and line.failed:
            st.warning(f"**{line.source}** · {_pull_state(line)} · {t('pull.failed_reason', reason=line.failure_reason)}",
                       icon=":material/sync_problem:")
    table = pd.DataFrame(
        {
            t("pull.source"): [line.source for line in lines],
            t("pull.kind"): [t(f"pull.kind.{line.kind}") if line.configured else t("pull.not_configured")
                             for line in lines],
            t("pull.last"): [_when(line.last_started) for line in lines],
            t("pull.status"): [_pull_state(line) for line in lines],
            t("quality.col.accepted"): pd.array([None if line.never_pulled else line.last_accepted for line in lines],
                                                dtype="Int64"),
            t("quality.col.duplicates"): pd.array(
                [None if line.never_pulled else line.last_duplicates for line in lines], dtype="Int64"),
            t("pull.last_success"): [_when(line.last_success_started) for line in lines],
            t("pull.newest"): [_when(line.newest_reading) for line in lines],
            t("pull.reason"): [line.failure_reason or None for line in lines],
        }
    )
    w.dataframe(table)
    w.download_buttons(table, t("pull.title"), notes=[t("pull.caption")], key="pull-status")
    st.caption(t("pull.caption"))
    if sources:
        st.caption(t("pull.catch_up") + (" " if english else "") + t("pull.how"))


pull_panel()

# -- runs -----------------------------------------------------------------------------
st.subheader(t("quality.runs"))
runs = runs_table(engine, limit=RUNS_SHOWN)
if runs.empty:
    st.info(t("quality.no_runs"))
else:
    shown = pd.DataFrame(
        {
            t("quality.col.id"): runs["id"],
            t("quality.col.started"): runs["started_at"],
            t("quality.col.finished"): runs["finished_at"],  # "" while running or after a kill
            t("quality.col.kind"): runs["kind"].map(lambda k: t(f"quality.kind.{k}")),
            t("quality.col.data_kind"): runs["data_kind"].map(lambda k: t(f"upload.kind.{k}")),
            t("quality.col.source"): runs["source"],
            t("quality.col.user"): runs["user"],
            t("quality.col.status"): runs["status"].map(lambda s: t(f"quality.status.{s}")),
            t("quality.col.rows"): runs["rows"],
            t("quality.col.accepted"): runs["accepted"],
            t("quality.col.rejected"): runs["rejected"],
            t("quality.col.duplicates"): runs["duplicates"],
            t("quality.col.conflicts"): runs["conflicts"],
            t("quality.col.sha256"): runs["sha256"].fillna("").map(lambda s: s[:12]),
        }
    )
    w.dataframe(shown, height=320, key="quality-runs")
    w.download_buttons(shown, t("quality.runs_file"), key="quality-runs")

    ids = [int(i) for i in runs["id"]]
    wanted = st.query_params.get("run")
    if RUN_KEY not in st.session_state and wanted is not None and wanted.isdigit() and int(wanted) in ids:
        st.session_state[RUN_KEY] = int(wanted)
    # The picker is one click away: a select box on the first screen cost every cold load of this page
    # its JavaScript (≈ 0.13 s in the browser; docs/PERFORMANCE.md, "Browser"). The run shown (the
    # newest unless one was chosen or linked) is kept under RUN_KEY, so it stays with the box closed.
    pick_box = w.lazy_expander(t("quality.pick_other"), "quality-pick", icon=":material/history:")
    labels = {int(r.id): f"#{r.id} · {r.source} · {t(f'quality.status.{r.status}')}"
              for r in runs.itertuples(index=False)} if pick_box is not None else {}
    run_id = w.kept_choice(pick_box, "selectbox", t("quality.pick"), ids, key=RUN_KEY, widget_key="quality_run_pick",
                           format_func=lambda i: labels.get(i, str(i)))
    small = int(runs.loc[runs["id"] == run_id, "accepted"].iloc[0]) <= STORED_COUNT_MAX_ROWS if run_id is not None else False
    detail = run_detail(engine, int(run_id), count_stored=small) if run_id is not None else None
    if detail is not None:
        r = detail.run
        st.markdown(f"**{t('quality.run_title', id=r['id'], source=r['source'])}**")
        st.caption(
            t("quality.run_meta", kind=t(f"quality.kind.{r['kind']}"), data_kind=t(f"upload.kind.{r['data_kind']}"),
              user=r["user"], started=r["started_at"], status=t(f"quality.status.{r['status']}"))
        )
        if r["sha256"]:
            st.caption(t("quality.sha", sha=r["sha256"]))
        if r["message"]:
            st.caption(t("quality.message", message=r["message"]))
        w.count_row([(t(f"upload.m.{'stored' if key == 'accepted' else key}"), int(r[key] or 0))
                     for key in ("rows", "accepted", "rejected", "duplicates", "conflicts", "missing")])
        if detail.stored >= 0:
            st.caption(t("quality.stored_now", n=detail.stored))
        if len(detail.rejected):
            st.markdown(f"**{t('upload.rejected', n=f'{len(detail.rejected):,}')}**")
            table = detail.rejected.loc[:, ["line", "raw", "reason_en" if english else "reason"]]
            table.columns = [t("upload.col.line"), t("upload.col.raw"), t("upload.col.reason")]
            w.dataframe(table.head(1000), key="quality-rejected-rows")
            st.download_button(t("upload.rejected_download"), rejected_csv(detail.rejected),
                               file_name=f"run_{r['id']}_rejected_rows.csv", mime="text/csv", key="quality-rejected",
                               icon=":material/download:")
        else:
            st.caption(t("quality.no_rejected"))
        if len(detail.conflicts):
            st.markdown(f"**{t('upload.conflicts', n=len(detail.conflicts))}**")
            table = named_conflicts(detail.conflicts.head(1000), targets)
            table.columns = [t(f"upload.col.{COLUMN_KEYS.get(c, c)}") for c in table.columns]
            w.dataframe(table, key="quality-conflicts")
        if r["data_kind"] == "readings" and r["status"] == "succeeded":
            # issue 13: kept, but flagged; cached until any listed run appears or changes state
            runs_state = ",".join(f"{i}:{s}" for i, s in zip(runs["id"], runs["status"], strict=True))
            odd = loaders.pm25_above_pm10(engine, ctx.cache_key(), int(r["id"]), runs_state)
            if len(odd):
                by_id = {subdistrict_id(sd.code): sd.pinyin if english else sd.short_name for sd in targets.subdistricts}
                st.warning(t("quality.plausibility", n=f"{len(odd):,}"), icon=":material/warning:")
                st.caption(t("quality.plausibility_caption"))
                shown_odd = pd.DataFrame({
                    t("upload.col.subdistrict"): odd["subdistrict_id"].map(by_id),
                    t("upload.col.station"): odd["station"],
                    t("upload.col.time"): pd.to_datetime(odd["time"]).dt.strftime("%Y-%m-%d %H:%M"),
                    t("quality.col.pm25"): odd["pm25"],
                    t("quality.col.pm10"): odd["pm10"],
                })
                w.dataframe(shown_odd, key="quality-plausibility")

# -- hours with data --------------------------------------------------------------------
year = timeutil.today_beijing().year
st.subheader(t("quality.coverage", year=year))
share = hours_share(engine, targets, year)
elapsed = int(share["elapsed"].iloc[0]) if len(share) else 0
st.caption(t("quality.coverage_caption", elapsed=elapsed))
cov = pd.DataFrame(
    {
        t("upload.col.subdistrict"): share["pinyin"] if english else share["subdistrict"],
        t("quality.col.hours"): share["hours"],
        t("quality.col.share"): (share["share"] * 100).round(1),
    }
)
# 15 rows: static (issue 14: no grid JavaScript on the first screen); the share with "%" and an inline
# bar in its cell, as the grid's progress column showed it.
share_col = t("quality.col.share")
w.dataframe(cov, key="quality-coverage", style=lambda s: s.format("{:.1f}%", subset=[share_col], na_rep="—").bar(
    subset=[share_col], vmin=0, vmax=100, color="#9ecae1", height=70, width=100))

# -- where the data come from (issue 14: the built-in history's hour convention) -------------
st.subheader(t("quality.sources_title"))
st.markdown(t("quality.sources_text"))
st.caption(t("ui.hour_convention"))
st.caption(t("attribution.uci"))

# -- demo data ------------------------------------------------------------------------------
st.subheader(t("quality.demo"))
demo = demo_runs(engine)
if not demo:
    st.caption(t("quality.demo_none"))
else:
    st.markdown(t("quality.demo_present", runs=len(demo)))
    if actor.can_write:
        sure = st.checkbox(t("quality.demo_confirm"), key="quality_demo_sure")
        if st.button(t("quality.demo_remove"), disabled=not sure, key="quality_demo_remove", icon=":material/delete:"):
            try:
                n_runs, n_rows = remove_demo_data(engine, targets, actor)
            except MonitorError as exc:
                ctx.stop_with(exc)
            ctx.clear_data_caches()
            st.session_state["quality_demo_removed"] = (n_runs, n_rows, dt.datetime.now().isoformat())
            st.rerun()
    else:
        st.caption(t("upload.login"))
removed = st.session_state.get("quality_demo_removed")
if isinstance(removed, tuple):
    st.success(t("quality.demo_removed", runs=removed[0], rows=removed[1]))

# -- exceptional events: everyone sees the list, analysts flag and remove ------------------------
st.divider()
events_panel(engine, targets, actor)
