"""目标设置 Targets: the targets and standards in force (targets.yaml), read-only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import context as ctx
from dashboard import widgets as w
from dashboard.standards_section import render_rule_sets

t = ctx.t
targets = ctx.targets()
f = ctx.filters()
english = ctx.lang() == "en"

st.title(t("nav.targets"))
st.caption(t("targets.subtitle", plan=targets.plan_in(ctx.lang()), year=targets.year))
st.info(t("targets.read_only"), icon=":material/lock:")

tab_sd, tab_ind, tab_std, tab_road = w.lazy_tabs(
    [t("targets.tab_subdistricts"), t("targets.tab_indicators"), t("targets.tab_standards"), t("targets.tab_road")],
    key="targets-tab",
)
if tab_sd.open:
    with tab_sd:
        frame = pd.DataFrame(
            [(sd.short_name, sd.name, sd.pinyin, sd.code, sd.pm25_target) for sd in targets.subdistricts],
            columns=[t("ui.col.subdistrict"), t("targets.col.full_name"), t("targets.col.pinyin"), t("ui.col.code"),
                     t("targets.col.pm25_target")],
        )
        w.dataframe(frame)
        w.download_buttons(frame, t("targets.file_subdistricts", year=targets.year), key="targets-sd")
        st.caption(t("targets.subdistrict_source"))
if tab_ind.open:
    with tab_ind:
        frame = pd.DataFrame(
            [((i.name_en if english else i.name), w.unit_text(i.unit), t(f"targets.direction.{i.direction}"), i.target,
              i.target_text, t("targets.measured" if i.measured else "targets.entered"),
              w.english_terms(i.source) if english else i.source, i.key)
             for i in targets.indicators],
            columns=[t("ui.col.name"), t("ui.col.unit"), t("targets.col.direction"), t("ui.col.target"),
                     t("targets.col.target_text"), t("targets.col.measured"), t("ui.col.source"), t("targets.col.key")],
        )
        w.dataframe(frame)
        w.download_buttons(frame, t("targets.file_indicators", year=targets.year), key="targets-ind")
if tab_std.open:
    with tab_std:
        render_rule_sets(targets)  # issue 12 §1: every rule set by date, provisional ones marked
        day = dt.date(f.year, 12, 31)
        aqi = targets.aqi_standard(day)
        validity = targets.validity(day)
        limits = targets.limits(day)
        rounding = targets.standards.rounding
        st.markdown(t("targets.aqi_title", standard=aqi.standard + (w.paren(t('standards.provisional')) if aqi.provisional else ""),
                      since=str(aqi.effective_from), year=f.year))
        bounds = [0] + [c.max_aqi for c in aqi.categories[:-1]]
        cats = pd.DataFrame(
            [(c.level, c.name_en if english else c.name,
              f"{lo + (1 if i else 0)}–{c.max_aqi}" if c.max_aqi is not None else f"> {lo}", c.color)
             for i, (c, lo) in enumerate(zip(aqi.categories, bounds, strict=True))],
            columns=[t("targets.col.level"), t("ui.col.category"), "AQI", t("targets.col.color")],
        )
        w.dataframe(cats, style=lambda s: s.apply(lambda col: [f"background-color: {v}" for v in col],
                                                  subset=[t("targets.col.color")]))
        st.caption(t("targets.aqi_days", good=aqi.good_day_max_aqi, heavy=aqi.heavy_day_above_aqi,
                     primary=aqi.primary_pollutant_above))
        st.markdown(t("targets.validity_title", standard=validity.standard))
        st.markdown(t("targets.validity_text", hours=validity.daily_min_hours, month=validity.monthly_min_days,
                      feb=validity.february_min_days, year=validity.annual_min_days, o3=validity.o3_8h_min_hours))
        st.markdown(t("targets.limits_title", standard=limits.standard,
                      status=t("standards.provisional" if limits.provisional else "standards.confirmed"), year=f.year))
        lim = pd.DataFrame(sorted(limits.values.items()), columns=[t("targets.col.limit_key"), t("targets.col.limit")])
        w.dataframe(lim)
        st.markdown(t("targets.rounding_text", standard=rounding.standard, decimals=rounding.decimals,
                      rule=t(f"targets.rounding.{rounding.rule}")))
        rules = targets.status_rules
        st.markdown(t("targets.status_rules", margin=rules.at_risk_margin, days=rules.min_days_for_projection,
                      years=rules.seasonal_profile_years))
        w.download_buttons(cats, t("targets.file_aqi"), sheets={"AQI": cats, "limits": lim}, key="targets-std")
if tab_road.open:
    with tab_road:
        grades = targets.road_dust.grades
        if grades:
            frame = pd.DataFrame(list(grades.items()), columns=[t("ui.col.grade"), t("targets.col.upper")])
            w.dataframe(frame)
            st.caption(t("targets.road_source", source=targets.road_dust.grades_source or "—"))
        else:
            st.warning(t("targets.road_none"), icon=":material/help:")
        st.caption(t("targets.road_unit", unit=targets.road_dust.unit))
