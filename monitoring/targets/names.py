"""Subdistrict names and ids: the stable integer id of an area code, and spellings reduced
to what matters so 德胜, 德胜街道 and Desheng all find the same subdistrict."""

from __future__ import annotations

import re
import unicodedata


def subdistrict_id(code: str) -> int:
    """The stable id of a subdistrict: the street number inside its 12-digit area code
    (110102|010|000 → 10), the same in every database."""
    return int(code[6:9])



_SUFFIXES = ("街道办事处", "街道", "办事处")


def normalise_name(text: str) -> str:
    """A spelling reduced to what matters: NFKC, no spaces or apostrophes, lower case,
    without a trailing 街道 / 街道办事处 (so 德胜, 德胜街道 and Desheng all match)."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = re.sub(r"[\s'’`·\-_]", "", s)
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    for suffix in ("jiedao", "subdistrict"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s

