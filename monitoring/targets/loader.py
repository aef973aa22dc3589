"""Reading targets.yaml: strict validation to one line, the check against the official
subdistrict register, and a cache keyed on the file's modification time."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from monitoring import config, settings_file
from monitoring.errors import ConfigError
from monitoring.targets.models import Targets

#: The official register of Xicheng's subdistricts (code, name, indicative point).
REGISTER_PATH = config.DATA_DIR / "reference" / "xicheng_15_subdistrict_codes_points.csv"

_HINTS = {
    "extra_forbidden": "remove it or correct its spelling (see the comments in targets.yaml)",
    "missing": "add it (see the comments in targets.yaml for its meaning)",
    "literal_error": "use one of the values listed",
}


def read_register(path: Path = REGISTER_PATH) -> list[dict[str, str]]:
    """The official list of Xicheng's subdistricts (area code, name, short name, pinyin, point)."""
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _check_register(targets: Targets, path: Path) -> None:
    official = {row["area_code"]: row["short_name"] for row in read_register()}
    seen: set[str] = set()
    for i, sd in enumerate(targets.subdistricts):
        if sd.code not in official:
            raise ConfigError(
                f"{path.name}: subdistricts[{i} {sd.short_name}].code: {sd.code} is not a Xicheng subdistrict",
                message_zh=f"{path.name} 有误：第 {i + 1} 个街道的代码 {sd.code} 不是西城区的街道代码",
                hint="use one of the 15 official 12-digit codes in data/reference/xicheng_15_subdistrict_codes_points.csv",
                hint_zh="请使用 data/reference/xicheng_15_subdistrict_codes_points.csv 中的 15 个官方 12 位代码之一",
            )
        if sd.code in seen:
            raise ConfigError(
                f"{path.name}: subdistricts[{i} {sd.short_name}].code: {sd.code} is listed twice",
                message_zh=f"{path.name} 有误：街道代码 {sd.code} 重复",
                hint="keep one entry per subdistrict",
                hint_zh="每个街道只保留一条",
            )
        seen.add(sd.code)
    missing = [f"{official[c]} ({c})" for c in official if c not in seen]
    if missing:
        raise ConfigError(
            f"{path.name}: subdistricts: missing {', '.join(missing)}",
            message_zh=f"{path.name} 有误：缺少街道 {'、'.join(missing)}",
            hint="add an entry for each of the 15 subdistricts with its pm25_target",
            hint_zh="请为 15 个街道各写一条，并给出 pm25_target",
        )
    short = {sd.short_name for sd in targets.subdistricts}
    for i, st in enumerate(targets.stations):
        if st.subdistrict not in short:
            raise ConfigError(
                f"{path.name}: stations[{i} {st.code}].subdistrict: unknown subdistrict {st.subdistrict!r}",
                message_zh=f"{path.name} 有误：站点 {st.name} 所在街道 {st.subdistrict} 不存在",
                hint=f"use a short name: {', '.join(sorted(short))}",
                hint_zh=f"请使用街道简称：{'、'.join(sorted(short))}",
            )
    keys = [ind.key for ind in targets.indicators]
    if len(keys) != len(set(keys)):
        raise ConfigError(f"{path.name}: indicators: a key is listed twice", hint="keep each key once")


def load_targets(path: Path | str | None = None) -> Targets:
    """Read and validate the targets file; raise ``ConfigError`` with one line if it is wrong."""
    path = Path(path) if path is not None else config.targets_path()
    return _load_cached(str(path.resolve()), _mtime(path))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1.0


@lru_cache(maxsize=4)
def _load_cached(path_text: str, mtime: float) -> Targets:
    path = Path(path_text)
    data = settings_file.read_yaml_mapping(path, what="targets file", setting="MONITOR_TARGETS", what_zh="目标文件")
    try:
        targets = Targets.model_validate(data)
    except ValidationError as exc:
        raise settings_file.one_line(
            exc,
            data,
            path,
            label_keys=("short_name", "key", "code"),
            hints=_HINTS,
            default_hint="correct the value",
        ) from None
    _check_register(targets, path)
    return targets
