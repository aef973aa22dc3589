"""Readers: bytes of a CSV or XLSX file → chunks of text cells under canonical column names.

A reader decides three things from the first bytes and the header line, then streams:
the container (CSV text, XLSX, or something it refuses: empty, binary, old .xls), the
encoding (UTF-8, UTF-8 with BOM, UTF-16 from Excel's "Unicode text", else GB18030, the
superset of GBK that Chinese Excel writes), and the layout (long, wide or road dust,
told from the headers in Chinese or English). Cells stay text: the validator decides
what a value means, and a rejected row can be shown as it was written.

Nothing a file contains is executed or used to build SQL: cells are strings that are
looked up in dictionaries or parsed as numbers and times.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

import pandas as pd

from monitoring.errors import InputError
from monitoring.printable import one_line as printable  # the one-line form of a file's text in messages

if TYPE_CHECKING:
    from monitoring.targets import WorkbookBounds

#: Rows per chunk: large enough for vectorised work, small enough for bounded memory.
CHUNK_ROWS = 100_000
#: Bytes looked at to decide container, encoding and header.
SNIFF_BYTES = 64 * 1024
#: Lines before the header that may hold a title (Excel exports often start with one).
MAX_TITLE_LINES = 10

Source = Path | bytes | BinaryIO

# -- header vocabulary ------------------------------------------------------------------

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


# -- containers and encodings -----------------------------------------------------------


@dataclass
class Blob:
    """The file's bytes (or where to read them), its name, size and sha256."""

    name: str
    path: Path | None
    data: bytes | None
    size: int
    sha256: str

    def open(self) -> BinaryIO:
        if self.path is not None:
            return self.path.open("rb")
        assert self.data is not None
        return io.BytesIO(self.data)

    def head(self, n: int = SNIFF_BYTES) -> bytes:
        with self.open() as fh:
            return fh.read(n)


def load_blob(source: Source, name: str) -> Blob:
    """Wrap a path, bytes or a binary file object; hash it without holding a path in memory."""
    if isinstance(source, Path):
        digest = hashlib.sha256()
        try:
            with source.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise InputError(
                f"{name}: cannot be read: {exc.strerror}",
                message_zh=f"{name}：无法读取文件（{exc.strerror}）",
                hint="check the path and the file's permissions",
            ) from None
        return Blob(name=name, path=source, data=None, size=source.stat().st_size, sha256=digest.hexdigest())
    data = source if isinstance(source, bytes) else source.read()
    if isinstance(data, str):  # a text stream by mistake: treat as UTF-8 text
        data = data.encode("utf-8")
    return Blob(name=name, path=None, data=bytes(data), size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _refuse(name: str, en: str, zh: str, hint: str) -> InputError:
    return InputError(f"{name}: {en}", message_zh=f"{name}：{zh}", hint=hint)


def sniff_container(blob: Blob) -> str:
    """``csv`` or ``xlsx``; refuse empty, binary and legacy .xls files."""
    head = blob.head()
    if not head.strip() or head.strip(b" \t\r\n\x00") in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xfe\xff", b""):
        raise _refuse(blob.name, "the file is empty", "文件是空的", "export the data again; the file has no rows")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            blob.name,
            "an old Excel .xls workbook is not supported",
            "不支持旧版 Excel .xls 文件",
            "open it in Excel and save as .xlsx or CSV UTF-8",
        )
    if not head.startswith((b"\xff\xfe", b"\xfe\xff", _UTF32_BE)) and b"\x00" in head:
        raise _refuse(
            blob.name,
            "this is a binary file, not a CSV or XLSX table",
            "这不是 CSV 或 XLSX 表格（二进制文件）",
            "upload the CSV or XLSX export of the readings",
        )
    return "csv"


_UTF32_BE = b"\x00\x00\xfe\xff"
_UTF32_LE = b"\xff\xfe\x00\x00"


