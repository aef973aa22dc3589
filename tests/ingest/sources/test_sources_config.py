"""sources.yaml: the repository's file validates and documents every key; mistakes are
refused in one line naming the key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from monitoring import config
from monitoring.errors import ConfigError
from monitoring.ingest.sources import CnemcSource, CsvUrlSource, OpenAQSource, load_sources, render_url
from monitoring.ingest.sources.config import Place, resolve_place
from monitoring.targets import Targets

SOURCES_FILE = config.PROJECT_ROOT / "sources.yaml"
MAPPINGS = ("names", "stations", "locations")


def test_the_repository_file_validates(targets: Targets) -> None:
    sources = load_sources(SOURCES_FILE, targets)
    kinds = {type(s) for s in sources.sources}
    assert kinds == {CnemcSource, CsvUrlSource, OpenAQSource}
    cnemc = sources.get("cnemc-beijing")
    assert cnemc.http_settings(sources.defaults).timeout.read == 60  # its own override
    assert cnemc.http_settings(sources.defaults).retries.total == 5  # the default kept
    limits = cnemc.http_settings(sources.defaults).limits
    assert (limits.max_bytes, limits.deadline, cnemc.lookback_hours) == (50_000_000, 900, 24)


def _undocumented(text: str) -> list[tuple[str, int]]:
    """Keys whose line has no comment and no ``# key:`` comment line directly above."""
    lines = text.splitlines()
    missing: list[tuple[str, int]] = []
    seen: set[str] = set()

    def documented(key: str, n: int) -> bool:
        if re.search(r"#\s*\S", lines[n].split(key, 1)[-1]):
            return True
        j = n - 1
        while j >= 0 and lines[j].strip().startswith("#"):
            if re.match(rf"\s*#\s*{re.escape(key)}\b", lines[j]):
                return True
            j -= 1
        return False

    def walk(node: yaml.Node, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = str(k.value)
                generic = re.sub(r"\[\d+\]", "[]", f"{path}.{key}")
                if generic not in seen and not path.endswith(MAPPINGS):
                    seen.add(generic)
                    if not documented(key, k.start_mark.line):
                        missing.append((generic, k.start_mark.line + 1))
                walk(v, f"{path}.{key}")
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    walk(yaml.compose(text), "")
    return missing


def test_every_key_is_documented_in_a_comment() -> None:
    assert _undocumented(SOURCES_FILE.read_text(encoding="utf-8")) == []


def test_the_documentation_check_can_fail() -> None:
    assert _undocumented("# a: yes\na: 1\nb:\n  c: 2  # c too\n") == [(".b", 3)]


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SOURCES_FILE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "sources.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    page_limit: 1000", "    page_limit: 1000\n    pagelimit: 5", r"sources\[2 openaq-xicheng\]\.pagelimit: unknown key — remove it"),
        ("    kind: cnemc-hourly", "    kind: cnemc", r"sources\[0 cnemc-beijing\]: Input tag 'cnemc' .* — kind must be csv-url, cnemc-hourly or openaq-v3"),
        ("beijing/{timepoint:%Y-%m-%dT%H}.csv", "beijing/latest.csv", r"url must contain the hour"),
        ("https://api.openaq.org/v3", "https://api.openaq.org/v3/{timepoint}", r"placeholder \{timepoint\} is not known for kind openaq-v3"),
        ("beijing/{timepoint:%Y-%m-%dT%H}.csv", "beijing/{timepoint.csv", r"url template"),
        ("      XC-MS-07: 月坛", "      XC-MS-07: 月坛外", r"sources\[1 bureau-csv\]\.stations\.XC-MS-07: unknown station or subdistrict '月坛外'"),
        ("      西城区德胜: 德胜", "      西城区德胜: 1006A", r"names\.西城区德胜: unknown subdistrict '1006A'"),
        ("      100002: 展览路", "      100002: 展览路西", r"locations\.100002: unknown station or subdistrict"),
        ("  - name: bureau-csv", "  - name: upload", r"'upload' is reserved"),
        ("  - name: bureau-csv", "  - name: cnemc-beijing", r"source name 'cnemc-beijing' is listed twice"),
        ("  - name: bureau-csv", "  - name: Bureau CSV", r"sources\[1 Bureau CSV\]\.name: String should match pattern"),
        ("    read: 30", "    read: -1", r"defaults\.timeout\.read: Input should be greater than 0"),
        ('    url: "https://api.openaq.org/v3"', '    url: "ftp://api.openaq.org/v3"', r"url must start with http"),
        ("    api_key_env: OPENAQ_API_KEY", "    api_key_env: OPENAQ API KEY", r"api_key_env: String should match pattern"),
        ("version: 1", "version: 2", r"version: Input should be 1"),
        ("    deadline: 900", "    deadline: 0", r"defaults\.limits\.deadline: Input should be greater than 0"),
        ("    max_response_mb: 50", "    max_response_mb: lots", r"defaults\.limits\.max_response_mb: Input should be a valid number"),
        ("    lookback_hours: 24", "    lookback_hours: -1", r"sources\[0 cnemc-beijing\]\.lookback_hours: Input should be greater than or equal to 0"),
        ("defaults:\n", "defaults:\n  - oops\n", r"line \d+, column \d+|defaults"),
    ],
)
def test_a_mistake_is_refused_in_one_line(tmp_path: Path, targets: Targets, old: str, new: str, expected: str) -> None:
    path = _edited(tmp_path, old, new)
    with pytest.raises(ConfigError, match=expected) as caught:
        load_sources(path, targets)
    assert "\n" not in str(caught.value)
    assert caught.value.message_zh and caught.value.hint


def test_a_missing_file_says_which_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sources file not found.*MONITOR_SOURCES"):
        load_sources(tmp_path / "nope.yaml")


def test_an_unknown_source_name_lists_the_known_ones(targets: Targets) -> None:
    with pytest.raises(ConfigError, match="unknown source 'cnemc' .*cnemc-beijing, bureau-csv, openaq-xicheng"):
        load_sources(SOURCES_FILE, targets).get("cnemc")


def test_url_templates_fill_strftime_patterns_and_encode_values() -> None:
    label = dt.datetime(2026, 1, 5, 13)
    assert render_url("https://h/{timepoint:%Y-%m-%dT%H}.csv", timepoint=label) == "https://h/2026-01-05T13.csv"
    assert render_url("https://h/{timepoint:%Y/%m/%d/%H}.csv", timepoint=label) == "https://h/2026/01/05/13.csv"
    assert render_url("https://h/x?from={from:%Y-%m-%d %H:%M}&a={{b}}", **{"from": label}) == "https://h/x?from=2026-01-05%2013:00&a={b}"


def test_a_mapping_names_a_station_or_a_subdistrict(targets: Targets) -> None:
    assert resolve_place(targets, "1001A") == Place("白纸坊", "1001A")
    assert resolve_place(targets, "官园") == Place("展览路", "1006A")
    assert resolve_place(targets, "德胜街道") == Place("德胜", "")
    with pytest.raises(KeyError):
        resolve_place(targets, "德胜门外")
