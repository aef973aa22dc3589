"""HTTP sources: sources.yaml, the session, and one fetcher per kind.

A fetcher turns a source's answer for a window of hours into the long-form readings
frame the pipeline validates (``frames.FRAME_COLUMNS``); ``run.pull`` records the run.
Kinds (INTERFACES.md): ``csv-url``, ``cnemc-hourly``, ``openaq-v3``. Adding a kind is a
module with ``fetch_frame`` and an entry in ``FETCHERS`` (and a model in config.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monitoring.ingest.sources import cnemc, csv_url, openaq
from monitoring.ingest.sources.config import (
    AnySource,
    CnemcSource,
    CsvUrlSource,
    HttpSettings,
    OpenAQSource,
    SourcesFile,
    load_sources,
    render_url,
)
from monitoring.ingest.sources.frames import FRAME_COLUMNS, FetchOutcome

#: kind → fetch_frame(source, session, settings, *, targets, start, end, progress) → FetchOutcome
FETCHERS: dict[str, Callable[..., FetchOutcome]] = {
    "csv-url": csv_url.fetch_frame,
    "cnemc-hourly": cnemc.fetch_frame,
    "openaq-v3": openaq.fetch_frame,
}
KINDS: tuple[str, ...] = tuple(FETCHERS)

__all__ = [
    "FETCHERS",
    "FRAME_COLUMNS",
    "KINDS",
    "AnySource",
    "CnemcSource",
    "CsvUrlSource",
    "FetchOutcome",
    "HttpSettings",
    "OpenAQSource",
    "SourcesFile",
    "load_sources",
    "render_url",
]


def describe(source: AnySource) -> dict[str, Any]:
    """What an operator sees for a source (never the API key)."""
    out: dict[str, Any] = {"name": source.name, "kind": source.kind, "url": source.url}
    if isinstance(source, OpenAQSource):
        out["api_key_env"] = source.api_key_env
        out["locations"] = {str(k): v for k, v in source.locations.items()}
    elif isinstance(source, CnemcSource | CsvUrlSource):
        out["stations"] = dict(source.stations)
    return out
