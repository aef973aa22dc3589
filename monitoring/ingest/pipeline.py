"""The one path in: read → validate → write, with its audit record.

Every source ends here: the upload page and ``python -m monitoring ingest`` call
``ingest_file``; an HTTP pull converts its payload to a readings table and calls
``ingest_frame``. The file is read in chunks (bounded memory, ingest/collect.py) and
validated completely before anything is written; then the good rows are written in ONE
transaction that holds the write lock from its start (storage.engine.write_transaction,
ingest/slices.py → storage/writes.py), and the run record says who, what file (sha256),
and what became of each row: opened by start_run before, closed by finish_run inside
that same transaction, so the record and the data commit together. A dry run (the
upload preview) is the writer's own classification with the writes left out. A refused
file leaves its audit line and its rejected rows, nothing else. How rows are counted:
ingest/result.py.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, ParamSpec

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from monitoring.actors import Actor, require_writer
from monitoring.counts import Counts
from monitoring.errors import InputError, MonitorError
from monitoring.ingest import collect
from monitoring.ingest import validate as v
from monitoring.ingest.collect import Collected, Progress, add_split_rows, readings_frame, rejected_rows
from monitoring.ingest.dedupe import InFile, infile_duplicates
from monitoring.ingest.readers import Blob, Table, frame_table, load_blob, read_table
from monitoring.ingest.result import (
    IngestResult,
    conflict_table,
    duplicate_table,
    fill_preview,
    finish_counts,
    run_counts,
    set_messages,
)
from monitoring.ingest.slices import write_good_rows
from monitoring.targets import Targets

P = ParamSpec("P")

#: readings.source for each run kind (a pull uses its HTTP source's name).
SOURCE_OF_KIND = {"upload": "upload", "ingest": "cli"}


# -- entry points ------------------------------------------------------------------------


def _storage_faults(ingest: Callable[P, IngestResult]) -> Callable[P, IngestResult]:
    """A database fault anywhere in an ingest (a writer holding the lock past the timeout,
    a full disk, a read-only volume) becomes one StorageError line (English and Chinese)
    for the command line and the page; anything else keeps its traceback (a bug)."""

    @functools.wraps(ingest)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> IngestResult:
        try:
            return ingest(*args, **kwargs)
        except MonitorError:
            raise
        except Exception as exc:
            from monitoring.storage.faults import storage_error

            if (clear := storage_error(exc, str(kwargs.get("name", "")))) is not None:
                raise clear from exc
            raise

    return guarded


@_storage_faults
def ingest_file(
    engine: Engine,
    source: Path | bytes | BinaryIO,
    *,
    name: str,
    targets: Targets,
    actor: Actor,
    run_kind: str = "ingest",
    dry_run: bool = False,
    strict: bool = False,
    replace: bool = False,
    hour_beginning: bool = False,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> IngestResult:
    """Read, validate and (unless ``dry_run``) store one readings or road-dust file
    (``sheet``: the workbook's sheet to read, when it has several)."""
    require_writer(actor, "load data")
    options = _options(dry_run, strict, replace, hour_beginning)
    blob: Blob | None = None
    try:
        blob = load_blob(source, name)
        table = read_table(source, name=name, blob=blob, sheet=sheet, bounds=targets.ingest.workbook)
    except InputError as exc:
        if not dry_run:
            _record_refused(engine, name, run_kind, actor, blob.sha256 if blob else None, options, exc)
        raise
    return _ingest(
        engine,
        table,
        targets=targets,
        actor=actor,
        run_kind=run_kind,
        source_label=SOURCE_OF_KIND.get(run_kind, run_kind),
        options=options,
        progress=progress,
    )


@_storage_faults
def ingest_frame(
    engine: Engine,
    frame: pd.DataFrame,
    *,
    name: str,
    targets: Targets,
    actor: Actor,
    run_kind: str = "pull",
    source_label: str,
    dry_run: bool = False,
    strict: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
    sha256: str | None = None,
    extra_options: dict[str, Any] | None = None,
) -> IngestResult:
    """Validate and store a long-form readings table (an HTTP source's payload);
    ``extra_options`` go into the run's options (a pull's window)."""
    require_writer(actor, "load data")
    options: dict[str, Any] = {**_options(dry_run, strict, replace, False), **(extra_options or {})}
    try:
        table = frame_table(frame, name=name, sha256=sha256)
    except InputError as exc:
        if not dry_run:
            _record_refused(engine, name, run_kind, actor, sha256, options, exc)
        raise
    return _ingest(
        engine, table, targets=targets, actor=actor, run_kind=run_kind, source_label=source_label, options=options, progress=progress
    )


def _options(dry_run: bool, strict: bool, replace: bool, hour_beginning: bool) -> dict[str, bool]:
    return {"dry_run": dry_run, "strict": strict, "replace": replace, "hour_beginning": hour_beginning}


def _record_refused(
    engine: Engine, name: str, run_kind: str, actor: Actor, sha256: str | None, options: dict[str, Any], exc: InputError
) -> None:
    from monitoring.storage.run_records import RunInfo, finish_run, start_run, write_rejected

    run_id = start_run(engine, RunInfo(kind=run_kind, source=name, user=actor.name, sha256=sha256, options=options))
    with engine.begin() as conn:  # the reason and the closed record together
        write_rejected(conn, run_id, [(0, "", exc.message_zh, exc.message)])
        finish_run(conn, run_id, "refused", message=exc.message[:2000])


# -- the whole file, step by step --------------------------------------------------------------


def _ingest(
    engine: Engine,
    table: Table,
    *,
    targets: Targets,
    actor: Actor,
    run_kind: str,
    source_label: str,
    options: dict[str, bool],
    progress: Progress | None,
) -> IngestResult:
    say = progress or (lambda _f, _m: None)
    name = table.blob.name

    def refused(exc: InputError) -> None:
        """A refusal of the whole file leaves its audit line (unless a dry run)."""
        if not options["dry_run"]:
            _record_refused(engine, name, run_kind, actor, table.blob.sha256, options, exc)

    ctx = v.Context.build(targets, hour_beginning=options["hour_beginning"])
    say(0.0, f"reading {name}")
    out = collect.read_clean(table, ctx, say)  # None: not a clean long-form CSV
    try:
        if out is None:
            out = _read_chunks(table, ctx, say)
    except InputError as exc:
        refused(exc)
        raise
    short_lines = add_split_rows(table, out)
    if out.data_rows == 0:
        header_only = InputError(
            f"{name}: only a header, no data rows",
            message_zh=f"{name}：只有表头，没有数据行",
            hint="add the readings below the header line",
        )
        refused(header_only)
        raise header_only
    good = _good_rows(out, table.layout.kind, short_lines)
    say(0.65, "checking rejected rows")
    result = _first_result(table, out, good, targets)
    if options["dry_run"]:
        return _dry_run(engine, result, good, source_label=source_label, options=options, targets=targets, say=say)
    return _store(engine, result, good, source_label=source_label, options=options, targets=targets, actor=actor,
                  run_kind=run_kind, say=say)


def _read_chunks(table: Table, ctx: v.Context, say: Progress) -> Collected:
    """Every chunk through the general reader and the validator (when the fast reader declined)."""
    out = Collected()
    for chunk in table.chunks:
        if table.layout.kind == "road_dust":
            collect.road_dust_chunk(chunk, ctx, out)
        else:
            collect.readings_chunk(chunk, table, ctx, out)
        say(0.6 * chunk.done, f"read {out.data_rows:,} rows")
    return out


def _good_rows(out: Collected, kind: str, short_lines: np.ndarray) -> InFile:
    """The collected good rows as one frame, in line order, with the in-file repeats taken
    out (repeats with another value join the refused rows)."""
    if kind == "road_dust":
        key, value_cols = ["subdistrict_id", "road", "day"], ["load", "grade"]
        frame = pd.concat(out.parts, ignore_index=True) if out.parts else pd.DataFrame(columns=[*key, *value_cols, "line"])
        out.parts.clear()
    else:
        key, value_cols = ["subdistrict_id", "pollutant", "ts", "resolution", "station"], ["value"]
        frame = readings_frame(out.columns, out.stations)
    if len(short_lines):
        frame = frame.loc[~frame["line"].isin(short_lines)]
    # chunks arrive in file order, so the frame is in line order: the first occurrence wins.
    good = infile_duplicates(frame, key, value_cols)
    if len(good.refused_lines):
        out.rejected_readings += len(good.refused_lines)  # one per refused reading
        out.rejected_lines.append(good.refused_lines)
        out.rejected_zh.extend(good.refused_zh)
        out.rejected_en.extend(good.refused_en)
    return good


def _first_result(table: Table, out: Collected, good: InFile, targets: Targets) -> IngestResult:
    """What is known before any classification against the store: refusals, in-file
    duplicates, notes, and the per-subdistrict preview."""
    kind = table.layout.kind
    rejected = rejected_rows(table, out)
    result = IngestResult(
        file=table.blob.name,
        kind=kind,
        counts=Counts(rejected=len(rejected), duplicates=good.same, missing=out.missing),
        rejected_rows=rejected,
        lines=out.data_rows,
        rejected_readings=out.rejected_readings,
        sha256=table.blob.sha256,
        ignored_columns=list(table.layout.ignored),
        dust_days=sorted(out.dust_days),
    )
    result.conversions = [n for n in [v.zone_note(np.concatenate(out.zoned_lines) if out.zoned_lines else np.empty(0))] if n]
    result.warnings = [n for n in [v.pm25_above_pm10(good.kept) if kind == "readings" else None] if n]
    fill_preview(result, good.kept, targets, kind)
    return result


def _refuse_all(result: IngestResult, good: InFile, strict: bool) -> bool:
    """A whole file refused (--strict with rejected rows), or nothing left to store: no
    classification, the good rows are counted but not stored."""
    return bool((strict and result.counts.rejected) or good.kept.empty)


def _settle(result: IngestResult, good: InFile, written: Counts | None, status: str, strict: bool) -> None:
    """The result's counts and messages from the writer's counts (None: refused whole)."""
    result.counts = replace(result.counts, duplicates=good.same)
    if written is not None:
        result.counts = replace(result.counts, accepted=written.accepted, duplicates=good.same + written.duplicates,
                                conflicts=written.conflicts, replaced=written.replaced)
    result.status = status
    finish_counts(result)
    if written is None:
        # good rows of a refused file: counted, not stored
        result.counts = replace(result.counts, rows=result.counts.rows + len(good.kept))
        result.readings += len(good.kept)
    set_messages(result, strict)


def _whole_status(result: IngestResult, dry_run: bool) -> str:
    return "refused" if result.counts.rejected else ("dry_run" if dry_run else "succeeded")


def _dry_run(
    engine: Engine, result: IngestResult, good: InFile, *, source_label: str, options: dict[str, bool], targets: Targets,
    say: Progress,
) -> IngestResult:
    """The preview: the writer's own classification with the writes left out (storage/writes.py,
    ``dry_run=True``), read-only: what it says is what the write does."""
    conflicts: list[pd.DataFrame] = []
    # repeats inside the file, then (from the writer) rows the store already holds
    dup_parts: list[pd.DataFrame] = [good.same_rows] if len(good.same_rows) else []
    refuse_all = _refuse_all(result, good, options["strict"])
    counts = None
    if not refuse_all:
        with engine.connect() as conn:
            counts = write_good_rows(conn, 0, good.kept, result.kind, source_label, options["replace"], targets, say,
                                     dry_run=True, conflicts=conflicts, duplicates=dup_parts)
    _settle(result, good, counts, _whole_status(result, True) if refuse_all else "dry_run", options["strict"])
    result.conflict_rows = conflict_table(conflicts)
    result.duplicate_rows = duplicate_table(dup_parts, result.kind)
    return result


def _store(
    engine: Engine, result: IngestResult, good: InFile, *, source_label: str, options: dict[str, bool], targets: Targets,
    actor: Actor, run_kind: str, say: Progress,
) -> IngestResult:
    """The write: the run opened, then the rows, the rejected rows and the closed run in one
    transaction that takes the write lock before its first read (see write_transaction)."""
    from monitoring.storage.engine import write_transaction
    from monitoring.storage.run_records import RunInfo, finish_run, start_run, write_rejected

    name, kind, strict = result.file, result.kind, options["strict"]
    info = RunInfo(kind=run_kind, source=name, user=actor.name, data_kind=kind, sha256=result.sha256, options=options)
    run_id = start_run(engine, info)
    result.run_id = run_id
    reject_payload = [(r.line, r.raw, r.reason, r.reason_en) for r in result.rejected_rows]
    refuse_all = _refuse_all(result, good, strict)
    if not refuse_all:
        say(0.7, f"writing {len(good.kept):,} rows")
    try:
        with write_transaction(engine) as conn:
            counts = None
            if not refuse_all:
                counts = write_good_rows(conn, run_id, good.kept, kind, source_label, options["replace"], targets, say)
                if result.dust_days:  # in the same transaction: the flags stand or fall with the rows
                    from monitoring.storage.events import flag_days

                    flag_days(conn, result.dust_days, f"flagged by {name}", actor.name, run_id)
            write_rejected(conn, run_id, reject_payload)
            _settle(result, good, counts, _whole_status(result, False) if refuse_all else "succeeded", strict)
            # closed in the data's own transaction: a process killed at any instant leaves
            # both (succeeded, rows stored) or neither (running, nothing stored).
            finish_run(conn, run_id, result.status, run_counts(result), message=result.message[:2000])
    except Exception as exc:
        result.status = "failed"
        result.counts = replace(result.counts, accepted=0, replaced=0, conflicts=0, duplicates=good.same)
        result.message = f"{name}: the write failed, nothing was stored: {type(exc).__name__}: {str(exc)[:300]}"
        result.message_zh = f"{name}：写入失败，未保存任何数据"
        # the store may be unusable (full, locked): the run then stays "running" and is
        # later marked interrupted, "nothing stored", which is true
        with contextlib.suppress(Exception):
            finish_run(engine, run_id, "failed", run_counts(result), message=result.message)
        raise
    if result.counts.conflicts and kind == "readings":
        from monitoring.storage.audit_queries import run_revisions

        result.conflict_rows = run_revisions(engine, run_id)
    say(1.0, "done")
    return result
