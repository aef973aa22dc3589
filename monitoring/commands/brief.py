"""``brief --year Y --month M --out FILE.pdf|FILE.xlsx``: the leaders' monthly brief.

The same file the progress page's download buttons give (``monitoring.brief.make``): one
A4 page (PDF) or a workbook (XLSX), for the year up to the end of month M, or its last day
with data when the month is still running. The format follows the file's extension.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitoring.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "brief",
        help="the one-page monthly brief (PDF) or its workbook (XLSX), as the progress page gives it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--year", type=int, required=True, help="the year, e.g. 2026")
    p.add_argument("--month", type=int, required=True, choices=range(1, 13), metavar="M",
                   help="the month the brief closes (1–12); a month still running ends on its last day with data")
    p.add_argument("--out", type=Path, required=True, help="the file to write: FILE.pdf or FILE.xlsx")
    p.add_argument("--exclude-events", "--exclude-dust", dest="exclude_events", action="store_true",
                   help="leave the days of exceptional events out, sand and dust included (扣除例外事件)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring import brief
    from monitoring.storage.engine import make_engine
    from monitoring.targets import load_targets

    out: Path = args.out
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in brief.FORMATS:
        raise InputError(
            f"--out {out}: the brief is written as .pdf or .xlsx, not {out.suffix or 'a file without extension'}",
            message_zh=f"--out {out}：简报只能写成 .pdf 或 .xlsx",
            hint="give --out brief.pdf or --out brief.xlsx",
        )
    if not out.parent.is_dir():
        raise InputError(
            f"--out {out}: the folder {out.parent} does not exist",
            message_zh=f"--out {out}：文件夹 {out.parent} 不存在",
            hint="create the folder first or write elsewhere",
        )
    targets = load_targets()
    engine = make_engine(check_writable=False)
    try:
        data = brief.make(engine, targets, year=args.year, month=args.month, fmt=fmt,  # type: ignore[arg-type]
                          exclude_events=args.exclude_events)
    finally:
        engine.dispose()
    # written whole or not at all: a half-written brief never replaces a good one
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"wrote {out} ({len(data):,} bytes)", file=sys.stderr)
    return 0
