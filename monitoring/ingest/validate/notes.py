"""Notes: what the result says beside its counts (issue 13) — times converted from another
zone, PM2.5 above PM10 in the same hour and place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from monitoring.targets import POLLUTANTS

#: Lines a note names at most (the count covers them all).
NOTE_LINES = 5


@dataclass
class Note:
    """Something the result tells beside its counts: a conversion made, or a warning."""

    code: str  # time_zone | pm25_above_pm10
    rows: int
    lines: list[int]  # the first NOTE_LINES lines it concerns
    en: str
    zh: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "rows": self.rows, "lines": self.lines, "message": self.en, "message_zh": self.zh}


def _lines_text(lines: list[int], rows: int) -> str:
    return ", ".join(str(x) for x in lines) + (", …" if rows > len(lines) else "")


def zone_note(lines: np.ndarray) -> Note | None:
    """Times written with another zone, converted to Beijing time."""
    if not len(lines):
        return None
    first = sorted(int(x) for x in np.unique(lines))
    n, shown = len(first), first[:NOTE_LINES]
    return Note(
        "time_zone",
        n,
        shown,
        f"{n} time(s) carried a time zone (Z, +00:00 …) and were converted to Beijing time (UTC+8): line {_lines_text(shown, n)}",
        f"{n} 个时间带有时区（Z、+00:00 等），已换算为北京时间（UTC+8）：第 {_lines_text(shown, n)} 行",
    )


def pm25_above_pm10(frame: pd.DataFrame) -> Note | None:
    """Hours (or days) where a place's PM2.5 is above its PM10: kept, but flagged.

    PM2.5 is part of PM10, so a higher PM2.5 in the same hour and place says one of the
    two values (or their columns) is wrong. Same key: subdistrict, station, time, resolution.
    """
    if frame.empty or "pollutant" not in frame:
        return None
    pol = frame["pollutant"].astype("category").cat.set_categories(list(POLLUTANTS)).cat.codes.to_numpy()
    pm25, pm10 = pol == POLLUTANTS.index("pm25"), pol == POLLUTANTS.index("pm10")
    if not pm25.any() or not pm10.any():
        return None
    station = frame["station"].astype("category").cat.codes.to_numpy().astype("int64")
    res = frame["resolution"].astype("category").cat.codes.to_numpy().astype("int64")
    # one int64 per key (ts < 2^35, 2 resolutions, subdistrict < 1024, station codes < 2^16)
    key = ((frame["ts"].to_numpy().astype("int64") * 2 + res) * 1024 + frame["subdistrict_id"].to_numpy().astype("int64")) * 65536 + station
    _common, i25, i10 = np.intersect1d(key[pm25], key[pm10], assume_unique=False, return_indices=True)
    if not len(i25):
        return None
    values = frame["value"].to_numpy(dtype="float64")
    above = values[pm25][i25] > values[pm10][i10]
    if not above.any():
        return None
    lines = np.sort(frame["line"].to_numpy()[pm25][i25][above])
    n, shown = len(lines), [int(x) for x in lines[:NOTE_LINES]]
    return Note(
        "pm25_above_pm10",
        n,
        shown,
        f"plausibility: PM2.5 above PM10 in the same hour and place {n} time(s), kept, check the values: line {_lines_text(shown, n)}",
        f"合理性提示：{n} 处同一时间同一地点 PM2.5 高于 PM10（已保存，请核对数值）：第 {_lines_text(shown, n)} 行",
    )
