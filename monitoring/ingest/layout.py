"""Layout sniffing: which line is the header, and what its headers say.

From the header cells (Chinese or English, units in brackets allowed) a file is told to be
readings in long form (``subdistrict, time, pollutant, value``), readings in wide form
(one column per pollutant) or road dust (``subdistrict, road, date, load``); each role's
column position is noted, and a file whose headers say none of these is refused with what
was expected. Shared by the CSV reader, the XLSX reader and HTTP sources' frames.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from monitoring.errors import InputError
from monitoring.printable import one_line as printable  # the one-line form of a file's text in messages

#: role → accepted header spellings (normalised by ``norm_header``).
HEADER_ROLES: dict[str, tuple[str, ...]] = {
    "subdistrict": ("subdistrict", "街道", "街道名称", "街道办事处", "所属街道", "街道代码", "区划代码", "subdistrictcode", "street"),
    "time": ("time", "datetime", "timestamp", "时间", "监测时间", "日期时间", "时间点", "采样时间", "timepoint", "date", "日期", "监测日期"),
    "pollutant": ("pollutant", "污染物", "指标", "项目", "监测项目", "污染物名称", "parameter"),
    "value": ("value", "浓度", "数值", "监测值", "浓度值", "concentration"),
    "station": ("station", "站点", "监测点", "站点名称", "监测站点", "站点编码", "stationcode", "stationname"),
    "unit": ("unit", "单位", "units"),
    "dust": ("dust", "沙尘", "沙尘天", "dustday", "sanddust"),
    "year": ("year", "年"),
    "month": ("month", "月", "月份"),
    "day": ("day", "日"),
    "hour": ("hour", "时", "小时"),
    "road": ("road", "道路", "道路名称", "路段", "roadname"),
    "load": ("load", "尘负荷", "道路尘负荷", "dustload", "负荷"),
    "grade": ("grade", "等级", "负荷等级"),
}

#: pollutant spellings (normalised by ``norm_header``) → code.
POLLUTANT_NAMES: dict[str, str] = {}
for _code, _names in {
    "pm25": ("pm2.5", "pm25", "pm2_5", "pm2,5", "细颗粒物", "细颗粒物pm2.5", "pm2.5细颗粒物"),
    "pm10": ("pm10", "可吸入颗粒物", "可吸入颗粒物pm10", "pm10可吸入颗粒物"),
    "so2": ("so2", "二氧化硫", "二氧化硫so2"),
    "no2": ("no2", "二氧化氮", "二氧化氮no2"),
    "o3": ("o3", "臭氧", "臭氧o3", "o31h", "o3_1h"),
    "co": ("co", "一氧化碳", "一氧化碳co"),
}.items():
    for _name in _names:
        POLLUTANT_NAMES[_name] = _code

_ROLE_OF: dict[str, str] = {spelling: role for role, spellings in HEADER_ROLES.items() for spelling in spellings}
_UNIT_SUFFIX = re.compile(r"^(.*?)[(（\[【]\s*(.+?)\s*[)）\]】]$")


def norm_header(text: Any) -> str:
    """A header reduced for matching: NFKC, no spaces or BOM, lower case."""
    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").strip().lower()
    return re.sub(r"\s+", "", s)


def split_unit(header: str) -> tuple[str, str]:
    """``PM2.5(μg/m³)`` → (``pm2.5``, ``μg/m³``); a header without a unit → (header, "")."""
    h = norm_header(header)
    m = _UNIT_SUFFIX.match(h)
    if m and m.group(1):
        return m.group(1), m.group(2)
    return h, ""


def pollutant_code(name: Any) -> str | None:
    return POLLUTANT_NAMES.get(norm_header(name))


@dataclass
class Layout:
    """What the header line says: the kind of data and where each role's cells are."""

    kind: str  # readings | road_dust
    form: str  # long | wide | road_dust
    roles: dict[str, int]  # role → column position
    pollutants: dict[int, str]  # wide: column position → pollutant code
    header_units: dict[int, str]  # column position → unit written in its header
    headers: list[str]
    ignored: list[str] = field(default_factory=list)

    def columns(self) -> list[str]:
        """Canonical names for the positions used, in file order (wide: ``v:<code>``)."""
        names = {pos: role for role, pos in self.roles.items()}
        names.update({pos: f"v:{code}" for pos, code in self.pollutants.items()})
        return [names[p] for p in sorted(names)]


_EXPECTED_EN = (
    "readings: subdistrict, time, pollutant, value [station, unit] (long) or subdistrict, time, PM2.5, PM10, … (wide); "
    "road dust: subdistrict, road, date, load [grade]"
)
_EXPECTED_ZH = "监测数据：街道、时间、污染物、浓度（长表）或 街道、时间、PM2.5、PM10…（宽表）；道路尘负荷：街道、道路、日期、尘负荷（等级可选）"


