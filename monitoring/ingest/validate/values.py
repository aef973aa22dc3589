"""Value rules: the pollutant, its unit and the number (the number grammar, missing marks,
error codes, the plausible range), and the optional sand-dust flag."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from monitoring.ingest.validate.common import Context, Reasons, _reasons, _short, merge, per_distinct
from monitoring.targets import POLLUTANT_NAMES, POLLUTANT_TABLE, POLLUTANTS

#: The number grammar (issue 13): optional sign, digits with an optional decimal part (or a
#: decimal part alone), an optional exponent, spaces around. Python's float() also takes
#: ``1_0`` (= 10), ``inf``, ``nan`` and digits of any script, none of which a file means.
NUMBER = re.compile(r"[ \t]*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?[ \t]*")


#: Any character outside the grammar's alphabet (a fast check over a whole column at once).
_OUTSIDE_GRAMMAR = re.compile(r"[^0-9.eE+\- \t]")


#: Flags of the optional sand-dust column that mark the row's day as a dust day.
DUST_TRUE = frozenset({"1", "是", "true", "yes", "y", "沙尘", "√", "✓", "x"})


DUST_FALSE = frozenset({"", "0", "否", "false", "no", "n"})


UNIT_OF = {p.code: p.unit_key for p in POLLUTANT_TABLE}


UNIT_TEXT = {p.unit_key: p.unit for p in POLLUTANT_TABLE}


POLLUTANT_TEXT = POLLUTANT_NAMES


def check_pollutant(cells: pd.Series) -> tuple[pd.Series, Reasons]:
    """Known pollutant name (PM2.5 / pm25 / 细颗粒物 …)."""
    from monitoring.ingest.layout import POLLUTANT_NAMES as SPELLINGS
    from monitoring.ingest.layout import norm_header

    index = {p: i for i, p in enumerate(POLLUTANTS)}
    positions = per_distinct(cells, lambda v: index.get(SPELLINGS.get(norm_header(v), ""), -1), dtype="int8")
    codes = pollutant_series(positions.to_numpy(), cells.index)
    known_zh, known_en = "、".join(POLLUTANT_NAMES.values()), ", ".join(POLLUTANT_NAMES.values())
    return codes, _reasons(
        codes.isna().to_numpy(),
        lambda c: f'未知污染物 "{_short(c)}"；可用：{known_zh}',
        lambda c: f'unknown pollutant "{_short(c)}"; known: {known_en}',
        cells,
    )


def pollutant_series(positions: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """Pollutant codes as a categorical Series from positions in POLLUTANTS (-1: unknown)."""
    return pd.Series(pd.Categorical.from_codes(positions.astype("int8", copy=False), categories=list(POLLUTANTS)), index=index)


def _category_lookup(codes: pd.Series, table: dict[str, float]) -> np.ndarray:
    """A number per row from a per-pollutant table (NaN for an unknown pollutant)."""
    if isinstance(codes.dtype, pd.CategoricalDtype):
        cats = list(codes.cat.categories)
        lookup = np.asarray([table.get(c, np.nan) for c in cats] + [np.nan], dtype="float64")
        positions = codes.cat.codes.to_numpy().astype("int64")
        return lookup[np.where(positions < 0, len(cats), positions)]
    return per_distinct(codes, lambda p: table.get(p, np.nan), dtype="float64").to_numpy()


def norm_unit(text: Any) -> str:
    """``μg/m³``, ``ug/m3``, ``微克/立方米`` → ``ugm3``; ``mg/m³``, ``毫克/立方米`` → ``mgm3``."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = s.replace("μ", "u").replace("µ", "u").replace("微克", "ug").replace("毫克", "mg").replace("立方米", "m3")
    s = re.sub(r"[\s/^·*]", "", s).replace("m-3", "m3")
    return s


