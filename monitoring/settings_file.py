"""Reading a settings file (targets.yaml, sources.yaml): its YAML, and its errors as one line.

Both files are read the same way (a missing file, bad encoding or broken YAML is one line
naming the file, the line and the fix) and checked by pydantic; ``one_line`` turns the
first validation error into "file: key.path[3 label]: what is wrong — how to fix it",
with the entry's own name in the path so a person finds it without counting list items.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitoring.errors import ConfigError


def _label(entry: Any, label_keys: Sequence[str]) -> str:
    if not isinstance(entry, dict):
        return ""
    for key in label_keys:
        if entry.get(key):
            return str(entry[key])
    return ""


def key_path(loc: Sequence[Any], data: Any, *, label_keys: Sequence[str], skip: Collection[str] = ()) -> str:
    """``loc`` of a pydantic error as ``a.b[2 label].c``, walking ``data`` for the labels."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            entry = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            label = _label(entry, label_keys)
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}{' ' + label if label else ''}]"]
        elif isinstance(item, str) and (item in skip or item.startswith("function-")):
            continue  # pydantic's own tags (validators, union members), not keys of the file
        else:
            parts.append(str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts)


def one_line(
    error: ValidationError,
    data: Any,
    path: Path,
    *,
    label_keys: Sequence[str],
    hints: Mapping[str, str],
    default_hint: str,
    skip: Collection[str] = (),
) -> ConfigError:
    """The first validation error as one ``ConfigError`` line naming the key and the fix."""
    first = error.errors()[0]
    where = key_path(first["loc"], data, label_keys=label_keys, skip=skip) or "(top level)"
    kind = first["type"]
    msg = "unknown key" if kind == "extra_forbidden" else str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return ConfigError(
        f"{path.name}: {where}: {msg}{more}",
        message_zh=f"{path.name} 有误：{where}：{msg}{more}",
        hint=hints.get(kind, default_hint),
        hint_zh=f"请打开 {path.name}，按该键上方的注释改正后重新启动",
    )


def read_yaml_mapping(
    path: Path, *, setting: str, what: str, what_zh: str, empty_ok: bool = False
) -> dict[str, Any]:
    """A settings file's YAML as a mapping, or one ``ConfigError`` line saying what is wrong.

    ``setting`` is the environment setting that points at the file (MONITOR_TARGETS, …);
    ``what`` / ``what_zh`` name the file in messages (targets file / 目标文件).
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: {what} not found",
            message_zh=f"找不到{what_zh} {path}",
            hint=f"set {setting} to its path or restore {path.name} from the repository",
            hint_zh=f"请把 {setting} 设为{what_zh}的路径，或从代码仓库恢复 {path.name}",
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path.name}: not UTF-8 text", message_zh=f"{path.name} 不是 UTF-8 文本",
            hint="save the file as UTF-8", hint_zh="请以 UTF-8 编码保存该文件",
        ) from None
    try:
        # libyaml's loader when PyYAML has it: the same safe subset, ~7× faster (targets.yaml
        # is read by every command, and the ingest's start-up is measured)
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "somewhere"
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(
            f"{path.name}: {where}: {problem}",
            message_zh=f"{path.name} 第 {mark.line + 1 if mark is not None else '?'} 行格式有误：{problem}",
            hint="fix the indentation or quoting on that line",
            hint_zh="请改正该行的缩进或引号",
        ) from None
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path.name}: the file is empty or not a mapping of keys",
            message_zh=f"{path.name} 为空或格式不对",
            hint=f"restore {path.name} from the repository and edit it following its comments",
            hint_zh=f"请从代码仓库恢复 {path.name}，再按注释修改",
        )
    return data
