"""数据上传 Upload: drop a file, see what would be stored, confirm to write.

The preview is the pipeline's dry run (same validator, nothing written); the confirm
button runs the real ingest. Every rule lives in monitoring.ingest; this page draws.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import context as ctx
from dashboard.widgets import count_row, dataframe, download_buttons
from monitoring.errors import MonitorError
from monitoring.ingest import templates
from monitoring.ingest.audit import named_conflicts, rejected_csv
from monitoring.ingest.pipeline import IngestResult, ingest_file
from monitoring.ingest.readers import SheetChoiceError
from monitoring.ingest.result import SPAN_FORMAT
from monitoring.targets import subdistrict_id

PREVIEW_KEY = "upload.preview"
SHEETS_KEY = "upload.sheets"  # (file id, sheet names) of a workbook whose sheet must be chosen
DONE_KEY = "upload.done"
#: Rejected rows shown on the page (all of them are in the download).
SHOW_REJECTED = 500

t = ctx.t
engine = ctx.engine()
targets = ctx.targets()
actor = ctx.actor()
english = ctx.lang() == "en"

st.title(t("nav.upload"))
st.caption(t("upload.caption"))

with st.expander(t("upload.templates"), icon=":material/download:"):
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("upload.template_long"), templates.template_long(), file_name="readings_long_template.csv",
                       mime="text/csv", key="tpl-long")
    c2.download_button(t("upload.template_wide"), templates.template_wide(), file_name="readings_wide_template.csv",
                       mime="text/csv", key="tpl-wide")
    c3.download_button(t("upload.template_road_dust"), templates.template_road_dust(),
                       file_name="road_dust_template.csv", mime="text/csv", key="tpl-dust")

if not actor.can_write:
    st.info(t("upload.login"), icon=":material/lock:")
    st.stop()


def progress_bar(label: str):  # type: ignore[no-untyped-def]
    bar = st.progress(0.0, text=label)

    def update(fraction: float, message: str) -> None:
        bar.progress(max(0.0, min(1.0, fraction)), text=f"{label} {message}")

    return bar, update


def metrics(result: IngestResult, *, stored: bool) -> None:
    count_row([(t("upload.m.rows"), result.readings),
               (t("upload.m.stored" if stored else "upload.m.accepted"), result.counts.accepted),
               (t("upload.m.rejected"), result.rejected_readings), (t("upload.m.duplicates"), result.counts.duplicates),
               (t("upload.m.conflicts"), result.counts.conflicts), (t("upload.m.missing"), result.counts.missing)])


def reconcile(result: IngestResult, *, stored: bool) -> None:
    """The file's lines and readings, and what becomes of each reading: the terms add up."""
    conflicts = result.counts.conflicts - result.counts.replaced  # a replaced conflict is counted as written
    rejected = result.rejected_readings
    written = result.readings - result.counts.duplicates - conflicts - result.counts.missing - rejected
    st.markdown(t("upload.reconcile", lines=f"{result.lines:,}", readings=f"{result.readings:,}",
                  verb=t("upload.m.stored" if stored else "upload.m.accepted"), written=f"{written:,}",
                  duplicates=f"{result.counts.duplicates:,}", conflicts=f"{conflicts:,}", missing=f"{result.counts.missing:,}",
                  rejected=f"{rejected:,}", rejected_lines=f"{result.counts.rejected:,}"))
    st.caption(t("upload.reconcile_note") + (t("upload.replaced_note", n=result.counts.replaced) if result.counts.replaced else ""))


def duplicates_section(result: IngestResult) -> None:
    """The duplicate rows with their line numbers, listed (and downloadable) like the rejected ones."""
    dup = result.duplicate_rows
    if not result.counts.duplicates or not len(dup):
        return
    road_dust = result.kind == "road_dust"
    title = "upload.duplicates_road_dust" if road_dust else "upload.duplicates"
    st.markdown(f"**{t(title, n=f'{result.counts.duplicates:,}')}**")
    if result.counts.duplicates > len(dup):
        st.caption(t("upload.first_shown", n=f"{len(dup):,}"))
    if road_dust:
        table = road_dust_duplicates(dup)
    else:
        table = named_conflicts(dup.drop(columns="line").rename(columns={"value": "old_value"}), targets)
        table.insert(0, "line", dup["line"].to_numpy())
        table = readable(table.rename(columns={"old_value": "value"}))
    table.columns = [t(f"upload.col.{c}") for c in table.columns]
    dataframe(table, key="upload-duplicates")
    download_buttons(table, f"{result.file.rsplit('.', 1)[0]}_duplicates", key="upload-duplicates")


