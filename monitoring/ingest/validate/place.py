"""Place rules: the subdistrict and the station a row names, and that they agree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from monitoring.ingest.validate.common import Context, Reasons, _reasons, _short, per_distinct
from monitoring.targets import normalise_name


def check_subdistrict(cells: pd.Series, ctx: Context) -> tuple[pd.Series, Reasons]:
    """Known subdistrict: name with or without 街道, short form, pinyin, or area code."""
    ids = per_distinct(cells, lambda v: ctx.resolver.get(normalise_name(v), np.nan), dtype="float64")
    bad = ids.isna().to_numpy()
    known_zh = "、".join(ctx.subdistrict_names)
    known_en = ", ".join(ctx.subdistrict_pinyin)
    reasons = _reasons(
        bad,
        lambda c: f'未知街道 "{_short(c)}"；可用：{known_zh}' if str(c).strip() else f"街道为空；可用：{known_zh}",
        lambda c: f'unknown subdistrict "{_short(c)}"; known: {known_en} (or their Chinese names or area codes)'
        if str(c).strip()
        else "subdistrict is empty",
        cells,
    )
    return ids, reasons


def check_station(cells: pd.Series, ctx: Context) -> tuple[pd.Series, pd.Series, Reasons]:
    """Known station (code, Chinese or English name); an empty cell means the whole subdistrict."""
    codes = per_distinct(cells, lambda v: ctx.stations.get(normalise_name(v), ("", 0))[0])
    sids = per_distinct(cells, lambda v: ctx.stations.get(normalise_name(v), ("", np.nan))[1], dtype="float64")
    empty = (cells.str.strip() == "").to_numpy()
    bad = sids.isna().to_numpy() & ~empty
    known = "、".join(ctx.station_names)
    reasons = _reasons(
        bad,
        lambda c: f'未知站点 "{_short(c)}"；可用：{known}',
        lambda c: f'unknown station "{_short(c)}"; known: {known}',
        cells,
    )
    return codes, sids, reasons


def check_station_in_subdistrict(sd_ids: pd.Series, station_sids: pd.Series, stations: pd.Series, subdistricts: pd.Series) -> Reasons:
    """A station named with a subdistrict must stand in that subdistrict."""
    both = sd_ids.notna() & station_sids.notna()
    bad = (both & (sd_ids != station_sids)).to_numpy()
    rows = np.flatnonzero(bad)
    if not len(rows):
        return Reasons.none()
    st, sd = stations.to_numpy()[rows], subdistricts.to_numpy()[rows]
    return Reasons(
        rows,
        [f'站点 "{a}" 不在街道 "{b}"' for a, b in zip(st, sd, strict=True)],
        [f'station "{a}" is not in subdistrict "{b}"' for a, b in zip(st, sd, strict=True)],
    )