def detect_encoding(blob: Blob) -> str:
    """UTF-8 (with or without BOM), UTF-32 or UTF-16 with BOM, else GB18030 (covers GBK/GB2312)."""
    head = blob.head()
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((_UTF32_LE, _UTF32_BE)):  # before UTF-16: its BOM starts the same way
        return "utf-32"
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        return "utf-16"
    cut = head if len(head) < SNIFF_BYTES else head[: head.rfind(b"\n") + 1] or head
    try:
        cut.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        cut.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(cut).best()
    guess = best.encoding if best is not None else "unknown"
    raise _refuse(
        blob.name,
        f"the text is neither UTF-8 nor GBK/GB18030 (looks like {guess})",
        f"文件编码无法识别（既不是 UTF-8 也不是 GBK，疑似 {guess}）",
        "save the file as CSV UTF-8 (Excel: 另存为 → CSV UTF-8) and try again",
    )


def _sniff_text(blob: Blob, encoding: str) -> list[str]:
    head = blob.head()
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines()
    if len(head) >= SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
        if not any(line.strip() for line in lines):
            # the first line with text does not end within the sniffed bytes: a header of
            # a million columns, or no line breaks at all. Say so, not "the file is empty".
            raise _line_too_long(blob, encoding, len(lines) + 1)
    return lines[: MAX_TITLE_LINES + 1]


_DELIMITERS = (",", "\t", ";", "|", "，")
#: Bytes read at most to count the fields of an over-long first line.
_LONG_LINE_SCAN = 256 * 1024 * 1024


def _line_too_long(blob: Blob, encoding: str, line: int) -> InputError:
    """The refusal of a line longer than SNIFF_BYTES, with the number of its fields."""
    skip = line - 1  # blank lines before it
    counts = dict.fromkeys(_DELIMITERS, 0)
    length = 0
    ended = False
    with blob.open() as fh, io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="") as text:
        while skip and text.readline():
            skip -= 1
        while length < _LONG_LINE_SCAN:
            block = text.read(1 << 20)
            if not block:
                break
            cut = min((i for i in (block.find("\n"), block.find("\r")) if i >= 0), default=-1)
            if cut >= 0:
                block, ended = block[:cut], True
            length += len(block)
            for d in _DELIMITERS:
                counts[d] += block.count(d)
            if ended:
                break
    delimiter = max(_DELIMITERS, key=lambda d: counts[d])
    fields = counts[delimiter] + 1 if counts[delimiter] else 1
    more = "" if ended or length < _LONG_LINE_SCAN else "at least "
    shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
    if fields > 1:
        return _refuse(
            blob.name,
            f"line {line}: the header line is too long ({more}{length:,} characters): too many columns: {more}{fields:,} "
            f"(separated by {shown})",
            f"第 {line} 行：表头过长（{more and '至少'}{length:,} 个字符），列数过多：{more and '至少'}{fields:,} 列",
            "keep only the columns of the template (subdistrict, time, pollutant, value — or one column per "
            "pollutant) and save the file again",
        )
    return _refuse(
        blob.name,
        f"line {line} is too long ({more}{length:,} characters without a line break): not a table of readings",
        f"第 {line} 行过长（{more and '至少'}{length:,} 个字符没有换行），不是监测数据表格",
        "export the readings again as CSV (one row per line) or XLSX",
    )


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def find_header(lines: list[str], name: str) -> tuple[int, str, list[str]]:
    """The header line (0-based), the delimiter and the header cells."""
    best: tuple[int, int, str, list[str]] | None = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        delimiter = max(_DELIMITERS, key=line.count)
        cells = _split_header(line, delimiter) if line.count(delimiter) else [line]
        known = sum(1 for c in cells if _ROLE_OF.get(split_unit(c)[0]) or POLLUTANT_NAMES.get(split_unit(c)[0]))
        if known >= 2:
            return i, delimiter, cells
        if best is None:
            best = (i, known, delimiter, cells)
    if best is None:
        raise _refuse(name, "the file is empty", "文件是空的", "export the data again; the file has no rows")
    return best[0], best[2], best[3]


# -- chunks -----------------------------------------------------------------------------


@dataclass
class Chunk:
    """Up to CHUNK_ROWS data rows as text, under canonical names, with their line numbers."""

    cells: pd.DataFrame  # canonical columns (see Layout.columns), str
    lines: Any  # numpy int64 array: the file line of each row (1 = first line of the file)
    done: float  # share of the file read so far, 0..1
    maybe_short: Any = None  # line numbers whose last field is empty: perhaps too few fields