def check_unit(units: pd.Series | None, codes: pd.Series) -> Reasons:
    """The unit given (column or header) is the pollutant's unit: µg/m³, CO mg/m³.

    ``units`` None: the file gives no unit.
    """
    if units is None:
        return Reasons.none()
    normal = per_distinct(units, norm_unit)
    if not (normal != "").any():
        return Reasons.none()
    expected = codes.map(UNIT_OF).astype(object)
    bad = ((normal != "") & codes.notna() & (normal != expected)).to_numpy()
    rows = np.flatnonzero(bad)
    if not len(rows):
        return Reasons.none()
    given, want, pol = units.to_numpy()[rows], expected.to_numpy()[rows], codes.to_numpy()[rows]
    zh, en = [], []
    for g, w, p in zip(given, want, pol, strict=True):
        name, unit = POLLUTANT_TEXT[p], UNIT_TEXT[w]
        if norm_unit(g) in UNIT_TEXT:
            zh.append(f"单位 {g} 与 {name} 的单位 {unit} 不符；请换算后再上传")
            en.append(f"unit {g} is not the unit of {name} ({unit}); convert the values first")
        else:
            zh.append(f'未知单位 "{_short(g)}"；{name} 应为 {unit}')
            en.append(f'unknown unit "{_short(g)}"; {name} is in {unit}')
    return Reasons(rows, zh, en)


_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)\s*$")


@dataclass
class Values:
    numbers: np.ndarray  # float64, NaN where missing or refused
    missing: np.ndarray  # bool: a missing-value mark
    reasons: Reasons


def number(text: str) -> float | None:
    """The number a cell writes by the grammar (``NUMBER``), or None."""
    return float(text) if NUMBER.fullmatch(text) else None


def parse_numbers(raw_cells: np.ndarray) -> np.ndarray:
    """float64 per cell by the number grammar; NaN where a cell is not such a number."""
    try:
        # the usual file: every cell a number, converted by Python's float() in one pass
        # (~4× faster than to_numeric). float() is wider than the grammar, so the column
        # is then checked whole: finite, and no character outside the grammar's alphabet
        # (with those, float() accepts exactly the grammar).
        numbers = np.array(raw_cells, dtype="float64")
        if np.isfinite(numbers).all() and not _OUTSIDE_GRAMMAR.search(" ".join(raw_cells)):
            return numbers
    except (ValueError, TypeError):
        pass
    numbers = np.full(len(raw_cells), np.nan, dtype="float64")
    for i, cell in enumerate(raw_cells):
        if isinstance(cell, str) and NUMBER.fullmatch(cell):
            numbers[i] = float(cell)
    return numbers


def parse_values(cells: pd.Series, codes: pd.Series, ctx: Context | None = None) -> Values:
    """Numbers from value cells; missing marks counted; a unit inside a cell checked.

    A unit inside the cell is accepted when it is the pollutant's own unit (stripped),
    refused otherwise. Anything else that is not a number (by ``NUMBER``) is refused, and
    so is a logger's error code (targets.yaml ``ingest.error_codes``).
    """
    marks = ctx.missing_marks if ctx is not None else frozenset({""})
    raw_cells = cells.to_numpy(dtype=object)
    numbers = parse_numbers(raw_cells)
    failed = np.isnan(numbers)
    missing = np.zeros(len(cells), dtype=bool)
    reasons = Reasons.none()
    if failed.any():
        rows = np.flatnonzero(failed)
        raw = np.asarray([str(c).strip() for c in raw_cells[rows]], dtype=object)
        zh: list[str] = []
        en: list[str] = []
        bad_rows: list[int] = []
        pol = codes.to_numpy()[rows]
        for row_np, cell, p in zip(rows, raw, pol, strict=True):
            row = int(row_np)
            folded = unicodedata.normalize("NFKC", str(cell)).strip()
            if folded.lower() in marks:
                missing[row] = True
                continue
            if (parsed := number(folded)) is not None:  # full-width digits, folded by NFKC
                numbers[row] = parsed
                continue
            m = _NUMBER_WITH_UNIT.match(folded)
            if m and isinstance(p, str):
                unit = norm_unit(m.group(2))
                if unit == UNIT_OF[p]:
                    numbers[row] = float(m.group(1))
                    continue
                if unit in UNIT_TEXT:
                    bad_rows.append(row)
                    zh.append(f"值 {_short(cell)} 的单位与 {POLLUTANT_TEXT[p]} 的单位 {UNIT_TEXT[UNIT_OF[p]]} 不符")
                    en.append(f"value {_short(cell)} has a unit other than {POLLUTANT_TEXT[p]}'s {UNIT_TEXT[UNIT_OF[p]]}")
                    continue
            bad_rows.append(row)
            zh.append(f'值 "{_short(cell)}" 不是数字')
            en.append(f'value "{_short(cell)}" is not a number')
        reasons = Reasons(np.asarray(bad_rows, dtype="int64"), zh, en)
    if ctx is not None:
        missing |= np.isin(numbers, ctx.missing_values)
        codes_hit = np.isin(numbers, ctx.error_codes)
        if codes_hit.any():
            reasons = merge(reasons, _error_codes(codes_hit, numbers, codes))
    numbers[missing] = np.nan
    if len(reasons):
        numbers[reasons.rows] = np.nan
    return Values(numbers=numbers, missing=missing, reasons=reasons)


