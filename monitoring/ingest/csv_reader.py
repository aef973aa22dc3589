"""The general CSV reader: pandas' C parser in chunks, every line accounted for.

Reads any delimiter (a full-width comma through the Python parser), quoted fields with
line breaks (``physical_lines`` maps parser records back to the file's lines), a header
below a title, rows with too many fields (kept aside as ``BadLine``s: the pipeline refuses
each with its line) and too few (flagged ``maybe_short``). A file the parser cannot read,
or text in a second encoding, is refused with one line naming where.

Why rows with too many fields are found by reading pandas' warning text (``_BAD_LINE``)
and not through a parser's bad-line hook (issue 15; measured 2026-12-01, pandas 3.1.1,
pyarrow 26.0.1, 1 M rows / 40 MB, 2 shared cores):

* pandas' ``on_bad_lines=callable`` exists only for engine="python" (≈ 8× slower; it also
  read an unclosed quote at EOF, > 128 KB fields and mid-field quotes differently) and
  engine="pyarrow" (no ``chunksize``: the whole file in memory). The C parser has no hook.
* pyarrow.csv's streaming reader with ``ParseOptions(invalid_row_handler=...)`` parses in
  0.41 s against the C parser's 0.9–1.1 s, but the cells must then become the Python
  strings the validator works on: 2.5–2.9 s in all, 2.5× slower. It also changes outcomes
  of the hostile corpus: an unclosed quote (unbalanced_quote.csv, refused at line 4 today)
  becomes ONE invalid row that swallows the rest of the file — skipped, rows lost without
  a word; it cannot split on a full-width comma; ``InvalidRow.number`` is None unless
  ``use_threads=False``; a row longer than ``block_size`` is an error, not a row.
So the C parser stays. The wording is pinned by tests: the corpus' too_many_fields.csv
("expected 4, found 6") and tests/ingest/test_bad_input.py fail if pandas rewords it.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from monitoring.errors import InputError
from monitoring.ingest import readers  # readers.CHUNK_ROWS read at call time (tests shrink it)
from monitoring.ingest.layout import DELIMITERS, detect_layout, find_header
from monitoring.ingest.readers import MAX_TITLE_LINES, SNIFF_BYTES, BadLine, Blob, Chunk, Table, detect_encoding, refuse
from monitoring.printable import one_line as printable  # the one-line form of a file's text in messages


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


#: Bytes read at most to count the fields of an over-long first line.
_LONG_LINE_SCAN = 256 * 1024 * 1024


def _line_too_long(blob: Blob, encoding: str, line: int) -> InputError:
    """The refusal of a line longer than SNIFF_BYTES, with the number of its fields."""
    skip = line - 1  # blank lines before it
    counts = dict.fromkeys(DELIMITERS, 0)
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
            for d in DELIMITERS:
                counts[d] += block.count(d)
            if ended:
                break
    delimiter = max(DELIMITERS, key=lambda d: counts[d])
    fields = counts[delimiter] + 1 if counts[delimiter] else 1
    more = "" if ended or length < _LONG_LINE_SCAN else "at least "
    shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
    if fields > 1:
        return refuse(
            blob.name,
            f"line {line}: the header line is too long ({more}{length:,} characters): too many columns: {more}{fields:,} "
            f"(separated by {shown})",
            f"第 {line} 行：表头过长（{more and '至少'}{length:,} 个字符），列数过多：{more and '至少'}{fields:,} 列",
            "keep only the columns of the template (subdistrict, time, pollutant, value — or one column per "
            "pollutant) and save the file again",
        )
    return refuse(
        blob.name,
        f"line {line} is too long ({more}{length:,} characters without a line break): not a table of readings",
        f"第 {line} 行过长（{more and '至少'}{length:,} 个字符没有换行），不是监测数据表格",
        "export the readings again as CSV (one row per line) or XLSX",
    )


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


def _leading_long_records(blob: Blob, encoding: str, delimiter: str, skip: int, n_fields: int) -> list[tuple[int, int]]:
    """(physical line, fields) of the records with more than ``n_fields`` fields that come
    first after ``skip`` records; usually none, and only the first record is read."""
    found: list[tuple[int, int]] = []
    try:
        with blob.open() as fh, io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            for _ in range(skip):
                if next(reader, None) is None:
                    return found
            while True:
                start = reader.line_num + 1
                row = next(reader, None)
                if row is None or len(row) <= n_fields:
                    return found
                found.append((start, len(row)))
    except (csv.Error, UnicodeError, OSError):
        return found  # the parser reports what is wrong


def read_csv(blob: Blob) -> Table:
    encoding = detect_encoding(blob)
    lines = _sniff_text(blob, encoding)
    header_index, delimiter, headers = find_header(lines, blob.name)
    layout = detect_layout(headers, name=blob.name)
    bad: list[BadLine] = []
    bad_records: set[int] = set()  # as the parser counts them (a quoted line break is one record)
    n_fields = len(headers)
    # pandas takes a first data row with one field more than the header as "the first column
    # is the index" and shifts every row of the file by one column: the rows at the top with
    # too many fields are set aside here, as bad lines like any other, so the first row the
    # parser sees is not one of them.
    leading = _leading_long_records(blob, encoding, delimiter, header_index + 1, n_fields)
    for i, (line, fields) in enumerate(leading):
        bad.append(BadLine(line=line, fields=fields, expected=n_fields))
        bad_records.add(header_index + 2 + i)

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
                    skiprows=header_index + 1 + len(leading),
                    dtype=object,  # plain Python strings: Arrow strings cost ~0.5 s per million rows to convert back
                    keep_default_na=False,
                    na_filter=False,
                    skip_blank_lines=False,
                    on_bad_lines="warn",
                    # the C parser splits on one byte only: a full-width comma (，) is read
                    # by the Python parser (slower, and such files are small).
                    engine="c" if delimiter.isascii() else "python",
                    chunksize=readers.CHUNK_ROWS,
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
            raise refuse(
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
    return refuse(
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
