"""targets.yaml: it loads, every key is documented, and each kind of mistake gets one clear line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from monitoring.config import PROJECT_ROOT
from monitoring.errors import ConfigError
from monitoring.targets import Targets, load_targets, normalise_name, read_register

TARGETS_FILE = PROJECT_ROOT / "targets.yaml"

# The 2026 plan's table (附1, 各街道…有关指标), written out independently of targets.yaml.
PLAN_TARGETS = {
    "德胜": 28, "什刹海": 28, "西长安街": 29, "大栅栏": 29, "天桥": 29, "新街口": 28, "金融街": 28, "椿树": 28,
    "陶然亭": 29, "展览路": 28, "月坛": 29, "广内": 29, "牛街": 29, "白纸坊": 28, "广外": 29,
}


def test_loads_the_fifteen_subdistricts_with_the_plan_targets(targets: Targets) -> None:
    assert len(targets.subdistricts) == 15
    assert {sd.short_name: sd.pm25_target for sd in targets.subdistricts} == PLAN_TARGETS
    assert {sd.code for sd in targets.subdistricts} == {row["area_code"] for row in read_register()}


@pytest.mark.parametrize(
    ("spelling", "short"),
    [("德胜", "德胜"), ("德胜街道", "德胜"), ("德胜街道办事处", "德胜"), ("Desheng", "德胜"), ("DESHENG", "德胜"),
     ("110102010000", "德胜"), ("广内", "广内"), ("广安门内", "广内"), ("广安门外街道", "广外"), ("Guang'anmenwai", "广外"),
     (" 西长安街 ", "西长安街")],
)
def test_every_documented_spelling_resolves(targets: Targets, spelling: str, short: str) -> None:
    assert targets.subdistrict(spelling).short_name == short


def test_unknown_spelling_is_a_key_error(targets: Targets) -> None:
    with pytest.raises(KeyError):
        targets.subdistrict("德胜门外")
    assert normalise_name("德胜门外街道") == "德胜门外"


def test_standards_are_dated_data(targets: Targets) -> None:
    aqi = targets.aqi_standard(dt.date(2026, 2, 28))
    assert aqi.standard == "HJ 633-2012"
    assert aqi.breakpoints["pm25_24h"] == (0, 35, 75, 115, 150, 250, 350, 500)
    assert [c.color for c in aqi.categories] == ["#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023"]
    assert targets.validity(dt.date(2026, 1, 1)).daily_min_hours == 20
    assert targets.limits(dt.date(2025, 6, 1)).values["pm25_annual"] == 35
    assert targets.limits(dt.date(2026, 6, 1)).values["pm25_annual"] == 30  # the 2026–2030 transition
    assert targets.limits(dt.date(2031, 6, 1)).values["pm25_annual"] == 25
    assert targets.standards.rounding.rule == "half_even"
    assert targets.road_dust.grades == {}


def _documented_keys(text: str) -> list[tuple[str, int]]:
    """Each key path's first occurrence and whether a comment documents it.

    A key is documented when its own line carries a comment, or when one of the comment
    lines directly above it (at the same or lower indentation) starts with ``# key:``.
    """
    lines = text.splitlines()
    node = yaml.compose(text)
    missing: list[tuple[str, int]] = []
    seen: set[str] = set()

    def has_comment(key: str, line_no: int) -> bool:
        if re.search(r"#\s*\S", lines[line_no].split(key, 1)[-1]):
            return True
        j = line_no - 1
        while j >= 0 and lines[j].strip().startswith("#"):
            if re.match(rf"\s*#\s*{re.escape(key)}\b", lines[j]) or re.match(r"\s*#\s*" + r".*\b" + re.escape(key) + r"\b", lines[j]):
                return True
            j -= 1
        return False

    def walk(n: yaml.Node, path: str) -> None:
        if isinstance(n, yaml.MappingNode):
            for key_node, value_node in n.value:
                key = str(key_node.value)
                generic = re.sub(r"\[\d+\]", "[]", f"{path}.{key}")
                is_data_key = path.endswith(("breakpoints", "values", "grades")) or re.fullmatch(r"\d{4}", key)
                if generic not in seen and not is_data_key:
                    seen.add(generic)
                    if not has_comment(key, key_node.start_mark.line):
                        missing.append((generic, key_node.start_mark.line + 1))
                walk(value_node, f"{path}.{key}")
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, f"{path}[{i}]")

    walk(node, "")
    return missing


def test_every_key_is_documented_in_a_comment() -> None:
    missing = _documented_keys(TARGETS_FILE.read_text(encoding="utf-8"))
    assert missing == [], f"undocumented keys in targets.yaml (path, line): {missing}"


def test_the_documentation_check_can_fail() -> None:
    assert _documented_keys("# a: documented\na: 1\nb: 2\n") == [(".b", 3)]


def _write(tmp_path: Path, edit: str, replacement: str, count: int = 1) -> Path:
    text = TARGETS_FILE.read_text(encoding="utf-8")
    assert edit in text, edit
    path = tmp_path / "targets.yaml"
    path.write_text(text.replace(edit, replacement, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "replacement", "expected"),
    [
        ("  at_risk_margin: 1.0", "  at_risk_margin: 1.0\n  at_risk_margn: 2", r"status_rules\.at_risk_margn: unknown key .* remove it"),
        ("    pm25_target: 29\n    # tile", "    pm25_target: lots\n    # tile", r"subdistricts\[0 西长安街\]\.pm25_target: .*number"),
        ('  - code: "110102003000"', '  - code: "110102099000"', r"110102099000 is not a Xicheng subdistrict.*official"),
        ("version: 1", "version: 1\nyear2: 3", r"year2: unknown key"),
        ("      daily_min_hours: 20\n", "", r"standards\.validity\[0\]\.daily_min_hours: Field required .* add it"),
        ("    subdistrict: 白纸坊", "    subdistrict: 白纸坊外", r"stations\[0 1001A\]\.subdistrict: unknown subdistrict"),
        ("year: 2026\n# plan", "year: [2026\n# plan", r"targets\.yaml: line \d+, column \d+"),
    ],
    ids=["unknown-key", "wrong-type", "unknown-subdistrict", "unknown-top-key", "missing-key", "station-subdistrict", "bad-yaml"],
)
def test_each_mistake_gets_one_line_naming_the_key_and_the_fix(tmp_path: Path, edit: str, replacement: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_targets(_write(tmp_path, edit, replacement))
    line = str(info.value)
    assert "\n" not in line
    assert re.search(expected, line), line
    assert info.value.message_zh and "\n" not in info.value.message_zh


def test_a_missing_subdistrict_is_named(tmp_path: Path) -> None:
    text = TARGETS_FILE.read_text(encoding="utf-8")
    start = text.index('  - code: "110102010000"')
    end = text.index('  - code: "110102011000"')
    path = tmp_path / "targets.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"subdistricts: missing 德胜 \(110102010000\) — add an entry"):
        load_targets(path)


def test_a_missing_file_says_where_to_look(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="targets file not found — set MONITOR_TARGETS"):
        load_targets(tmp_path / "nope.yaml")