def _error_codes(hit: np.ndarray, numbers: np.ndarray, codes: pd.Series) -> Reasons:
    rows = np.flatnonzero(hit)
    pol = codes.to_numpy()[rows]
    return Reasons(
        rows,
        [f"{POLLUTANT_TEXT.get(p, p)} 值 {numbers[r]:g} 是仪器的故障代码，不是测量值（targets.yaml ingest.error_codes）"
         for r, p in zip(rows, pol, strict=True)],
        [f"{POLLUTANT_TEXT.get(p, p)} value {numbers[r]:g} is an instrument error code, not a measurement "
         "(targets.yaml ingest.error_codes)" for r, p in zip(rows, pol, strict=True)],
    )


def check_not_negative(numbers: np.ndarray, codes: pd.Series) -> Reasons:
    """No negative concentration (-999, -99 … are missing values, handled before)."""
    bad = ~np.isnan(numbers) & (numbers < 0)
    rows = np.flatnonzero(bad)
    pol = codes.iloc[rows].to_numpy()
    return Reasons(
        rows,
        [f"{POLLUTANT_TEXT.get(p, p)} 值 {numbers[r]:g} 为负数" for r, p in zip(rows, pol, strict=True)],
        [f"{POLLUTANT_TEXT.get(p, p)} value {numbers[r]:g} is negative" for r, p in zip(rows, pol, strict=True)],
    )


def check_range(numbers: np.ndarray, codes: pd.Series, ctx: Context) -> Reasons:
    """Within the plausible range of targets.yaml (ingest.plausible_range)."""
    low = _category_lookup(codes, {p: r[0] for p, r in ctx.ranges.items()})
    high = _category_lookup(codes, {p: r[1] for p, r in ctx.ranges.items()})
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(numbers) & (numbers >= 0) & ((numbers > high) | (numbers < low))
    rows = np.flatnonzero(bad)
    pol = codes.iloc[rows].to_numpy()
    zh, en = [], []
    for r, p in zip(rows, pol, strict=True):
        lo, hi = ctx.ranges[p]
        unit = UNIT_TEXT[UNIT_OF[p]]
        zh.append(f"{POLLUTANT_TEXT[p]} 值 {numbers[r]:g} 超出合理范围 {lo:g}–{hi:g} {unit}（单位是否有误？）")
        en.append(f"{POLLUTANT_TEXT[p]} value {numbers[r]:g} is outside the plausible range {lo:g}–{hi:g} {unit} (wrong unit?)")
    return Reasons(rows, zh, en)


def dust_flags(cells: pd.Series) -> tuple[np.ndarray, Reasons]:
    """The optional sand-dust column: 1 / 是 / true marks the row's day as a dust day."""
    distinct = pd.unique(cells.to_numpy())
    folded = {v: unicodedata.normalize("NFKC", str(v)).strip().lower() for v in distinct}
    flag = cells.map({v: f in DUST_TRUE for v, f in folded.items()}).to_numpy(dtype=bool)
    unknown = cells.map({v: f not in DUST_TRUE and f not in DUST_FALSE for v, f in folded.items()}).to_numpy(dtype=bool)
    return flag, _reasons(
        unknown,
        lambda c: f'沙尘标记 "{_short(c)}" 无法识别；请填 1/是 或留空',
        lambda c: f'sand-dust flag "{_short(c)}" not understood; use 1/yes or leave it empty',
        cells,
    )