def road_dust_duplicates(dup: pd.DataFrame) -> pd.DataFrame:
    """Line, subdistrict (its name in the screen's language), road, day, load, grade."""
    names = {subdistrict_id(sd.code): sd.pinyin if english else sd.short_name for sd in targets.subdistricts}
    table = dup.copy()
    table.insert(1, "subdistrict", table.pop("subdistrict_id").map(names))
    table["day"] = pd.to_datetime(table["day"]).dt.strftime("%Y-%m-%d")
    table["grade"] = table["grade"].fillna("")
    return table


def rejected_section(result: IngestResult, key: str) -> None:
    if not result.rejected_rows:
        return
    st.subheader(t("upload.rejected", n=f"{len(result.rejected_rows):,}"))
    frame = pd.DataFrame(
        [(r.line, r.raw, r.reason_en if english else r.reason) for r in result.rejected_rows[:SHOW_REJECTED]],
        columns=[t("upload.col.line"), t("upload.col.raw"), t("upload.col.reason")],
    )
    dataframe(frame, key=f"upload-{key}")
    stem = result.file.rsplit(".", 1)[0]
    download_buttons(frame, f"{stem}_rejected", key=f"upload-{key}")
    st.download_button(t("upload.rejected_download"), rejected_csv(result.rejected_rows),
                       file_name=f"{stem}_rejected_rows.csv", mime="text/csv", key=key, icon=":material/download:")


