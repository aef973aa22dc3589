"""Property-based tests of the readers and validator (Hypothesis).

1. Any bytes at all, under a .csv or .xlsx name: the pipeline either takes the file or
   refuses it with an InputError (one line) — never another exception.
2. Text that looks almost right (real headers, names, times, numbers and junk, in any
   of the supported encodings): the same.
3. A valid file generated in any supported shape (long or wide, English or Chinese
   headers, UTF-8 / BOM / GBK, hour-ending labels) is accepted whole.
4. A long-form readings file — clean, with missing marks and bad values, or in a shape
   the fast reader must refuse — ends the same through both readers (ingest/fast.py and
   the general reader): the same outcome, stored rows and daily means.

1–3 run as ``dry_run`` on one database: nothing is written, so examples stay independent
and fast; 4 stores each file twice, into two fresh copies of an empty database.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from monitoring.actors import Actor
from monitoring.bootstrap import init_database
from monitoring.errors import InputError
from monitoring.ingest import collect, fast
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage.engine import make_engine
from monitoring.targets import Targets, load_targets
from tests.ingest.test_fast import _outcome, _stored

ANALYST = Actor("property-test", "analyst")
TARGETS = load_targets()
NAMES = [sd.short_name for sd in TARGETS.subdistricts]
FULL_NAMES = [sd.name for sd in TARGETS.subdistricts]
PINYIN = [sd.pinyin for sd in TARGETS.subdistricts]

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("props") / "props.db"
    eng = make_engine(f"sqlite:///{path}")
    init_database(eng, TARGETS, load_data=False)
    return eng


def _run(engine: Engine, data: bytes, name: str, targets: Targets = TARGETS) -> Any:
    """The outcome: an IngestResult, or the InputError. Any other exception fails the test."""
    try:
        return ingest_file(engine, data, name=name, targets=targets, actor=ANALYST, dry_run=True)
    except InputError as exc:
        text = str(exc)
        assert text and "\n" not in text and "Traceback" not in text
        return exc


@SETTINGS
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_any_bytes_are_taken_or_refused_cleanly(engine: Engine, data: bytes, suffix: str) -> None:
    _run(engine, data, "random" + suffix)


@SETTINGS
@given(data=st.binary(max_size=2048))
def test_any_bytes_after_a_zip_header_are_refused_cleanly(engine: Engine, data: bytes) -> None:
    outcome = _run(engine, b"PK\x03\x04" + data, "broken.xlsx")
    assert isinstance(outcome, InputError)


HEADERS = ["subdistrict,time,pollutant,value", "街道,时间,污染物,浓度", "街道名称,监测时间,指标,监测值",
           "subdistrict,time,PM2.5,PM10", "街道,日期,PM2.5", "街道,道路,日期,尘负荷", "time,value", ""]
TOKENS = st.one_of(
    st.sampled_from(NAMES + PINYIN + ["德胜门外", "=HYPERLINK(\"x\")", "", "NA", "-999", "—", "null"]),
    st.sampled_from(["2026-01-05 13:00", "2026/1/5 13:00", "2026-02-30", "2026-01-05T24:00", "2026-13-01", "2099-01-01",
                     "1900-01-01 00:00", "2026-01-05", "2026-03", "13:00", "yesterday"]),
    st.sampled_from(["PM2.5", "pm25", "细颗粒物", "CO", "O3", "PM1", "NOx"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.text(max_size=12),
)
ROW = st.lists(TOKENS, min_size=0, max_size=7)


@SETTINGS
@given(header=st.sampled_from(HEADERS), rows=st.lists(ROW, max_size=25),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_almost_right_text_is_taken_or_refused_cleanly(engine: Engine, header: str, rows: list[list[str]],
                                                      delimiter: str, encoding: str, newline: str) -> None:
    lines = [header.replace(",", delimiter)] + [delimiter.join(r) for r in rows]
    data = newline.join(lines).encode(encoding, errors="replace")
    outcome = _run(engine, data, "almost.csv")
    if not isinstance(outcome, InputError):
        for row in outcome.rejected_rows:  # a line of the file, with its reason in both languages
            assert 1 <= row.line <= len(lines) and row.reason and row.reason_en


def test_full_width_comma_delimiter(engine: Engine) -> None:
    data = "subdistrict，time，pollutant，value\n德胜，2026-01-05 13:00，PM2.5，35\n".encode()
    outcome = _run(engine, data, "fullwidth.csv")
    assert not isinstance(outcome, InputError) and outcome.counts.accepted == 1


# -- valid files in every supported shape are accepted whole -------------------------------------

POLLUTANT_SPELLINGS = {"pm25": ["PM2.5", "pm25", "PM2_5", "细颗粒物"], "pm10": ["PM10", "可吸入颗粒物"],
                       "no2": ["NO2", "二氧化氮"], "so2": ["SO2"], "o3": ["O3", "臭氧"], "co": ["CO", "一氧化碳"]}
WIDE_HEADER = {"pm25": "PM2.5", "pm10": "PM10", "no2": "NO2", "so2": "SO2", "o3": "O3", "co": "CO"}


@st.composite
def valid_readings(draw: st.DrawFn) -> tuple[list[tuple[int, dt.datetime, str, float]], bool]:
    """Distinct (subdistrict index, hour label, pollutant) with plausible values."""
    daily = draw(st.booleans())
    keys = draw(st.lists(
        st.tuples(st.integers(0, 14), st.integers(0, 24 * 20 - 1), st.sampled_from(sorted(POLLUTANT_SPELLINGS))),
        min_size=1, max_size=40, unique=True))
    out = []
    for sd, hour, pol in keys:
        label = dt.datetime(2025, 6, 1, 1) + dt.timedelta(hours=hour)
        if daily:
            label = dt.datetime(2025, 6, 1) + dt.timedelta(days=hour % 200)
        low, high = (0.1, 9.0) if pol == "co" else (0.5, 400.0)
        value = round(draw(st.floats(min_value=low, max_value=high, allow_nan=False)), 1)
        out.append((sd, label, pol, value))
    if daily:  # one value per (subdistrict, day, pollutant)
        seen: dict[tuple[int, dt.datetime, str], float] = {}
        for sd, label, pol, value in out:
            seen.setdefault((sd, label, pol), value)
        out = [(k[0], k[1], k[2], v) for k, v in seen.items()]
    return out, daily


@SETTINGS
@given(case=valid_readings(), wide=st.booleans(), chinese=st.booleans(),
       name_style=st.sampled_from(["short", "full", "pinyin", "code"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]), slash_dates=st.booleans(), data=st.data())
def test_valid_files_are_accepted_whole(engine: Engine, case: Any, wide: bool, chinese: bool, name_style: str,
                                        encoding: str, slash_dates: bool, data: st.DataObject) -> None:
    rows, daily = case
    codes = [sd.code for sd in TARGETS.subdistricts]
    names = {"short": NAMES, "full": FULL_NAMES, "pinyin": PINYIN, "code": codes}[name_style]

    def when(label: dt.datetime) -> str:
        if daily:
            return f"{label.year}/{label.month}/{label.day}" if slash_dates else label.strftime("%Y-%m-%d")
        if slash_dates:
            return f"{label.year}/{label.month}/{label.day} {label.hour}:00"
        return label.strftime("%Y-%m-%d %H:%M")

    if wide:
        pollutants = sorted({p for _, _, p, _ in rows})
        grid: dict[tuple[int, dt.datetime], dict[str, float]] = {}
        for sd, label, pol, value in rows:
            grid.setdefault((sd, label), {})[pol] = value
        header = ["街道" if chinese else "subdistrict", "时间" if chinese else "time", *[WIDE_HEADER[p] for p in pollutants]]
        lines = [",".join(header)]
        for (sd, label), values in grid.items():
            cells = [f"{values[p]:g}" if p in values else "" for p in pollutants]
            lines.append(",".join([names[sd], when(label), *cells]))
        expected_missing = sum(len(pollutants) - len(v) for v in grid.values())
    else:
        header = ["街道", "时间", "污染物", "浓度"] if chinese else ["subdistrict", "time", "pollutant", "value"]
        lines = [",".join(header)]
        for sd, label, pol, value in rows:
            spelling = data.draw(st.sampled_from(POLLUTANT_SPELLINGS[pol]))
            lines.append(",".join([names[sd], when(label), spelling, f"{value:g}"]))
        expected_missing = 0
    blob = ("\n".join(lines) + "\n").encode(encoding)
    outcome = _run(engine, blob, "valid.csv")
    assert not isinstance(outcome, InputError), f"{outcome}\n" + "\n".join(lines[:5])
    assert outcome.counts.rejected == 0, [r.reason_en for r in outcome.rejected_rows[:3]]
    assert outcome.counts.accepted == len(rows)
    assert outcome.counts.missing == expected_missing


def test_round_trip_through_the_database(make_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """One valid generated file really stored, then stored again: all accepted, then all duplicates."""
    engine = make_db()
    rows = [f"{NAMES[i % 15]},2025-06-0{1 + i // 360} {(i // 15) % 24 + 1:02d}:00,PM2.5,{10 + i % 50}" for i in range(720)]
    data = ("subdistrict,time,pollutant,value\n" + "\n".join(rows) + "\n").encode()
    first = ingest_file(engine, data, name="r.csv", targets=TARGETS, actor=ANALYST)
    assert (first.status, first.counts.accepted, first.counts.rejected) == ("succeeded", 720, 0)
    second = ingest_file(engine, data, name="r.csv", targets=TARGETS, actor=ANALYST)
    assert (second.counts.accepted, second.counts.duplicates, second.counts.conflicts) == (0, 720, 0)


# -- both readers end a file the same way ---------------------------------------------------------

#: Cell texts of a value, by kind: the fast reader takes only "plain"; the others send the
#: file to the general reader, which reports or counts each row.
VALUE_KINDS = {
    "missing": ["", "-999", "NA", "—", "-9999"],
    "bad": ["12..5", "1_0", "abc", "9999", "-3", "5000"],  # not a number, error code, negative, out of range
}
#: Shapes of a file the fast reader must refuse (the general reader then reads it).
REFUSED = ["blank_line", "short_line", "long_line", "gbk", "semicolons", "preamble"]
#: Shapes it takes (quotes are plain CSV).
ACCEPTED_SHAPES = ["plain", "bom_crlf", "quoted_field"]


@st.composite
def long_files(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A small long-form readings file, and whether the fast reader must take it."""
    n = draw(st.integers(1, 40))
    rows: list[list[str]] = []
    plain = True
    for _ in range(n):
        name = draw(st.sampled_from(NAMES))
        if draw(st.integers(0, 9)) == 0:  # a daily value now and then
            when = (dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3)))).isoformat()
        else:  # hour-ending labels over four days (a day's 24:00 is the next day's 00:00)
            when = (dt.datetime(2026, 1, 1) + dt.timedelta(hours=draw(st.integers(1, 96)))).strftime("%Y-%m-%d %H:%M")
        pollutant = draw(st.sampled_from(sorted(POLLUTANT_SPELLINGS)))
        kind = draw(st.sampled_from(["plain"] * 8 + sorted(VALUE_KINDS)))
        if kind == "plain":
            low, high = (0.1, 9.0) if pollutant == "co" else (0.5, 400.0)
            value = f"{round(draw(st.floats(min_value=low, max_value=high)), 1):g}"
        else:
            plain = False
            value = draw(st.sampled_from(VALUE_KINDS[kind]))
        rows.append([name, when, draw(st.sampled_from(POLLUTANT_SPELLINGS[pollutant])), value])
    shape = draw(st.sampled_from(ACCEPTED_SHAPES * 2 + REFUSED))
    lines = ["subdistrict,time,pollutant,value"] + [",".join(r) for r in rows]
    at = draw(st.integers(1, len(lines)))  # where a damaged shape puts its line
    encoding, newline, sep = "utf-8", "\n", ","
    if shape == "bom_crlf":
        encoding, newline = "utf-8-sig", "\r\n"
    elif shape == "blank_line":
        lines.insert(at, "")
    elif shape == "short_line":
        lines[at - (at == len(lines))] = lines[at - (at == len(lines))].rsplit(",", 1)[0]
    elif shape == "long_line":
        lines.insert(at, lines[at - 1] + ",extra")
    elif shape == "gbk":
        encoding = "gbk"
    elif shape == "semicolons":
        sep = ";"
    elif shape == "preamble":
        lines.insert(0, "西城区空气质量小时数据")
    elif shape == "quoted_field":
        lines[-1] = '"' + lines[-1].replace(",", '","') + '"'
    text = newline.join(line.replace(",", sep) for line in lines) + newline
    return text.encode(encoding), plain and shape in ACCEPTED_SHAPES


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised empty database file: each example stores into fresh copies of it."""
    path = tmp_path_factory.mktemp("two-readers") / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    init_database(engine, TARGETS, load_data=False)
    with engine.connect() as conn:  # all of it in the main file: only that is copied
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def fresh_db(empty_db: Path, tmp_path: Path) -> Iterator[Any]:
    engines: list[Engine] = []

    def copy() -> Engine:
        path = tmp_path / f"copy{len(engines)}.db"
        shutil.copyfile(empty_db, path)
        engines.append(make_engine(f"sqlite:///{path}"))
        return engines[-1]

    yield copy
    for engine in engines:
        engine.dispose()


def _ingest(engine: Engine, data: bytes) -> Any:
    try:
        return _outcome(ingest_file(engine, data, name="f.csv", targets=TARGETS, actor=ANALYST, run_kind="upload"))
    except InputError as exc:  # refused whole: the same refusal either way
        return ("refused", str(exc), exc.message_zh, exc.hint)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=long_files())
def test_both_readers_end_a_file_the_same_way(fresh_db: Any, monkeypatch: pytest.MonkeyPatch,
                                                case: tuple[bytes, bool]) -> None:
    data, clean = case
    used: list[bool] = []
    read_clean = collect.read_clean

    def spy(*args: Any) -> Any:
        out = read_clean(*args)
        used.append(out is not None)
        return out

    with monkeypatch.context() as m:
        m.setattr(fast, "BLOCK_BYTES", 256)  # several blocks: a refusal can come after the first
        m.setattr(collect, "read_clean", spy)
        first = fresh_db()
        through_fast = _ingest(first, data)
    with monkeypatch.context() as m:
        m.setattr(fast, "eligible", lambda _table: False)
        second = fresh_db()
        general = _ingest(second, data)
    assert through_fast == general
    assert _stored(first) == _stored(second)
    # which reader took it: the fast one exactly when the file is clean and plainly valid
    if clean:
        assert used == [True]
    else:
        assert used in ([], [False])