@dataclass
class BadLine:
    line: int
    fields: int  # fields seen
    expected: int


@dataclass
class Table:
    """A readable file: its layout and a one-shot iterator of chunks."""

    blob: Blob
    container: str
    encoding: str | None
    delimiter: str | None
    header_line: int  # 1-based line of the header
    layout: Layout
    chunks: Iterator[Chunk]
    bad_lines: list[BadLine]  # filled while chunks are read (rows with too many fields)
    raw_lines: Callable[[set[int]], dict[int, str]]  # line number → the line as written
    n_fields: int = 0  # fields of the header line (CSV only: checks rows with too few)
    sheet: str | None = None  # the workbook's sheet read (XLSX only)


def read_table(
    source: Source, *, name: str, blob: Blob | None = None, sheet: str | None = None, bounds: WorkbookBounds | None = None
) -> Table:
    """Open a readings or road-dust file; raise InputError when it cannot be read at all.

    ``sheet``: the workbook sheet to read; ``bounds``: targets.yaml ``ingest.workbook``
    (its defaults when not given, e.g. for a pull).
    """
    blob = blob or load_blob(source, name)
    container = sniff_container(blob)
    if container == "xlsx":
        return _read_xlsx(blob, sheet, bounds)
    return _read_csv(blob)


def _has_quote(blob: Blob) -> bool:
    with blob.open() as fh:
        return any(b'"' in block for block in iter(lambda: fh.read(1 << 20), b""))


def physical_lines(blob: Blob, encoding: str, delimiter: str) -> Callable[[Any], Any]:
    """Record numbers (as the parser counts rows) → physical line numbers of the file.

    They differ after a quoted field holding a line break (LF, CR or CRLF): the record goes
    on over two lines. A file without a quote character has none (the usual case, checked
    at memchr speed); else it is scanned once with the csv module, whose ``line_num``
    counts physical lines, to note where the two counts part.
    """
    import numpy as np

    def same(records: Any) -> Any:
        return records

    if not _has_quote(blob):
        return same
    starts: list[int] = []
    extras: list[int] = []
    try:
        with blob.open() as fh, io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            last_end, last_extra = 0, 0
            for record, _row in enumerate(reader, start=1):
                extra = last_end + 1 - record
                if extra != last_extra:
                    starts.append(record)
                    extras.append(extra)
                    last_extra = extra
                last_end = reader.line_num
    except (csv.Error, UnicodeError, OSError):
        pass  # the parser reports what is wrong; the line numbers up to there stand
    if not starts:
        return same
    at = np.asarray(starts, dtype="int64")
    shift = np.asarray([0, *extras], dtype="int64")

    def to_physical(records: Any) -> Any:
        r = np.asarray(records, dtype="int64")
        return r + shift[np.searchsorted(at, r, side="right")]

    return to_physical


def _first_bad_bytes(blob: Blob, encoding: str) -> tuple[int, int, bytes] | None:
    """Where the text stops being ``encoding``: (byte offset, physical line, the bad bytes)."""
    import codecs

    base = "utf-8" if encoding == "utf-8-sig" else encoding
    decoder = codecs.getincrementaldecoder(base)("strict")
    consumed = 3 if encoding == "utf-8-sig" else 0
    line = 1
    last_cr = False
    with blob.open() as fh:
        fh.seek(consumed)
        while block := fh.read(1 << 20):
            pending = decoder.getstate()[0]
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                data = pending + block
                good = data[: exc.start].decode(base, errors="replace")
                breaks = good.count("\n") + good.count("\r") - good.count("\r\n") - (last_cr and good.startswith("\n"))
                return consumed - len(pending) + exc.start, line + breaks, data[exc.start : exc.start + 4]
            line += text.count("\n") + text.count("\r") - text.count("\r\n") - (last_cr and text.startswith("\n"))
            last_cr = text.endswith("\r")
            consumed += len(block)
    return None


