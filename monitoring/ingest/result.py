"""What an ingest returns and says: ``IngestResult``, its counts, its messages and preview tables.

Counting (one rule for every layout): ``rows = accepted + rejected + duplicates +
missing + (conflicts - replaced)``. A wide row holds one reading per pollutant column;
a row refused as a whole (unknown subdistrict, bad time) counts once. In readings (what the
upload preview shows): ``readings = accepted + rejected_readings + duplicates + missing +
(conflicts - replaced)``, where a wide row refused as a whole counts all its readings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from monitoring import timeutil
from monitoring.counts import Counts
from monitoring.ingest import validate as v
from monitoring.targets import POLLUTANTS, Targets


@dataclass
class RejectedRow:
    line: int
    raw: str
    reason: str  # e.g. '第 12 行: 未知街道 "德胜门外"; 可用: 德胜, …'
    reason_en: str


@dataclass
class IngestResult:
    file: str
    kind: str  # readings | road_dust
    #: rows (readings: a wide line holds one per pollutant column), accepted, rejected
    #: (lines), duplicates, conflicts, replaced, missing; first_ts / last_ts stay None here
    #: (the span is first_label / last_label, road dust's too): ``run_counts`` fills them
    counts: Counts = field(default_factory=Counts)
    lines: int = 0  # the file's data lines (header and blank lines excluded)
    #: the readings the file holds, and those refused: ``rejected`` counts lines, and a wide
    #: line refused as a whole holds one reading per pollutant column. readings = accepted +
    #: rejected_readings + duplicates + missing + (conflicts - replaced)
    readings: int = 0
    rejected_readings: int = 0
    run_id: int | None = None
    status: str = "dry_run"  # succeeded | refused | failed | dry_run
    first_label: dt.datetime | None = None
    last_label: dt.datetime | None = None
    by_subdistrict_pollutant: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    conflict_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: a dry run's rows already present with the same value (in the store or earlier in the
    #: file), in line order, the first DUP_ROWS_KEPT: line, then the key and value(s) of the
    #: kind (``DUPLICATE_COLUMNS``); the count is counts.duplicates
    duplicate_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str = ""
    message_zh: str = ""
    sha256: str | None = None
    dust_days: list[dt.date] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    conversions: list[v.Note] = field(default_factory=list)  # e.g. zoned times → Beijing time
    warnings: list[v.Note] = field(default_factory=list)  # plausibility: kept, but to check

    def to_json(self) -> dict[str, Any]:
        c = self.counts  # flat keys, in this order: docs/INTERFACES.md
        return {
            "file": self.file,
            "kind": self.kind,
            "rows": c.rows,
            "lines": self.lines,
            "readings": self.readings,
            "rejected_readings": self.rejected_readings,
            "accepted": c.accepted,
            "rejected": c.rejected,
            "duplicates": c.duplicates,
            "conflicts": c.conflicts,
            "replaced": c.replaced,
            "missing": c.missing,
            "run_id": self.run_id,
            "status": self.status,
            "sha256": self.sha256,
            "first_label": self.first_label.isoformat(sep=" ", timespec="minutes") if self.first_label else None,
            "last_label": self.last_label.isoformat(sep=" ", timespec="minutes") if self.last_label else None,
            "dust_days": [d.isoformat() for d in self.dust_days],
            "message": self.message,
            "ignored_columns": self.ignored_columns,
            "conversions": [n.to_json() for n in self.conversions],
            "warnings": [n.to_json() for n in self.warnings],
            "rejected_rows": [
                {"line": r.line, "raw": r.raw, "reason": r.reason_en, "reason_zh": r.reason} for r in self.rejected_rows
            ],
        }

    @property
    def refused(self) -> bool:
        return self.status in ("refused", "failed")


#: Duplicate readings kept in a preview's list (the count is always whole).
DUP_ROWS_KEPT = 1000


#: The columns of ``IngestResult.duplicate_rows`` for each kind of file.
DUPLICATE_COLUMNS = {
    "readings": ["line", "subdistrict_id", "pollutant", "time", "station", "value"],
    "road_dust": ["line", "subdistrict_id", "road", "day", "load", "grade"],
}


def duplicate_table(parts: list[pd.DataFrame], kind: str = "readings") -> pd.DataFrame:
    """A dry run's duplicate rows (file rows), in line order, as the preview lists them."""
    if not parts:
        return pd.DataFrame(columns=DUPLICATE_COLUMNS[kind])
    dup = pd.concat(parts, ignore_index=True).sort_values("line", kind="stable").head(DUP_ROWS_KEPT)
    if kind == "road_dust":
        return pd.DataFrame(
            {
                "line": dup["line"].to_numpy(dtype="int64"),
                "subdistrict_id": dup["subdistrict_id"].to_numpy(dtype="int64"),
                "road": dup["road"].astype(str).to_numpy(),
                "day": dup["day"].to_numpy(),
                "load": dup["load"].to_numpy(dtype="float64"),
                "grade": dup["grade"].to_numpy(),
            }
        )
    return pd.DataFrame(
        {
            "line": dup["line"].to_numpy(dtype="int64"),
            "subdistrict_id": dup["subdistrict_id"].to_numpy(),
            "pollutant": dup["pollutant"].astype(str).to_numpy(),
            "time": timeutil.ts_to_labels(dup["ts"].to_numpy()),
            "station": dup["station"].astype(str).to_numpy(),
            "value": dup["value"].to_numpy(dtype="float64"),
        }
    )


