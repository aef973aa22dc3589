"""Readers: bytes of a CSV or XLSX file → chunks of text cells under canonical column names.

A reader decides three things from the first bytes and the header line, then streams:
the container (CSV text, XLSX, or something it refuses: empty, binary, old .xls), the
encoding (UTF-8, UTF-8 with BOM, UTF-16 from Excel's "Unicode text", else GB18030, the
superset of GBK that Chinese Excel writes), and the layout (long, wide or road dust,
told from the headers in Chinese or English). Cells stay text: the validator decides
what a value means, and a rejected row can be shown as it was written.

This module holds what every reader shares (the file's bytes, the container and encoding
sniffing, ``Table`` and ``Chunk``) and ``read_table``, the one entry point; the readers
themselves are ``layout.py`` (the header), ``csv_reader.py`` and ``xlsx_reader.py``.

Nothing a file contains is executed or used to build SQL: cells are strings that are
looked up in dictionaries or parsed as numbers and times.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pandas as pd

from monitoring.errors import InputError
from monitoring.ingest.layout import Layout, detect_layout

if TYPE_CHECKING:
    from monitoring.targets import WorkbookBounds

#: Rows per chunk: large enough for vectorised work, small enough for bounded memory.
CHUNK_ROWS = 100_000
#: Bytes looked at to decide container, encoding and header.
SNIFF_BYTES = 64 * 1024
#: Lines before the header that may hold a title (Excel exports often start with one).
MAX_TITLE_LINES = 10

Source = Path | bytes | BinaryIO

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


def refuse(name: str, en: str, zh: str, hint: str) -> InputError:
    return InputError(f"{name}: {en}", message_zh=f"{name}：{zh}", hint=hint)


def sniff_container(blob: Blob) -> str:
    """``csv`` or ``xlsx``; refuse empty, binary and legacy .xls files."""
    head = blob.head()
    if not head.strip() or head.strip(b" \t\r\n\x00") in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xfe\xff", b""):
        raise refuse(blob.name, "the file is empty", "文件是空的", "export the data again; the file has no rows")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(
            blob.name,
            "an old Excel .xls workbook is not supported",
            "不支持旧版 Excel .xls 文件",
            "open it in Excel and save as .xlsx or CSV UTF-8",
        )
    if not head.startswith((b"\xff\xfe", b"\xfe\xff", _UTF32_BE)) and b"\x00" in head:
        raise refuse(
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
    raise refuse(
        blob.name,
        f"the text is neither UTF-8 nor GBK/GB18030 (looks like {guess})",
        f"文件编码无法识别（既不是 UTF-8 也不是 GBK，疑似 {guess}）",
        "save the file as CSV UTF-8 (Excel: 另存为 → CSV UTF-8) and try again",
    )


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
    # imported here: the two readers build on this module's types
    from monitoring.ingest.csv_reader import read_csv
    from monitoring.ingest.xlsx_reader import read_xlsx

    blob = blob or load_blob(source, name)
    container = sniff_container(blob)
    if container == "xlsx":
        return read_xlsx(blob, sheet, bounds)
    return read_csv(blob)


class SheetChoiceError(InputError):
    """The workbook's sheet to read must be named (``sheets``: the names to choose from)."""

    def __init__(self, message: str, *, sheets: list[str], message_zh: str, hint: str) -> None:
        super().__init__(message, message_zh=message_zh, hint=hint)
        self.sheets = sheets


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