def pollutant_name(code: str) -> str:
    return t(f"pollutant.{code}")


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Pollutant names, times to the minute, and no station column when no row has one."""
    table["pollutant"] = table["pollutant"].map(pollutant_name)
    table["time"] = pd.to_datetime(table["time"]).dt.strftime("%Y-%m-%d %H:%M")
    if "station" in table and not table["station"].fillna("").astype(str).str.strip().any():
        table = table.drop(columns="station")
    return table


def conflict_table(conflicts: pd.DataFrame) -> pd.DataFrame:
    table = readable(named_conflicts(conflicts.head(SHOW_REJECTED), targets))
    keys = {"old_value": "old", "new_value": "new"}
    table.columns = [t(f"upload.col.{keys.get(c, c)}") for c in table.columns]
    return table


def preview_section(result: IngestResult) -> None:
    st.subheader(t("upload.preview"))
    st.caption(t("upload.kind", kind=t(f"upload.kind.{result.kind}"), sha=result.sha256 or "—"))
    metrics(result, stored=False)
    reconcile(result, stored=False)
    if result.first_label and result.last_label:
        stamp = SPAN_FORMAT[result.kind]
        st.markdown(t("upload.span", first=f"{result.first_label:{stamp}}", last=f"{result.last_label:{stamp}}"))
    if result.ignored_columns:
        st.info(t("upload.ignored_columns", cols=", ".join(result.ignored_columns)), icon=":material/visibility_off:")
    for note in result.conversions:
        st.info(t("upload.conversions", text=note.en if english else note.zh), icon=":material/schedule:")
    for note in result.warnings:
        st.warning(t("upload.warnings", text=note.en if english else note.zh), icon=":material/warning:")
    if result.dust_days:
        st.warning(t("upload.dust_days", days="、".join(d.isoformat() for d in result.dust_days)))
    counts = result.by_subdistrict_pollutant
    if len(counts):
        st.markdown(f"**{t('upload.counts')}**")
        shown = counts.copy()
        if english:
            pinyin = {sd.short_name: sd.pinyin for sd in targets.subdistricts}
            shown["subdistrict"] = shown["subdistrict"].map(lambda s: pinyin.get(s, s))
        shown["pollutant"] = shown["pollutant"].map(lambda p: t(f"pollutant.{p}") if p != "road_dust" else t("upload.kind.road_dust"))
        for col in ("first", "last"):
            shown[col] = pd.to_datetime(shown[col]).dt.strftime("%Y-%m-%d %H:%M" if result.kind == "readings" else "%Y-%m-%d")
        shown.columns = [t(f"upload.col.{c}") for c in ("subdistrict", "pollutant", "rows", "first", "last")]
        dataframe(shown, key="upload-counts")
        download_buttons(shown, f"{result.file.rsplit('.', 1)[0]}_preview", key="upload-counts")
    if len(result.conflict_rows):
        st.markdown(f"**{t('upload.conflicts', n=len(result.conflict_rows))}**")
        conflicts = conflict_table(result.conflict_rows)
        dataframe(conflicts, key="upload-conflicts")
        download_buttons(conflicts, f"{result.file.rsplit('.', 1)[0]}_conflicts", key="upload-conflicts")
    duplicates_section(result)
    rejected_section(result, "rejected-preview")


uploaded = st.file_uploader(t("upload.file"), type=["csv", "txt", "tsv", "xlsx"], key="upload_file", max_upload_size=200)
with st.expander(t("upload.options")):
    strict = st.checkbox(t("upload.strict"), key="upload_strict")
    replace = st.checkbox(t("upload.replace"), key="upload_replace")
    hour_beginning = st.checkbox(t("upload.hour_beginning"), key="upload_hour_beginning")

data = uploaded.getvalue() if uploaded is not None else b""
file_id = (uploaded.name, len(data), getattr(uploaded, "file_id", "")) if uploaded is not None else None
sheets = st.session_state.get(SHEETS_KEY)
sheet: str | None = None
if isinstance(sheets, tuple) and sheets[0] == file_id:  # drawn on every run, so the choice stays
    sheet = st.selectbox(t("upload.sheet"), sheets[1], index=None, key="upload_sheet")
options: dict[str, Any] = {"strict": strict, "replace": replace, "hour_beginning": hour_beginning, "sheet": sheet}
preview_id = (file_id, tuple(sorted(options.items())))

entry = st.session_state.get(DONE_KEY)
if isinstance(entry, tuple) and uploaded is not None and entry[0] != file_id:
    st.session_state.pop(DONE_KEY, None)  # another file was dropped: start over
    entry = None
if isinstance(entry, tuple):
    done: IngestResult = entry[1]
    if done.status == "succeeded":
        st.success(t("upload.done", accepted=done.counts.accepted, rows=done.counts.rows, rejected=done.counts.rejected,
                     duplicates=done.counts.duplicates, conflicts=done.counts.conflicts, run_id=done.run_id), icon=":material/check_circle:")
    else:
        st.error(t("upload.refused", message=done.message if english else done.message_zh))
    if done.run_id is not None:
        try:
            st.page_link("pages/quality.py", label=t("upload.see_run", run_id=done.run_id), icon=":material/fact_check:",
                         query_params={"run": str(done.run_id)})
        except Exception:  # the page is opened outside the router (tests): show the run number only
            st.caption(t("upload.see_run", run_id=done.run_id))
    metrics(done, stored=True)
    reconcile(done, stored=True)
    rejected_section(done, "rejected-done")
    st.stop()

if uploaded is None:
    st.session_state.pop(PREVIEW_KEY, None)
    st.stop()

cached = st.session_state.get(PREVIEW_KEY)
if isinstance(cached, tuple) and cached[0] == preview_id:
    preview: IngestResult = cached[1]
else:
    bar, update = progress_bar(t("upload.checking"))
    try:
        preview = ingest_file(engine, data, name=uploaded.name, targets=targets, actor=actor, run_kind="upload",
                              dry_run=True, progress=update, **options)
    except SheetChoiceError as exc:
        bar.empty()
        if not (isinstance(sheets, tuple) and sheets[0] == file_id):
            st.session_state[SHEETS_KEY] = (file_id, exc.sheets)
            st.rerun()  # draw the sheet choice
        ctx.show_error(exc)
        st.stop()
    except MonitorError as exc:
        bar.empty()
        ctx.show_error(exc)
        st.stop()
    bar.empty()
    st.session_state[PREVIEW_KEY] = (preview_id, preview)

preview_section(preview)
if strict and preview.counts.rejected:
    st.error(t("upload.strict_refused", n=preview.counts.rejected))
    st.stop()
if preview.counts.accepted == 0 and not preview.dust_days:
    st.info(t("upload.nothing"))
    st.stop()
if st.button(t("upload.confirm"), type="primary", key="upload_confirm", icon=":material/save:"):
    bar, update = progress_bar(t("upload.writing"))
    try:
        result = ingest_file(engine, data, name=uploaded.name, targets=targets, actor=actor, run_kind="upload",
                             progress=update, **options)
    except MonitorError as exc:
        bar.empty()
        ctx.show_error(exc)
        st.stop()
    bar.empty()
    ctx.clear_data_caches()
    st.session_state[DONE_KEY] = (file_id, result)
    st.session_state.pop(PREVIEW_KEY, None)
    st.rerun()
