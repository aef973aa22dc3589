"""指标进展 Indicators: every 附4 indicator with its target, gap and so-far status; how many are
entered; analysts enter a missing value in one click."""

from __future__ import annotations

import datetime as dt

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
zh = ctx.lang() == "zh"
year_start, year_end = dt.date(targets.year, 1, 1), dt.date(targets.year, 12, 31)
#: Bar colours by so-far status; "incomplete" (no verdict) is grey, never a failure colour.
STATUS_COLOR = {"meets": w.STATUS_STYLE["meets"][0], "exceeds": w.STATUS_STYLE["exceeds"][0]}

# The one as-of day of every page: the last day with data (never after today in Beijing).
default_day = loaders.data_end(targets.year) or min(max(loaders.as_of(), year_start), year_end)

st.title(t("indicators.title"))
flash = st.session_state.pop("indicators_flash", None)
if flash:
    st.success(flash)
# Another as-of day is one click away: a date input on the first screen cost every cold load of this
# page its own JavaScript (≈ 0.15 s in the browser; docs/PERFORMANCE.md, "Browser"). The day chosen
# is kept under AS_OF_KEY, so it stays in force with the box closed.
AS_OF_KEY = "indicators_as_of_day"
kept = st.session_state.get(AS_OF_KEY)
as_of = kept if isinstance(kept, dt.date) and year_start <= kept <= year_end else default_day
as_of_box = w.lazy_expander(t("indicators.as_of_change"), "indicators-as-of", icon=":material/event:")
if as_of_box is not None:
    as_of = as_of_box.date_input(t("indicators.as_of"), value=as_of, min_value=year_start, max_value=year_end,
                                 key="indicators_as_of", format="YYYY-MM-DD")
    st.session_state[AS_OF_KEY] = as_of
st.caption(t("indicators.caption2", as_of=t("ui.as_of", day=str(as_of))))

table = loaders.call(loaders.indicators_table, as_of)
states = [plan.indicator_state(r) for r in table.to_dict("records")]
missing = table[[s == "not_entered" for s in states]]

# -- how many are entered, and the verdicts -------------------------------------------------------
n_with, n_all = plan.entered_count(table)
enterable = int((table["source"] == "entered").sum())
w.tile_row([
    w.tile_html(t("indicators.tile.entered"), t("indicators.tile.entered_value", n=n_with, total=n_all),
                help=t("indicators.tile.entered_help", measured=int((table["source"] == "measured").sum()),
                       entered=enterable - len(missing), enterable=enterable)),
    w.tile_html(t("status.meets"), t("indicators.tile.items", n=states.count("meets"))),
    w.tile_html(t("status.exceeds"), t("indicators.tile.items", n=states.count("exceeds"))),
    w.tile_html(t("indicators.tile.not_entered"), t("indicators.tile.items", n=len(missing))),
])


def _target(row: pd.Series) -> str:
    target = plan.as_number(row["target"])
    if target is None:
        text = str(row["target_text"] or "—")
        label = t(f"plan.target_text.{text}")
        return text if label == f"plan.target_text.{text}" else label
    return f"{t('plan.direction.' + row['direction'])} {target:g}"


def _outlook(value: object) -> str:
    return "" if w.is_missing(value) or not value else t(f"outlook.{value}")


shown = pd.DataFrame(
    {
        t("plan.col.indicator"): table["name"] if zh else table["name_en"],
        t("plan.col.value"): ["—" if plan.as_number(v) is None else f"{plan.as_number(v):g}" for v in table["value"]],
        t("plan.col.unit"): [w.unit_text(str(u)) for u in table["unit"]],
        t("plan.col.target"): [_target(r) for _, r in table.iterrows()],
        # a share's gap is in percentage points (+2.3 个百分点), other gaps in the row's unit
        t("plan.col.gap"): [("—" if plan.as_number(v) is None else
                             w.gap_text(v, "%", 1) if u == "%" else f"{plan.as_number(v):+g}")
                            for v, u in zip(table["gap"], table["unit"], strict=True)],
        t("indicators.col.state"): [plan.indicator_state_text(s, ctx.lang()) for s in states],
        t("indicators.col.outlook"): [_outlook(o) for o in table["outlook"]],
        t("plan.col.source"): [t(f"plan.source.{s}") for s in table["source"]],
        t("plan.col.day"): ["" if w.is_missing(d) else str(d) for d in table["day"]],
        t("plan.col.entered_by"): [t("plan.measured_by") if s == "measured" else ("" if w.is_missing(b) else str(b))
                                   for s, b in zip(table["source"], table["entered_by"], strict=True)],
        t("plan.col.note"): table["note"].fillna(""),
    }
)
if not any(shown[t("indicators.col.outlook")]):
    # no outlook yet (reports.district gives one for the measured four): no empty column
    shown = shown.drop(columns=[t("indicators.col.outlook")])
w.dataframe(shown, height=36 * (len(shown) + 1) + 2, key="indicators-table")  # opened: every indicator, no scroll bar
w.download_buttons(shown, t("indicators.file", day=str(as_of)), key="indicators-table")

# -- not entered yet: one click opens the form for exactly that indicator --------------------------


def _close_dialog() -> None:
    st.session_state.pop("indicator_dialog", None)


def _open_dialog(key: str) -> None:
    st.session_state["indicator_dialog"] = key


