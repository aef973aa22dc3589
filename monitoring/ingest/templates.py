"""Template files for the upload page: the long and wide readings layouts and road dust.

UTF-8 with BOM, so Excel opens the Chinese headers correctly; example rows are real
spellings the reader accepts (short names, hour-ending labels, a missing mark).
"""

from __future__ import annotations

import io

import pandas as pd


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def template_long() -> bytes:
    """街道, 时间, 污染物, 浓度, 单位 — one value per row (station optional)."""
    rows = [
        ("德胜", "2026-01-05 13:00", "PM2.5", "35", "μg/m³"),
        ("德胜", "2026-01-05 13:00", "CO", "0.8", "mg/m³"),
        ("广内", "2026-01-05 13:00", "PM2.5", "NA", "μg/m³"),
        ("展览路", "2026-01-05", "PM2.5", "31", "μg/m³"),
    ]
    return _csv(pd.DataFrame(rows, columns=["街道", "时间", "污染物", "浓度", "单位"]))


def template_wide() -> bytes:
    """街道, 时间, then one column per pollutant (µg/m³; CO mg/m³)."""
    rows = [
        ("德胜", "2026-01-05 13:00", "35", "60", "40", "3", "45", "0.8"),
        ("广内", "2026-01-05 13:00", "33", "—", "38", "3", "48", "0.7"),
        ("展览路", "2026-01-05", "31", "55", "36", "2", "50", "0.6"),
    ]
    return _csv(pd.DataFrame(rows, columns=["街道", "时间", "PM2.5", "PM10", "NO2", "SO2", "O3", "CO"]))


def template_road_dust() -> bytes:
    """街道, 道路名称, 日期 (or a month), 道路尘负荷 (g/m²), 等级 (optional)."""
    rows = [
        ("德胜", "德胜门外大街", "2026-03", "0.42", "良"),
        ("新街口", "新街口外大街", "2026-03-15", "0.31", ""),
    ]
    return _csv(pd.DataFrame(rows, columns=["街道", "道路名称", "日期", "道路尘负荷", "等级"]))
