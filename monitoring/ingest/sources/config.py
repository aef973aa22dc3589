"""sources.yaml → validated source definitions (pydantic), with one-line errors.

The file lists the HTTP sources ``python -m monitoring pull SOURCE`` can fetch. It is read
only when a pull or the scheduler needs it, so a broken sources.yaml never stops the app
or the other commands. Station and name mappings are resolved against targets.yaml at
load time, so a misspelt subdistrict is refused before any request is sent.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitoring import config, settings_file
from monitoring.errors import ConfigError
from monitoring.targets import Targets, normalise_name

#: Names a source may not take: they are the ``readings.source`` of other ways in.
RESERVED_NAMES = frozenset({"demo", "upload", "cli", "init", "manual", "embedded", "ingest"})

#: Placeholders each kind's URL may use (see sources.yaml for their meaning).
URL_FIELDS: dict[str, frozenset[str]] = {
    "csv-url": frozenset({"from", "to", "from_utc", "to_utc"}),
    "cnemc-hourly": frozenset({"timepoint", "timepoint_utc"}),
    "openaq-v3": frozenset(),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timeouts(_Strict):
    # seconds to open the connection
    connect: float = Field(default=5.0, gt=0, le=300)
    # seconds to wait for each read of the response (not the whole download)
    read: float = Field(default=30.0, gt=0, le=600)


class Retries(_Strict):
    # attempts after the first one, over connection errors, timeouts, 429 and 5xx together
    total: int = Field(default=5, ge=0, le=20)
    # back-off: sleep backoff_factor * 2**(n-1) seconds before retry n (urllib3's Retry)
    backoff_factor: float = Field(default=1.0, ge=0, le=60)
    # the longest back-off sleep, in seconds
    backoff_max: float = Field(default=120.0, ge=0, le=3600)
    # the longest wait a Retry-After header may impose, in seconds (longer is shortened)
    retry_after_max: int = Field(default=300, ge=0, le=21600)


class Limits(_Strict):
    # the largest response body accepted, in MB (10^6 bytes, after decompression); checked
    # while reading, so a bigger one is refused before it fills the memory
    max_response_mb: float = Field(default=50.0, gt=0, le=2000)
    # seconds the whole pull may take: every request, retry, back-off and slow body
    # together (a server trickling bytes never trips the per-read timeout)
    deadline: float = Field(default=900.0, gt=0, le=86400)

    @property
    def max_bytes(self) -> int:
        return int(self.max_response_mb * 1_000_000)


class HttpSettings(_Strict):
    timeout: Timeouts = Timeouts()
    retries: Retries = Retries()
    limits: Limits = Limits()
    # the User-Agent sent with every request
    user_agent: str = "xicheng-air-monitor/1 (+python-requests)"


class HttpOverride(_Strict):
    """Per-source changes to the defaults (any key left out keeps the default)."""

    timeout: Timeouts | None = None
    retries: Retries | None = None
    limits: Limits | None = None
    user_agent: str | None = None


class _Source(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    description: str = ""
    url: str
    # the first hour a first pull fetches (nothing stored yet from this source); None:
    # the last 24 hours.
    start: dt.date | None = None
    # hours back from the newest hour of a pull within which an hour a subdistrict lacks
    # (not published yet, or missing from the answer) is asked for again; 0: never
    lookback_hours: int = Field(default=24, ge=0, le=24 * 31)
    http: HttpOverride | None = None

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, name: str) -> str:
        if name in RESERVED_NAMES:
            raise ValueError(f"{name!r} is reserved for another way in; choose another name")
        return name

    @model_validator(mode="after")
    def _check_url(self) -> _Source:
        kind = getattr(self, "kind", "")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {self.url!r}")
        used = template_fields(self.url)
        allowed = URL_FIELDS.get(kind, frozenset())
        unknown = sorted(used - allowed)
        if unknown:
            can = ", ".join("{" + f + "}" for f in sorted(allowed)) or "none"
            raise ValueError(f"url placeholder {{{unknown[0]}}} is not known for kind {kind} (it may use: {can})")
        if kind == "cnemc-hourly" and not used & {"timepoint", "timepoint_utc"}:
            raise ValueError("url must contain the hour, e.g. {timepoint:%Y-%m-%dT%H}")
        try:
            render_url(self.url, **{f: dt.datetime(2026, 1, 5, 13) for f in used})
        except (ValueError, KeyError, IndexError) as exc:
            raise ValueError(f"url template cannot be filled: {exc}") from None
        return self

    def http_settings(self, defaults: HttpSettings) -> HttpSettings:
        if self.http is None:
            return defaults
        return HttpSettings(
            timeout=self.http.timeout or defaults.timeout,
            retries=self.http.retries or defaults.retries,
            limits=self.http.limits or defaults.limits,
            user_agent=self.http.user_agent or defaults.user_agent,
        )


class CsvUrlSource(_Source):
    kind: Literal["csv-url"]
    # the file's subdistrict spellings that targets.yaml does not know → subdistrict
    names: dict[str, str] = {}
    # the file's station → a station of targets.yaml, or a subdistrict (the row then counts
    # as the subdistrict's own value)
    stations: dict[str, str] = {}


class CnemcSource(_Source):
    kind: Literal["cnemc-hourly"]
    # feed station code → a station of targets.yaml, or a subdistrict; added to (and
    # overriding) targets.yaml's own stations, which map to themselves
    stations: dict[str, str] = {}


class OpenAQSource(_Source):
    kind: Literal["openaq-v3"]
    # the environment variable holding the API key (sent as the X-API-Key header)
    api_key_env: str = Field(default="OPENAQ_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    # OpenAQ location id → a station of targets.yaml, or a subdistrict
    locations: dict[int, str] = Field(min_length=1)
    # results per page (OpenAQ allows up to 1000)
    page_limit: int = Field(default=1000, ge=1, le=1000)


Source = Annotated[CsvUrlSource | CnemcSource | OpenAQSource, Field(discriminator="kind")]


class SourcesFile(_Strict):
    version: Literal[1] = 1
    defaults: HttpSettings = HttpSettings()
    sources: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> SourcesFile:
        seen: set[str] = set()
        for src in self.sources:
            if src.name in seen:
                raise ValueError(f"source name {src.name!r} is listed twice")
            seen.add(src.name)
        return self

    def get(self, name: str) -> CsvUrlSource | CnemcSource | OpenAQSource:
        for src in self.sources:
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(
            f"unknown source {name!r} (sources.yaml lists: {known})",
            message_zh=f"数据源 {name} 不存在；sources.yaml 中的数据源：{known}",
            hint="add it to sources.yaml or use one of the names listed",
        )


AnySource = CsvUrlSource | CnemcSource | OpenAQSource


# -- URL templates ----------------------------------------------------------------


def template_fields(template: str) -> frozenset[str]:
    """The placeholder names a URL template uses (``{timepoint:%Y%m%d%H}`` → timepoint)."""
    names = set()
    try:
        for _literal, field, _spec, _conv in string.Formatter().parse(template):
            if field is not None:
                names.add(field)
    except ValueError as exc:
        raise ValueError(f"url template: {exc} (write a literal brace as {{{{ or }}}})") from None
    return frozenset(names)


class _UrlFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        # a filled value is percent-encoded (a space in "%Y-%m-%d %H:%M" becomes %20);
        # / and : stay, so a pattern may build a path ("%Y/%m/%d/%H.csv").
        return quote(super().format_field(value, format_spec), safe=":/-_.~")


def render_url(template: str, **values: dt.datetime) -> str:
    """Fill a URL template; a placeholder's format spec is a strftime pattern."""
    return _UrlFormatter().format(template, **values)


