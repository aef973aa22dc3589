"""``openaq-v3``: hourly means from the public OpenAQ API (https://docs.openaq.org).

For each configured location: ``GET {url}/locations/{id}`` lists its sensors (one per
parameter); for each sensor of a pollutant the monitor knows, ``GET {url}/sensors/{id}/hours``
with ``datetime_from`` / ``datetime_to``, paged with ``limit`` and ``page`` until a short
page (``meta.found`` may be a number or a text like ">1000", so it only ends paging early
when it is a number). The key goes in the ``X-API-Key`` header, read from the environment
variable sources.yaml names; it is never logged or stored.

Time: OpenAQ datetimes are time-ending ("a time stamp for an hourly measurement 03:00
represents the data from 02:00 until 02:59"), so ``period.datetimeTo`` is the hour-ending
label the monitor uses. We read its ``utc`` form and add 8 hours (Beijing has no daylight
saving), which does not depend on the location's own time zone setting.

Units: µg/m³ is kept; CO is stored in mg/m³. Gases reported in ppm or ppb are converted at
the reference state of GB 3095-2012 (amended 2018): 25 °C and 101.325 kPa, molar volume
24.465 L/mol. Any other unit stops the pull rather than storing a wrong number.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable
from typing import Any

import requests

from monitoring.errors import ConfigError, SourceError
from monitoring.ingest.sources.config import HttpSettings, OpenAQSource, resolve_place
from monitoring.ingest.sources.frames import FetchOutcome, Row, frame_of, merge_subdistrict_rows
from monitoring.ingest.sources.http import fetch, parse_json
from monitoring.targets import Targets, unit_of

#: OpenAQ parameter name → the monitor's pollutant code.
PARAMETERS: dict[str, str] = {"pm25": "pm25", "pm10": "pm10", "so2": "so2", "no2": "no2", "o3": "o3", "co": "co"}
#: g/mol, for ppm/ppb → mass concentration.
MOLAR_MASS: dict[str, float] = {"so2": 64.066, "no2": 46.0055, "o3": 47.9982, "co": 28.0101}
MOLAR_VOLUME_L = 24.465  # 25 °C, 101.325 kPa
MAX_PAGES = 1000


def _unit(text: str) -> str:
    u = str(text or "").strip().lower().replace("μ", "µ").replace("ug/", "µg/").replace("^3", "³").replace("m3", "m³")
    return u


def convert(pollutant: str, value: float, unit: str) -> tuple[float, str] | None:
    """(value, unit) in the monitor's units, or None when the unit cannot be converted."""
    u = _unit(unit)
    target = unit_of(pollutant)
    if u == target:
        return value, target
    if u == "µg/m³" and target == "mg/m³":
        return value / 1000.0, target
    if u == "mg/m³" and target == "µg/m³":
        return value * 1000.0, target
    if u in ("ppb", "ppm") and pollutant in MOLAR_MASS:
        ppb = value * (1000.0 if u == "ppm" else 1.0)
        ug = ppb * MOLAR_MASS[pollutant] / MOLAR_VOLUME_L
        return (ug / 1000.0 if target == "mg/m³" else ug), target
    return None