def _read_csv(blob: Blob) -> Table:
    encoding = detect_encoding(blob)
    lines = _sniff_text(blob, encoding)
    header_index, delimiter, headers = find_header(lines, blob.name)
    layout = detect_layout(headers, name=blob.name)
    bad: list[BadLine] = []
    bad_records: set[int] = set()  # as the parser counts them (a quoted line break is one record)
    n_fields = len(headers)

    def raw_lines(wanted: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        if not wanted:
            return found
        last = max(wanted)
        open_at: int | None = None  # a wanted row whose quoted field goes on to the next line
        with blob.open() as fh, io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="") as text:
            for number, line in enumerate(text, start=1):
                if open_at is not None:
                    found[open_at] += line
                    if found[open_at].count('"') % 2 == 0:
                        found[open_at] = found[open_at].rstrip("\r\n")
                        open_at = None
                elif number in wanted:
                    found[number] = line
                    if line.count('"') % 2:  # the whole row, as the parser read it
                        open_at = number
                    else:
                        found[number] = line.rstrip("\r\n")
                if number >= last and open_at is None:
                    break
        return found

    def chunks() -> Iterator[Chunk]:
        used = sorted(set(layout.roles.values()) | set(layout.pollutants))
        # the last column is read too: a row with too few fields leaves it empty.
        positions = sorted({*used, n_fields - 1})
        names = layout.columns() if n_fields - 1 in used else [*layout.columns(), "__last__"]
        physical = physical_lines(blob, encoding, delimiter)
        fh = blob.open()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                reader = pd.read_csv(
                    fh,
                    encoding=encoding,
                    sep=delimiter,
                    header=None,
                    names=list(range(n_fields)),
                    skiprows=header_index + 1,
                    dtype=object,  # plain Python strings: Arrow strings cost ~0.5 s per million rows to convert back
                    keep_default_na=False,
                    na_filter=False,
                    skip_blank_lines=False,
                    on_bad_lines="warn",
                    # the C parser splits on one byte only: a full-width comma (，) is read
                    # by the Python parser (slower, and such files are small).
                    engine="c" if delimiter.isascii() else "python",
                    chunksize=CHUNK_ROWS,
                    encoding_errors="strict",
                )
                next_line = header_index + 2
                with reader:
                    for frame in reader:
                        new_bad = _collect_bad(caught, n_fields)
                        caught.clear()
                        bad_records.update(b.line for b in new_bad)
                        bad.extend(_on_physical(new_bad, physical))
                        records = _line_numbers(next_line, len(frame), bad_records)
                        if len(records):
                            next_line = int(records[-1]) + 1
                        numbers = physical(records)
                        frame = frame[positions]
                        frame.columns = names
                        if not delimiter.isascii():  # the Python parser fills a missing field with NaN
                            frame = frame.fillna("")
                        last = frame[names[-1]].to_numpy() == ""
                        maybe_short = numbers[last] if last.any() else numbers[:0]
                        if "__last__" in frame.columns:
                            frame = frame.drop(columns="__last__")
                        done = min(1.0, fh.tell() / blob.size) if blob.size else 1.0
                        yield Chunk(cells=frame, lines=numbers, done=done, maybe_short=maybe_short)
                bad.extend(_on_physical(_collect_bad(caught, n_fields), physical))
        except UnicodeDecodeError as exc:
            # the parser's offset is inside its own buffer: find the real one in the file.
            found = _first_bad_bytes(blob, encoding)
            offset, line, raw = found if found is not None else (exc.start, 0, exc.object[exc.start : exc.start + 4])
            shown = "".join(f"\\x{b:02x}" for b in raw[:4])
            at_en = f"line {line}: " if line else ""
            at_zh = f"第 {line} 行：" if line else ""
            raise _refuse(
                blob.name,
                f"{at_en}bytes at offset {offset:,} ({shown}) are not valid {encoding} text (the file mixes encodings)",
                f"{at_zh}文件第 {offset:,} 字节处（{shown}）编码不一致（不是有效的 {encoding} 文本）",
                "save the whole file once as CSV UTF-8 and try again",
            ) from None
        except (pd.errors.ParserError, csv.Error, ValueError, OverflowError) as exc:
            # any failure of the parser is the file's problem: one line, never a traceback.
            raise _parser_refusal(blob.name, exc, physical) from None
        finally:
            fh.close()

    return Table(
        blob=blob,
        container="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_line=header_index + 1,
        layout=layout,
        chunks=chunks(),
        bad_lines=bad,
        raw_lines=raw_lines,
        n_fields=n_fields,
    )