# -- loading ----------------------------------------------------------------------


_HINTS = {
    "extra_forbidden": "remove it or correct its spelling (see the comments in sources.yaml)",
    "missing": "add it (see the comments in sources.yaml)",
    "union_tag_invalid": "kind must be csv-url, cnemc-hourly or openaq-v3",
    "union_tag_not_found": "give every source a kind: csv-url, cnemc-hourly or openaq-v3",
}


@dataclass(frozen=True)
class Place:
    """Where a source's station or name puts its values: a subdistrict, and the station of
    targets.yaml they are stored under ("" = a value for the whole subdistrict)."""

    subdistrict: str
    station: str = ""


def resolve_place(targets: Targets, text: str) -> Place:
    """A mapping's right-hand side: a station of targets.yaml (code or name) or a subdistrict."""
    wanted = normalise_name(text)
    for st in targets.stations:
        if wanted in (normalise_name(st.code), normalise_name(st.name), normalise_name(st.name_en)):
            return Place(subdistrict=targets.subdistrict(st.subdistrict).short_name, station=st.code)
    return Place(subdistrict=targets.subdistrict(text).short_name)  # KeyError when unknown


def _check_mappings(sources: SourcesFile, targets: Targets, path: Path) -> None:
    for i, src in enumerate(sources.sources):
        maps: list[tuple[str, dict[Any, str], bool]] = []
        if isinstance(src, CsvUrlSource):
            maps = [("names", src.names, False), ("stations", src.stations, True)]
        elif isinstance(src, CnemcSource):
            maps = [("stations", src.stations, True)]
        else:
            maps = [("locations", src.locations, True)]
        for key, mapping, station_ok in maps:
            for their, ours in mapping.items():
                try:
                    place = resolve_place(targets, ours)
                except KeyError:
                    place = None
                if place is None or (place.station and not station_ok):
                    what = "station or subdistrict" if station_ok else "subdistrict"
                    raise ConfigError(
                        f"{path.name}: sources[{i} {src.name}].{key}.{their}: unknown {what} {ours!r}",
                        message_zh=f"{path.name} 有误：数据源 {src.name} 的 {their} 对应的街道或站点 {ours} 不存在",
                        hint=(
                            "use a subdistrict's short name (e.g. "
                            + ", ".join(sd.short_name for sd in targets.subdistricts[:3])
                            + ")"
                            + (" or a station code of targets.yaml (" + ", ".join(st.code for st in targets.stations) + ")"
                               if station_ok else "")
                        ),
                    )


def load_sources(path: Path | str | None = None, targets: Targets | None = None) -> SourcesFile:
    """Read and validate sources.yaml; raise ``ConfigError`` with one line if it is wrong."""
    path = Path(path) if path is not None else config.sources_path()
    data = settings_file.read_yaml_mapping(path, what="sources file", setting="MONITOR_SOURCES", what_zh="数据源文件", empty_ok=True)
    try:
        sources = SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise settings_file.one_line(
            exc,
            data,
            path,
            label_keys=("name",),
            hints=_HINTS,
            default_hint="correct the value (see the comments in sources.yaml)",
            skip=URL_FIELDS,
        ) from None
    if targets is not None:
        _check_mappings(sources, targets, path)
    return sources