def _looks_garbled(headers: list[str]) -> bool:
    text = "".join(headers)
    return bool(re.search(r"[ÃÂÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ\ufffd]|锟|烫|屯", text))


def detect_layout(headers: list[str], *, name: str) -> Layout:
    """Tell the kind and form from the headers, or refuse the file with what was expected."""
    roles: dict[str, int] = {}
    pollutants: dict[int, str] = {}
    units: dict[int, str] = {}
    ignored: list[str] = []
    for pos, header in enumerate(headers):
        base, unit = split_unit(header)
        if not base:
            ignored.append(f"#{pos + 1}")
            continue
        role = _ROLE_OF.get(base)
        code = POLLUTANT_NAMES.get(base)
        if role is not None and role not in roles:
            roles[role] = pos
        elif code is not None and code not in pollutants.values():
            pollutants[pos] = code
        else:
            ignored.append(str(header))
            continue
        if unit:
            units[pos] = unit
    road_dust = "road" in roles and "load" in roles
    if road_dust:
        # a road-dust file names its date 日期 / 月份 / month: any of them is the date.
        for alias in ("time", "month"):
            if alias in roles and "date" not in roles:
                roles["date"] = roles.pop(alias)
        missing = [r for r in ("subdistrict", "road", "date", "load") if r not in roles]
        form = "road_dust"
        kind = "road_dust"
        pollutants = {}
    else:
        kind = "readings"
        has_time = "time" in roles or all(r in roles for r in ("year", "month", "day"))
        has_place = "subdistrict" in roles or "station" in roles
        if "pollutant" in roles and "value" in roles:
            form = "long"
            pollutants = {}
        elif pollutants:
            form = "wide"
        else:
            form = "long"
        missing = []
        if not has_place:
            missing.append("subdistrict")
        if not has_time:
            missing.append("time")
        if form == "long":
            missing += [r for r in ("pollutant", "value") if r not in roles]
    if missing:
        shown = ", ".join(printable(h, 40) if h else "(empty)" for h in headers[:12])
        garbled = _looks_garbled(headers)
        hint = (
            "the header looks garbled: save the file as UTF-8 (CSV UTF-8 in Excel) or GBK and try again"
            if garbled
            else f"use the headers of the template: {_EXPECTED_EN}"
        )
        raise InputError(
            f"{name}: line 1: unknown columns [{shown}]; missing {', '.join(missing)}",
            message_zh=(
                f"{name}：第 1 行表头无法识别（{shown}），缺少 {'、'.join(_ROLE_ZH.get(m, m) for m in missing)}；"
                + ("表头似乎是乱码，请另存为 UTF-8 或 GBK 编码后重试" if garbled else f"请使用模板表头：{_EXPECTED_ZH}")
            ),
            hint=hint,
        )
    kept = set(roles.values()) | set(pollutants)
    if road_dust:
        ignored = [h for pos, h in enumerate(headers) if pos not in kept and h.strip()]
    elif form == "long":
        # a pollutant column beside pollutant/value (``…,value,PM10``) is not read: say so
        # (issue 13), in file order with the others.
        dropped = {pos for pos, h in enumerate(headers) if pos not in kept and split_unit(h)[0]}
        ignored = [h if split_unit(h)[0] else f"#{pos + 1}" for pos, h in enumerate(headers)
                   if pos in dropped or (pos not in kept and not split_unit(h)[0])]
    return Layout(kind=kind, form=form, roles=roles, pollutants=pollutants, header_units=units, headers=headers, ignored=ignored)


_ROLE_ZH = {"subdistrict": "街道", "time": "时间", "pollutant": "污染物", "value": "浓度", "road": "道路", "date": "日期", "load": "尘负荷"}


# -- the header line ---------------------------------------------------------------------

#: The delimiters a header line is tried with (the one it holds most of wins).
DELIMITERS = (",", "\t", ";", "|", "，")
def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def find_header(lines: list[str], name: str) -> tuple[int, str, list[str]]:
    """The header line (0-based), the delimiter and the header cells."""
    best: tuple[int, int, str, list[str]] | None = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        delimiter = max(DELIMITERS, key=line.count)
        cells = _split_header(line, delimiter) if line.count(delimiter) else [line]
        known = known_headers(cells)
        if known >= 2:
            return i, delimiter, cells
        if best is None:
            best = (i, known, delimiter, cells)
    if best is None:
        raise InputError(f"{name}: the file is empty", message_zh=f"{name}：文件是空的",
                         hint="export the data again; the file has no rows")
    return best[0], best[2], best[3]



def known_headers(cells: list[str]) -> int:
    """How many cells name a role or a pollutant (two or more: the line is the header)."""
    return sum(1 for c in cells if _ROLE_OF.get(split_unit(c)[0]) or POLLUTANT_NAMES.get(split_unit(c)[0]))
