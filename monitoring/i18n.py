"""Chinese and English labels: one table, merged from the modules in monitoring/labels/.

Each screen area keeps its labels in its own module there (``LABELS = {key: (zh, en)}``),
so a key is defined once and every page and report shares it. Chinese is the default.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Literal

from monitoring import labels as _labels_pkg

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(_labels_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_labels_pkg.__name__}.{info.name}")
        for key, pair in module.LABELS.items():
            if key in merged and merged[key] != pair:
                raise KeyError(f"label {key!r} defined twice with different text ({info.name})")
            merged[key] = pair
    return merged


def t(key: str, lang: Lang = "zh", **values: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``values``; the key itself if unknown."""
    pair = table().get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**values) if values else text


def subdistrict_label(short_name: str, pinyin: str, lang: Lang) -> str:
    return short_name if lang == "zh" else pinyin
