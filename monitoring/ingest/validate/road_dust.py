"""Road-dust rules: the measurement date (a month alone is its first day), road, load and grade."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from monitoring.ingest.validate.common import Context, Reasons, _reasons, _short, merge
from monitoring.ingest.validate.times import check_not_too_early, normalise_time_text
from monitoring.ingest.validate.values import parse_numbers

GRADES = ("优", "良", "中", "差")


def parse_dust_dates(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Measurement dates; a month alone (2026-03) is its first day, flagged month_only."""
    s = normalise_time_text(cells)
    days = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    month_only = np.zeros(len(s), dtype=bool)
    todo = days.isna().to_numpy()
    if todo.any():
        part = pd.to_datetime(s[todo].str.rstrip("-"), format="%Y-%m", errors="coerce")
        hit = part.notna().to_numpy()
        idx = np.flatnonzero(todo)[hit]
        days.iloc[idx] = part[hit].to_numpy()
        month_only[idx] = True
    todo = days.isna().to_numpy()
    if todo.any():  # a date with a time of day: the day counts
        part = pd.to_datetime(s[todo], format="%Y-%m-%d %H:%M", errors="coerce")
        days[todo] = part.dt.normalize()
    return days, month_only


def check_dust_date(cells: pd.Series, days: pd.Series, ctx: Context) -> Reasons:
    """A date (or month) that exists and is not in the future."""
    bad = days.isna().to_numpy()
    unparsed = _reasons(
        bad,
        lambda c: f'无法识别的日期 "{_short(c)}"；请写成 2026-03-15 或 2026-03' if str(c).strip() else "日期为空",
        lambda c: f'unreadable date "{_short(c)}"; write 2026-03-15 or 2026-03' if str(c).strip() else "date is empty",
        cells,
    )
    lab = days.to_numpy()
    future = ~bad & (lab > np.datetime64(dt.datetime.combine(ctx.today, dt.time())))
    late = _reasons(future, lambda c: f"日期 {_short(c)} 在未来", lambda c: f"date {_short(c)} is in the future", cells)
    return merge(unparsed, late, check_not_too_early(days, ctx))


def check_road(cells: pd.Series) -> Reasons:
    """A road name is given and fits the column (100 characters)."""
    text = cells.str.strip()
    empty = (text == "").to_numpy()
    long = (text.str.len() > 100).to_numpy()
    return merge(
        _reasons(empty, "道路名称为空", "road name is empty"),
        _reasons(long, "道路名称超过 100 个字符", "road name is longer than 100 characters"),
    )


def check_load(cells: pd.Series, ctx: Context) -> tuple[np.ndarray, np.ndarray, Reasons]:
    """Load in g/m²: a number, not negative, not above ingest.road_dust_max_load."""
    text = cells.str.strip()
    folded = text.str.replace(r"\s*(g/m²|g/m2|克/平方米)$", "", regex=True)
    numbers = parse_numbers(folded.to_numpy(dtype=object))
    missing = text.str.lower().isin(ctx.missing_marks).to_numpy() | np.isin(numbers, ctx.missing_values)
    numbers[missing] = np.nan
    nan = np.isnan(numbers) & ~missing
    neg = ~np.isnan(numbers) & (numbers < 0)
    high = ~np.isnan(numbers) & (numbers > ctx.road_dust_max_load)
    reasons = merge(
        _reasons(nan, lambda c: f'尘负荷 "{_short(c)}" 不是数字', lambda c: f'load "{_short(c)}" is not a number', cells),
        _reasons(neg, lambda c: f"尘负荷 {c} 为负数", lambda c: f"load {c} is negative", cells),
        _reasons(
            high,
            lambda c: f"尘负荷 {c} 超出合理范围 0–{ctx.road_dust_max_load:g} g/m²",
            lambda c: f"load {c} is outside the plausible range 0–{ctx.road_dust_max_load:g} g/m²",
            cells,
        ),
    )
    numbers[nan | neg | high] = np.nan
    return numbers, missing, reasons


def check_grade(cells: pd.Series) -> tuple[pd.Series, Reasons]:
    """Grade 优 / 良 / 中 / 差 when given; empty means none given."""
    text = cells.str.strip()
    bad = ~(text.isin(GRADES) | (text == "")).to_numpy()
    return text.where(text != "", None), _reasons(
        bad,
        lambda c: f'等级 "{_short(c)}" 无法识别；应为 优、良、中、差 或留空',
        lambda c: f'grade "{_short(c)}" not understood; use 优, 良, 中, 差 or leave it empty',
        cells,
    )