# C parser: "line 5: expected 3 fields, saw 4"; Python parser: "line 5: Expected 3 fields in line 5, saw 4".
_BAD_LINE = re.compile(r"line (\d+): expected (\d+) fields(?: in line \d+)?, saw (\d+)", re.IGNORECASE)
_WHERE = re.compile(r"\b(line|row) (\d+)", re.IGNORECASE)
_COLUMN = re.compile(r"\b(?:column|field|col) (\d+)", re.IGNORECASE)


def _parser_refusal(name: str, exc: BaseException, physical: Callable[[Any], Any] | None = None) -> InputError:
    """A parser failure as a one-line refusal, naming the line (and column) when the parser did."""
    detail = printable(" ".join(str(exc).split()), 300) or type(exc).__name__
    where = _WHERE.search(detail)
    column = _COLUMN.search(detail)
    # the C parser counts "row" from 0 over the whole file, "line" from 1.
    line = (int(where.group(2)) + (where.group(1).lower() == "row")) if where else None
    if line is not None and physical is not None:
        line = int(physical([line])[0])
    at_en = f"line {line}: " if where else ""
    at_zh = f"第 {line} 行：" if where else ""
    if where and column:
        at_en = f"line {line}, column {column.group(1)}: "
        at_zh = f"第 {line} 行第 {column.group(1)} 列："
    return _refuse(
        name,
        f"{at_en}cannot be read as a table ({type(exc).__name__}: {detail})",
        f"{at_zh}无法按表格读取（{detail}）",
        "check quotes and delimiters, or save the file again from Excel as CSV UTF-8",
    )


def _on_physical(bad: list[BadLine], physical: Callable[[Any], Any]) -> list[BadLine]:
    if not bad:
        return bad
    lines = physical([b.line for b in bad])
    return [BadLine(line=int(n), fields=b.fields, expected=b.expected) for n, b in zip(lines, bad, strict=True)]


def _collect_bad(caught: list[warnings.WarningMessage], expected: int) -> list[BadLine]:
    out: list[BadLine] = []
    for w in caught:
        for m in _BAD_LINE.finditer(str(w.message)):
            out.append(BadLine(line=int(m.group(1)), fields=int(m.group(3)), expected=int(m.group(2))))
    return out


def _line_numbers(first: int, n: int, skipped: set[int]) -> Any:
    """File line numbers of ``n`` parsed rows starting at ``first``, jumping skipped lines."""
    import numpy as np

    if not skipped or max(skipped) < first:
        return np.arange(first, first + n, dtype="int64")
    span = np.arange(first, first + n + len(skipped), dtype="int64")
    keep = span[~np.isin(span, np.fromiter(skipped, dtype="int64"))]
    return keep[:n]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute, value.second) != (0, 0, 0) else value.strftime("%Y-%m-%d 00:00")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


# -- workbooks (issue 13: streamed, bounded, the right sheet) -------------------------------

#: XML rows looked at to tell whether a sheet holds anything.
_SHEET_PROBE_ROWS = 1000
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")


class SheetChoiceError(InputError):
    """The workbook's sheet to read must be named (``sheets``: the names to choose from)."""

    def __init__(self, message: str, *, sheets: list[str], message_zh: str, hint: str) -> None:
        super().__init__(message, message_zh=message_zh, hint=hint)
        self.sheets = sheets


def _choose(name: str, en: str, zh: str, hint: str, sheets: list[Any]) -> SheetChoiceError:
    return SheetChoiceError(f"{name}: {en}", message_zh=f"{name}：{zh}", hint=hint, sheets=[s.title for s in sheets])


def _bounds_or_default(bounds: WorkbookBounds | None) -> WorkbookBounds:
    from monitoring.targets import WorkbookBounds

    return bounds if bounds is not None else WorkbookBounds()


