"""A settings file's validation error as the one line a person can act on.

targets.yaml and sources.yaml are both checked by pydantic; this turns the first error
into "file: key.path[3 label]: what is wrong — how to fix it", with the entry's own name
in the path so a person finds it without counting list items.
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