def _utc_param(label: dt.datetime) -> str:
    """A Beijing label as the UTC instant OpenAQ's datetime filters take."""
    return (label - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")


def label_from_utc(text: str) -> dt.datetime:
    """OpenAQ's ``datetimeTo.utc`` (period end) → the naive Beijing hour-ending label."""
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return (stamp.astimezone(dt.UTC) + dt.timedelta(hours=8)).replace(tzinfo=None)


class _Shape:
    """Walks a JSON document and names the exact place it is not what OpenAQ documents."""

    def __init__(self, source: str, url: str) -> None:
        self.source, self.url = source, url

    def fail(self, where: str, what: str) -> SourceError:
        return SourceError(
            f"source {self.source}: {self.url}: unexpected JSON: {where} {what}",
            message_zh=f"数据源 {self.source} 返回的 JSON 结构不符（{where}）",
            hint="the API changed or the url in sources.yaml does not point at OpenAQ v3",
        )

    def get(self, node: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(node, dict) or key not in node:
            raise self.fail(f"{where}.{key}", "is missing")
        value = node[key]
        if not isinstance(value, kind):
            raise self.fail(f"{where}.{key}", f"is {type(value).__name__}, expected {_kind_name(kind)}")
        return value

    def page(self, doc: Any) -> tuple[list[Any], Any]:
        if not isinstance(doc, dict):
            raise self.fail("(top level)", f"is {type(doc).__name__}, expected an object with meta and results")
        results = self.get(doc, "results", "", list)
        meta = doc.get("meta", {})
        found = meta.get("found") if isinstance(meta, dict) else None
        return results, found


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({"dict": "object", "list": "array", "str": "text", "int": "number", "float": "number"}.get(k.__name__, k.__name__) for k in kinds)


def api_key(source: OpenAQSource) -> str:
    key = os.environ.get(source.api_key_env, "").strip()
    if not key:
        raise ConfigError(
            f"source {source.name}: environment variable {source.api_key_env} is not set (the OpenAQ API key)",
            message_zh=f"数据源 {source.name}：未设置环境变量 {source.api_key_env}（OpenAQ API 密钥）",
            hint=f"register at https://explore.openaq.org/register and export {source.api_key_env}=<key>",
        )
    return key


def _sensors(
    session: requests.Session, source: OpenAQSource, settings: HttpSettings, headers: dict[str, str], location: int
) -> list[tuple[int, str, str]]:
    """(sensor id, pollutant, unit) of a location's sensors the monitor can use."""
    url = f"{source.url.rstrip('/')}/locations/{location}"
    fetched = fetch(session, url, source=source.name, settings=settings, expect="json", headers=headers)
    shape = _Shape(source.name, url)
    results, _found = shape.page(parse_json(fetched, source=source.name))
    if not results:
        raise SourceError(
            f"source {source.name}: OpenAQ location {location} not found",
            message_zh=f"数据源 {source.name}：OpenAQ 站点 {location} 不存在",
            hint="check the location ids in sources.yaml (https://explore.openaq.org)",
        )
    sensors = shape.get(results[0], "sensors", "results[0]", list)
    out = []
    for i, sensor in enumerate(sensors):
        where = f"results[0].sensors[{i}]"
        sid = shape.get(sensor, "id", where, int)
        parameter = shape.get(sensor, "parameter", where, dict)
        name = shape.get(parameter, "name", f"{where}.parameter", str)
        if name in PARAMETERS:
            units = parameter.get("units") or ""
            out.append((sid, PARAMETERS[name], str(units)))
    return out


def _hours(
    session: requests.Session,
    source: OpenAQSource,
    settings: HttpSettings,
    headers: dict[str, str],
    sensor: int,
    start: dt.datetime,
    end: dt.datetime,
    outcome: FetchOutcome,
) -> list[tuple[dt.datetime, float | None, str, str]]:
    """Every hourly value of one sensor in [start, end]: (label, value, parameter name, units)."""
    url = f"{source.url.rstrip('/')}/sensors/{sensor}/hours"
    shape = _Shape(source.name, url)
    values: list[tuple[dt.datetime, float | None, str, str]] = []
    for page in range(1, MAX_PAGES + 1):
        params = {
            # the hour ending at `start` begins an hour earlier
            "datetime_from": _utc_param(start - dt.timedelta(hours=1)),
            "datetime_to": _utc_param(end),
            "limit": source.page_limit,
            "page": page,
        }
        fetched = fetch(session, url, source=source.name, settings=settings, expect="json", params=params, headers=headers)
        outcome.add_body(fetched)
        results, found = shape.page(parse_json(fetched, source=source.name))
        for i, item in enumerate(results):
            where = f"results[{i}]"
            period = shape.get(item, "period", where, dict)
            interval = period.get("interval")
            if interval not in (None, "01:00:00"):
                raise shape.fail(f"{where}.period.interval", f"is {interval!r}, expected hourly values (01:00:00)")
            ending = shape.get(shape.get(period, "datetimeTo", f"{where}.period", dict), "utc", f"{where}.period.datetimeTo", str)
            try:
                label = label_from_utc(ending)
            except ValueError:
                raise shape.fail(f"{where}.period.datetimeTo.utc", f"{ending!r} is not an ISO datetime") from None
            raw = item.get("value") if isinstance(item, dict) else None
            if raw is not None and (not isinstance(raw, int | float) or isinstance(raw, bool)):
                raise shape.fail(f"{where}.value", f"is {type(raw).__name__}, expected a number")
            parameter = shape.get(item, "parameter", where, dict)
            name = shape.get(parameter, "name", f"{where}.parameter", str)
            value = None if raw is None or (isinstance(raw, float) and math.isnan(raw)) else float(raw)
            if start <= label <= end:
                values.append((label, value, name, str(parameter.get("units") or "")))
        if len(results) < source.page_limit:
            return values
        if isinstance(found, int) and page * source.page_limit >= found:
            return values
    raise SourceError(
        f"source {source.name}: {url}: more than {MAX_PAGES} pages",
        message_zh=f"数据源 {source.name} 返回的分页超过 {MAX_PAGES} 页",
        hint="pull a shorter period with --from/--to",
    )


def fetch_frame(
    source: OpenAQSource,
    session: requests.Session,
    settings: HttpSettings,
    *,
    targets: Targets,
    start: dt.datetime,
    end: dt.datetime,
    progress: Callable[[float, str], None] | None = None,
) -> FetchOutcome:
    """Fetch the hourly values of every configured location's sensors in [start, end]."""
    key = api_key(source)
    headers = {"X-API-Key": key, "Accept": "application/json"}
    outcome = FetchOutcome()
    rows: list[Row] = []
    locations = list(source.locations.items())
    for n, (location, target) in enumerate(locations):
        place = resolve_place(targets, target)
        sensors = _sensors(session, source, settings, headers, location)
        outcome.requests += 1
        for k, (sensor, pollutant, sensor_units) in enumerate(sensors):
            if progress is not None:
                done = (n + k / max(len(sensors), 1)) / len(locations)
                progress(done, f"location {location} sensor {sensor} ({pollutant})")
            for label, value, _name, units in _hours(session, source, settings, headers, sensor, start, end, outcome):
                unit = units or sensor_units
                if value is None:
                    rows.append(Row(place.subdistrict, f"{label:%Y-%m-%d %H:%M}", pollutant, "", place.station, ""))
                    continue
                converted = convert(pollutant, value, unit)
                if converted is None:
                    raise SourceError(
                        f"source {source.name}: sensor {sensor} ({pollutant}) reports in {unit!r}, "
                        "which the monitor cannot convert to µg/m³ (CO mg/m³)",
                        message_zh=f"数据源 {source.name}：传感器 {sensor}（{pollutant}）的单位 {unit} 无法换算",
                        hint="remove this location from sources.yaml or ask for the unit to be supported",
                    )
                amount, unit_out = converted
                rows.append(
                    Row(place.subdistrict, f"{label:%Y-%m-%d %H:%M}", pollutant, repr(round(amount, 4)), place.station, unit_out)
                )
    if progress is not None:
        progress(1.0, f"{len(locations)} location(s) fetched")
    outcome.frame = frame_of(merge_subdistrict_rows(rows))
    return outcome