def _too_big(name: str, en: str, zh: str, key: str) -> InputError:
    return _refuse(
        name,
        f"{en} (targets.yaml ingest.workbook.{key})",
        f"{zh}（targets.yaml ingest.workbook.{key}）",
        "save the readings as CSV UTF-8 (no such bound) or split the workbook; keep only the table of readings",
    )


def _not_a_workbook(name: str, exc: BaseException) -> InputError:
    return _refuse(
        name,
        f"not a readable XLSX workbook ({type(exc).__name__})",
        "不是可读取的 XLSX 工作簿",
        "open it in Excel and save it again as .xlsx or CSV UTF-8",
    )


def _check_package(blob: Blob, bounds: WorkbookBounds) -> None:
    """Refuse a zip bomb or a flood of shared strings before openpyxl unpacks anything.

    The sizes come from the zip's directory; zipfile stops reading a part at its stated
    size (and fails its checksum past it), so a part cannot unpack to more than it says.
    """
    import zipfile

    with blob.open() as fh:
        try:
            package = zipfile.ZipFile(fh)
            parts = package.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _not_a_workbook(blob.name, exc) from None
        total = sum(p.file_size for p in parts)
        limit = bounds.max_uncompressed_mb * (1 << 20)
        if total > limit:
            raise _too_big(
                blob.name,
                f"the workbook unpacks to {total / (1 << 20):,.0f} MB, more than the {bounds.max_uncompressed_mb:g} MB allowed",
                f"工作簿解压后为 {total / (1 << 20):,.0f} MB，超过允许的 {bounds.max_uncompressed_mb:g} MB",
                "max_uncompressed_mb",
            )
        for part in parts:
            if not part.filename.lower().endswith("sharedstrings.xml"):
                continue
            count, tail = 0, b""
            try:
                with package.open(part) as src:
                    while block := src.read(1 << 20):
                        text = tail + block
                        count += sum(1 for m in _SHARED_STRING.finditer(text) if m.end() > len(tail))
                        tail = text[-16:]
                        if count > bounds.max_shared_strings:
                            raise _too_big(
                                blob.name,
                                f"the workbook holds more than {bounds.max_shared_strings:,} distinct texts (shared strings)",
                                f"工作簿的不同文本（共享字符串）超过 {bounds.max_shared_strings:,} 个",
                                "max_shared_strings",
                            )
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise _not_a_workbook(blob.name, exc) from None


def _trimmed(row: tuple[Any, ...] | list[Any]) -> list[Any]:
    """A row without its trailing empty cells ([] for an empty row)."""
    cells = list(row)
    while cells and (cells[-1] is None or (isinstance(cells[-1], str) and not cells[-1].strip())):
        cells.pop()
    return cells


def _holds_cells(sheet: Any) -> bool:
    for i, row in enumerate(sheet.iter_rows(values_only=True)):
        if _trimmed(row):
            return True
        if i >= _SHEET_PROBE_ROWS:
            return False
    return False


def _pick_sheet(workbook: Any, name: str, wanted: str | None) -> Any:
    """The sheet to read: the one asked for; else the only visible sheet holding cells.

    A hidden sheet is never read unless asked for by name: it is often the old data. With
    several visible sheets holding cells the file is refused with their names, not guessed.
    """
    sheets = list(workbook.worksheets)
    for sheet in sheets:
        sheet.reset_dimensions()  # the <dimension> a sheet claims is not trusted (issue 13)
    titles = ", ".join(printable(s.title) for s in sheets)
    if wanted is not None:
        for sheet in sheets:
            if sheet.title == wanted or sheet.title.strip().lower() == wanted.strip().lower():
                return sheet
        raise _choose(
            name,
            f"no sheet named {printable(wanted)!r}; the sheets are: {titles}",
            f"没有名为“{printable(wanted)}”的工作表；现有工作表：{titles}",
            "give one of these names with --sheet (or choose it on the Upload page)",
            sheets,
        )
    visible = [s for s in sheets if getattr(s, "sheet_state", "visible") == "visible"]
    filled = [s for s in visible if _holds_cells(s)]
    if len(filled) > 1:
        names = ", ".join(printable(s.title) for s in filled)
        raise _choose(
            name,
            f"several sheets hold data: {names}; say which to read",
            f"多个工作表都有内容：{names.replace(', ', '、')}；请指定要导入的工作表",
            "choose the sheet with --sheet NAME (or on the Upload page), or keep only the readings sheet visible",
            filled,
        )
    if filled:
        return filled[0]
    hidden = [s for s in sheets if s not in visible and _holds_cells(s)]
    if hidden:
        names = ", ".join(printable(s.title) for s in hidden)
        raise _choose(
            name,
            f"only hidden sheets hold data ({names}); a hidden sheet is not read unless asked for",
            f"只有隐藏的工作表有内容（{names}），隐藏的工作表默认不导入",
            "unhide the sheet in Excel, or choose it with --sheet NAME (or on the Upload page)",
            hidden,
        )
    raise _refuse(name, "the workbook is empty", "工作簿是空的", "put the readings on one visible sheet")