def conflict_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """A dry run's conflicts as the preview shows them (the write's come from the audit)."""
    if not parts:
        return pd.DataFrame()
    clash = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(
        {
            "subdistrict_id": clash["subdistrict_id"].to_numpy(),
            "pollutant": clash["pollutant"].to_numpy(),
            "time": timeutil.ts_to_labels(clash["ts"].to_numpy()),
            "station": clash["station"].to_numpy(),
            "old_value": clash["old_value"].to_numpy(),
            "new_value": clash["new_value"].to_numpy(),
        }
    )


def fill_preview(result: IngestResult, frame: pd.DataFrame, targets: Targets, kind: str) -> None:
    from monitoring.targets import subdistrict_id

    names = {subdistrict_id(sd.code): sd.short_name for sd in targets.subdistricts}
    if frame.empty:
        result.by_subdistrict_pollutant = pd.DataFrame(columns=["subdistrict", "pollutant", "rows", "first", "last"])
        return
    if kind == "road_dust":
        grouped = frame.groupby("subdistrict_id").agg(rows=("load", "size"), first=("day", "min"), last=("day", "max")).reset_index()
        grouped.insert(1, "pollutant", "road_dust")
        result.first_label = dt.datetime.combine(min(frame["day"]), dt.time())
        result.last_label = dt.datetime.combine(max(frame["day"]), dt.time())
    else:
        # one small group code per row and ufunc reductions: no large temporaries.
        pol = pd.Categorical(frame["pollutant"], categories=POLLUTANTS).codes.astype("int64")
        group = frame["subdistrict_id"].to_numpy().astype("int64") * len(POLLUTANTS) + pol
        ts = frame["ts"].to_numpy()
        size = np.bincount(group)
        first = np.full(len(size), np.iinfo("int64").max, dtype="int64")
        last = np.full(len(size), np.iinfo("int64").min, dtype="int64")
        np.minimum.at(first, group, ts)
        np.maximum.at(last, group, ts)
        present = np.flatnonzero(size)
        grouped = pd.DataFrame(
            {
                "subdistrict_id": present // len(POLLUTANTS),
                "pollutant": [POLLUTANTS[i] for i in present % len(POLLUTANTS)],
                "rows": size[present],
                "first": timeutil.ts_to_labels(first[present]),
                "last": timeutil.ts_to_labels(last[present]),
            }
        )
        result.first_label = timeutil.ts_to_label(int(first[present].min()))
        result.last_label = timeutil.ts_to_label(int(last[present].max()))
    grouped.insert(0, "subdistrict", grouped["subdistrict_id"].map(names))
    result.by_subdistrict_pollutant = grouped.drop(columns="subdistrict_id")


def finish_counts(result: IngestResult) -> None:
    """``rows`` and ``readings`` from the other counts (the counting rule above)."""
    c = result.counts
    result.counts = replace(c, rows=c.accepted + c.rejected + c.duplicates + c.missing + (c.conflicts - c.replaced))
    result.readings = result.counts.rows - c.rejected + result.rejected_readings


def run_counts(result: IngestResult) -> Counts:
    """The run record's counts: the result's, with the readings' label span as ts."""
    readings = result.kind == "readings"
    return replace(
        result.counts,
        first_ts=timeutil.label_to_ts(result.first_label) if result.first_label and readings else None,
        last_ts=timeutil.label_to_ts(result.last_label) if result.last_label and readings else None,
    )


#: How a file's span is written: road-dust loads are by day (a time would read 00:00).
SPAN_FORMAT = {"readings": "%Y-%m-%d %H:%M", "road_dust": "%Y-%m-%d"}


def set_messages(result: IngestResult, strict: bool) -> None:
    name, c = result.file, result.counts
    if result.status == "refused" and strict and c.rejected:
        result.message = (
            f"{name}: refused (--strict): {c.rejected} rejected row(s), nothing stored; "
            f"first: {result.rejected_rows[0].reason_en}"
        )
        result.message_zh = f"{name}：严格模式下有 {c.rejected} 行被拒绝，整个文件未保存；首个问题：{result.rejected_rows[0].reason}"
        return
    if result.status == "refused":
        first = result.rejected_rows[0].reason_en if result.rejected_rows else ""
        first_zh = result.rejected_rows[0].reason if result.rejected_rows else ""
        result.message = f"{name}: refused: every row was rejected ({c.rejected}), nothing stored; first: {first}"
        result.message_zh = f"{name}：所有数据行都被拒绝（{c.rejected} 行），未保存任何数据；首个问题：{first_zh}"
        return
    verb = "would store" if result.status == "dry_run" else "stored"
    verb_zh = "将保存" if result.status == "dry_run" else "已保存"
    span = ""
    if result.first_label and result.last_label:
        stamp = SPAN_FORMAT[result.kind]
        span = f", {result.first_label:{stamp}} … {result.last_label:{stamp}}"
    result.message = (
        f"{name}: {verb} {c.accepted:,} of {c.rows:,} {result.kind.replace('_', '-')} rows{span}; "
        f"{c.rejected} rejected, {c.duplicates} duplicates, {c.conflicts} conflicts"
        f"{' (replaced)' if c.replaced else ' (kept the stored values)' if c.conflicts else ''}, {c.missing} missing"
    )
    if result.ignored_columns:
        result.message += f"; ignored columns: {', '.join(result.ignored_columns[:8])}"
    result.message_zh = (
        f"{name}：{verb_zh} {c.accepted:,} / {c.rows:,} 行；拒绝 {c.rejected} 行，重复 {c.duplicates} 行，"
        f"冲突 {c.conflicts} 行{'（已替换）' if c.replaced else '（保留原值）' if c.conflicts else ''}，缺测 {c.missing} 个"
    )
    if result.ignored_columns:
        result.message_zh += f"；忽略的列：{'、'.join(result.ignored_columns[:8])}"
    for note in [*result.conversions, *result.warnings]:
        result.message += f"; {note.en}"
        result.message_zh += f"；{note.zh}"
