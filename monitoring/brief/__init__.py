"""The leaders' monthly brief: one A4 page (PDF) and a workbook (XLSX) with the same content.

``make(engine, targets, year=, month=, fmt=)`` is the one function behind both the
``python -m monitoring brief`` command and the progress page's download buttons, so the
two give the same file. ``content.build`` decides what the brief says (period, headline,
subdistricts most at risk first, each rule once, the demo mark, the appendix); ``pdf`` and
``xlsx`` only lay it out.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import Engine

from monitoring.brief import pdf, xlsx
from monitoring.brief.content import Brief, build, period_name, rest_name
from monitoring.targets import Targets

Format = Literal["pdf", "xlsx"]
FORMATS: tuple[Format, ...] = ("pdf", "xlsx")
MIME = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render(brief: Brief, fmt: Format) -> bytes:
    """The brief as PDF or XLSX bytes."""
    return pdf.render(brief) if fmt == "pdf" else xlsx.render(brief)


def file_name(year: int, month: int, fmt: Format) -> str:
    return f"monthly_brief_{year}-{month:02d}.{fmt}"


def make(
    engine: Engine,
    targets: Targets,
    *,
    year: int,
    month: int,
    fmt: Format,
    exclude_events: bool = False,
    generated: dt.datetime | None = None,
) -> bytes:
    """The brief of ``month`` of ``year`` as a file (what the CLI writes and the page offers)."""
    return render(build(engine, targets, year=year, month=month, exclude_events=exclude_events, generated=generated), fmt)


__all__ = ["FORMATS", "MIME", "Brief", "Format", "build", "file_name", "make", "period_name", "render", "rest_name"]