def _claimed_rows(sheet: Any) -> int | None:
    """The rows a sheet's <dimension> claims (read again, then reset: never trusted)."""
    try:
        sheet._get_size()  # openpyxl's own reader of the claim
        return int(sheet.max_row) if sheet.max_row else None
    except Exception:  # no claim, or one that does not parse: the bound paces the bar
        return None
    finally:
        sheet.reset_dimensions()


def _sheet_rows(sheet: Any, name: str, bounds: WorkbookBounds) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of every non-empty row, refusing a sheet past the bounds."""
    cells_read = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > bounds.max_rows:
            raise _too_big(name, f"the sheet has more than {bounds.max_rows:,} rows", f"工作表超过 {bounds.max_rows:,} 行", "max_rows")
        cells = _trimmed(row)
        if not cells:
            continue
        if len(cells) > bounds.max_columns:
            raise _too_big(
                name,
                f"line {number}: {len(cells):,} columns, more than the {bounds.max_columns:,} allowed",
                f"第 {number} 行：{len(cells):,} 列，超过允许的 {bounds.max_columns:,} 列",
                "max_columns",
            )
        cells_read += len(cells)
        if cells_read > bounds.max_cells:
            raise _too_big(
                name,
                f"line {number}: the sheet holds more than {bounds.max_cells:,} cells",
                f"第 {number} 行：工作表超过 {bounds.max_cells:,} 个单元格",
                "max_cells",
            )
        yield number, cells


def _open_sheet(blob: Blob, sheet_name: str | None) -> tuple[Any, Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(blob.open(), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _not_a_workbook(blob.name, exc) from None
    try:
        return workbook, _pick_sheet(workbook, blob.name, sheet_name)
    except InputError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise _not_a_workbook(blob.name, exc) from None


def _read_xlsx(blob: Blob, sheet_name: str | None = None, bounds: WorkbookBounds | None = None) -> Table:
    limits = _bounds_or_default(bounds)
    _check_package(blob, limits)
    workbook, sheet = _open_sheet(blob, sheet_name)
    chosen = sheet.title
    rows = _sheet_rows(sheet, blob.name, limits)
    head: list[tuple[int, list[Any]]] = []
    try:
        for item in rows:
            head.append(item)
            if len(head) > MAX_TITLE_LINES:
                break
    except InputError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise _not_a_workbook(blob.name, exc) from None
    if not head:
        workbook.close()
        raise _refuse(blob.name, "the workbook is empty", "工作簿是空的", "put the readings on one visible sheet")
    header_at = 0
    for i, (_n, cells) in enumerate(head):
        texts = [_cell_text(c) for c in cells]
        known = sum(1 for c in texts if _ROLE_OF.get(split_unit(c)[0]) or POLLUTANT_NAMES.get(split_unit(c)[0]))
        if known >= 2:
            header_at = i
            break
    header_number = head[header_at][0]
    headers = [_cell_text(c) for c in head[header_at][1]]
    try:
        layout = detect_layout(headers, name=blob.name)
    except InputError:
        workbook.close()
        raise
    positions = sorted(set(layout.roles.values()) | set(layout.pollutants))
    names = layout.columns()
    # clamped: a sheet's claimed size only paces the progress bar (and the accumulator's
    # first estimate), so a lie can cost at most the bound.
    claimed = _claimed_rows(sheet)
    expected_rows = max(1, min(limits.max_rows, claimed)) if claimed else None  # None: no claim, no pace

    def chunks() -> Iterator[Chunk]:
        import numpy as np

        # A datetime column whose times are all midnight holds dates: write them as dates,
        # so a daily file saved by Excel is not read as hourly values at 00:00. Decided on
        # the first chunk (the sheet is a stream), then kept for the file.
        date_only: set[int] | None = None
        part: list[tuple[int, list[Any]]] = []

        def frame_of(batch: list[tuple[int, list[Any]]]) -> Chunk:
            nonlocal date_only
            if date_only is None:
                date_only = set()
                for pos in positions:
                    col = [r[pos] for _n, r in batch if pos < len(r) and isinstance(r[pos], dt.datetime)]
                    if col and all((x.hour, x.minute, x.second) == (0, 0, 0) for x in col):
                        date_only.add(pos)

            def cell(row: list[Any], pos: int) -> str:
                value = row[pos] if pos < len(row) else None
                if date_only and pos in date_only and isinstance(value, dt.datetime):
                    return value.date().isoformat()
                return _cell_text(value)

            frame = pd.DataFrame({n: [cell(r, pos) for _k, r in batch] for n, pos in zip(names, positions, strict=True)}, dtype=str)
            lines = np.asarray([k for k, _r in batch], dtype="int64")
            return Chunk(cells=frame, lines=lines, done=min(0.99, batch[-1][0] / expected_rows) if expected_rows else 0.0)

        try:
            for item in itertools.chain(head[header_at + 1 :], rows):
                part.append(item)
                if len(part) >= CHUNK_ROWS:
                    yield frame_of(part)
                    part = []
            if part:
                yield frame_of(part)
        except InputError:
            raise
        except Exception as exc:  # a part broken half-way through the sheet
            raise _not_a_workbook(blob.name, exc) from None
        finally:
            workbook.close()

    def raw_lines(wanted: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        if not wanted:
            return found
        book, again = _open_sheet(blob, chosen)
        try:
            last = max(wanted)
            for number, cells in _sheet_rows(again, blob.name, limits):
                if number in wanted:
                    found[number] = ",".join(_cell_text(c) for c in cells)
                if number >= last:
                    break
        finally:
            book.close()
        return found

    return Table(
        blob=blob,
        container="xlsx",
        encoding=None,
        delimiter=None,
        header_line=header_number,
        layout=layout,
        chunks=chunks(),
        bad_lines=[],
        raw_lines=raw_lines,
        sheet=chosen,
    )


def frame_table(frame: pd.DataFrame, *, name: str, sha256: str | None = None) -> Table:
    """A long-form frame handed over by an HTTP source, as if it were a file's rows."""
    headers = [str(c) for c in frame.columns]
    layout = detect_layout(headers, name=name)
    positions = sorted(set(layout.roles.values()) | set(layout.pollutants))
    text = frame.iloc[:, positions].astype(str).where(frame.iloc[:, positions].notna(), "")
    text.columns = layout.columns()
    digest = sha256 or hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
    blob = Blob(name=name, path=None, data=b"", size=len(frame), sha256=digest)

    def chunks() -> Iterator[Chunk]:
        import numpy as np

        for start in range(0, len(text), CHUNK_ROWS):
            part = text.iloc[start : start + CHUNK_ROWS].reset_index(drop=True)
            lines = np.arange(start + 2, start + 2 + len(part), dtype="int64")
            yield Chunk(cells=part, lines=lines, done=min(1.0, (start + len(part)) / max(1, len(text))))

    def raw_lines(wanted: set[int]) -> dict[int, str]:
        return {n: ",".join(str(v) for v in frame.iloc[n - 2].tolist()) for n in wanted if 0 <= n - 2 < len(frame)}

    return Table(
        blob=blob,
        container="frame",
        encoding=None,
        delimiter=None,
        header_line=1,
        layout=layout,
        chunks=chunks(),
        bad_lines=[],
        raw_lines=raw_lines,
    )


def text_io(data: bytes, encoding: str) -> IO[str]:
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding)