@st.dialog(t("indicators.dialog.title"), on_dismiss=_close_dialog)
def entry_dialog(key: str) -> None:
    ind = targets.indicator(key)
    st.markdown(f"**{ind.name if zh else ind.name_en}**"
                + w.paren(f"{_target(table.set_index('key').loc[key])} {w.unit_text(ind.unit)}"))
    with st.form("indicator_dialog_form"):
        day = st.date_input(t("indicators.enter.date"), value=as_of, min_value=year_start, max_value=year_end,
                            key="indicator_dialog_day", format="YYYY-MM-DD")
        value = st.text_input(t("indicators.enter.value", unit=w.unit_text(ind.unit)), key="indicator_dialog_value")
        note = st.text_area(t("indicators.enter.note"), key="indicator_dialog_note")
        submitted = st.form_submit_button(t("indicators.enter.submit"), key="indicator_dialog_submit")
    if submitted:
        _save(key, day, value, note)


def _save(key: str, day: dt.date, value: str, note: str) -> None:
    try:
        plan.enter_indicator_value(engine, targets, key, day, value, note, actor, source="page")
    except MonitorError as exc:
        ctx.show_error(exc)
        return
    ind = targets.indicator(key)
    # Shown after the rerun, which redraws the table above with the new value.
    st.session_state["indicators_flash"] = t("indicators.enter.saved", name=ind.name if zh else ind.name_en,
                                             value=value, day=day)
    st.session_state.pop("indicator_dialog", None)
    ctx.clear_data_caches()
    st.rerun()


if not missing.empty:
    st.subheader(t("indicators.missing.title", n=len(missing)))
    if actor.can_write:
        st.caption(t("indicators.missing.help"))
        # One button per indicator, three to a row: the whole list stays on one screen.
        grid = st.columns(3)
        for i, row in enumerate(missing.itertuples(index=False)):
            grid[i % 3].button(row.name if zh else row.name_en, key=f"enter-{row.key}", icon=":material/edit:",
                               on_click=_open_dialog, args=(row.key,), width="stretch",
                               help=t("ui.target_line", target=f"{_target(pd.Series(row._asdict()))} {w.unit_text(row.unit)}"))
        if st.session_state.get("indicator_dialog") in set(missing["key"]):
            entry_dialog(str(st.session_state["indicator_dialog"]))
    else:
        st.info(t("indicators.missing.viewer", n=len(missing)), icon=":material/edit_note:")

# Progress chart: value as a share of its target, for indicators with a number and a value.
numeric = table[[(plan.as_number(v) is not None and plan.as_number(tg) not in (None, 0.0))
                 for v, tg in zip(table["value"], table["target"], strict=True)]]
if not numeric.empty:
    ratio = [100.0 * float(v) / float(tg) for v, tg in zip(numeric["value"], numeric["target"], strict=True)]
    names = list(numeric["name"] if zh else numeric["name_en"])
    fig = go.Figure(go.Bar(
        y=names, x=ratio, orientation="h",
        marker={"color": [STATUS_COLOR.get(s, w.STATUS_STYLE["incomplete"][0]) for s in numeric["status"]]},
        text=[f"{r:.0f}%" for r in ratio], textposition="outside",
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    ))
    fig.add_vline(x=100, line_dash="dash", line_color="#555")
    fig.update_layout(title={"text": t("indicators.chart")}, yaxis={"autorange": "reversed"})
    w.chart(w.style(fig, height=120 + 32 * len(names), legend=False), key="indicators-chart")

# -- entering values (analysts) ----------------------------------------------------------------
entered = [i for i in targets.indicators if not i.measured]
if actor.can_write:
    st.subheader(t("indicators.enter"))
    with st.form("indicator_entry", clear_on_submit=False):
        key = st.selectbox(
            t("indicators.enter.indicator"), options=[i.key for i in entered],
            format_func=lambda k: (targets.indicator(k).name if zh else targets.indicator(k).name_en)
                                  + w.paren(w.unit_text(targets.indicator(k).unit)),
            key="indicator_entry_key",
        )
        day = st.date_input(t("indicators.enter.date"), value=as_of, min_value=year_start, max_value=year_end,
                            key="indicator_entry_day", format="YYYY-MM-DD")
        value = st.text_input(t("indicators.enter.value", unit=w.unit_text(targets.indicator(key).unit) if key else ""),
                              key="indicator_entry_value")
        note = st.text_area(t("indicators.enter.note"), key="indicator_entry_note")
        submitted = st.form_submit_button(t("indicators.enter.submit"), key="indicator_entry_submit")
    if submitted and key:
        _save(key, day, value, note)

    st.subheader(t("indicators.import"))
    upload = st.file_uploader(t("indicators.import.file"), type=["csv"], key="indicator_import_file")
    if upload is not None and st.button(t("indicators.import.submit"), key="indicator_import_go"):
        try:
            n = plan.import_indicator_csv(engine, targets, upload.getvalue(), actor, name=upload.name)
        except MonitorError as exc:
            ctx.show_error(exc)
        else:
            st.session_state["indicators_flash"] = t("indicators.import.saved", n=n)
            ctx.clear_data_caches()
            st.rerun()
else:
    st.info(t("indicators.readonly"), icon=":material/lock:")

# -- who entered what --------------------------------------------------------------------------
st.subheader(t("indicators.history"))
history = loaders.call(loaders.indicator_history)
if history.empty:
    st.caption(t("indicators.history.empty"))
else:
    names = {i.key: (i.name if zh else i.name_en) for i in targets.indicators}
    entries = pd.DataFrame({
        t("plan.col.indicator"): history["indicator"].map(names),
        t("plan.col.day"): history["day"].astype(str),
        t("plan.col.value"): history["value"],
        t("plan.col.note"): history["note"],
        t("plan.col.entered_by"): history["entered_by"],
        t("plan.col.entered_at"): [w.beijing_time_text(v) for v in history["entered_at"]],
        t("plan.col.source"): [t(f"plan.entry_source.{s}") for s in history["source"]],
    })
    w.dataframe(entries, key="indicators-history")
    w.download_buttons(entries, t("indicators.history.file"), key="indicators-history")
