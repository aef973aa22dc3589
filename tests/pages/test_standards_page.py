"""The rule sets on the pages (issue 12 §1): the Targets page lists every rule set by date with
provisional entries marked 暂定 / provisional; Overview and Monthly progress show the year
under the rules in force and under the 2012 rules side by side."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import every_tab, tables
from tests.pages.test_pages import assert_clean, texts


def _rule_sets(runs: list[AppTest], kind_col: str, state_col: str) -> list[tuple[str, str, str]]:
    for at in runs:
        for frame in tables(at):
            if state_col in frame.columns and kind_col in frame.columns:
                return [(str(r[kind_col]), str(r.iloc[2]), str(r[state_col])) for _, r in frame.iterrows()]
    raise AssertionError("no rule-set table on the page")


def test_targets_page_marks_provisional_entries(open_page: Callable[..., AppTest]) -> None:
    runs = every_tab("targets")  # the rule sets are on the standards tab
    for at in runs:
        assert_clean(at)
    rows = _rule_sets(runs, "类别", "状态")
    assert ("AQI 分级", "HJ 633—2026", "暂定") in rows
    assert ("AQI 分级", "HJ 633-2012", "已确认") in rows
    assert any(std.startswith("GB 3095—2026") and state == "暂定" for _, std, state in rows)
    assert any("暂定" in texts(at) for at in runs)  # the 2026 AQI title says so too
    en = every_tab("targets", lang="en")
    for at in en:
        assert_clean(at)
    assert ("AQI table", "HJ 633—2026", "provisional") in _rule_sets(en, "Kind", "State")


def test_overview_and_progress_show_both_rule_sets(open_page: Callable[..., AppTest]) -> None:
    for page in ("overview", "progress"):
        at = open_page(page)
        assert_clean(at)
        assert "新旧标准对照（2026 年）" in texts(at)
        found = [df for df in tables(at) if "现行标准：数值" in df.columns]
        assert len(found) == 1 and len(found[0]) == 3, page
        assert set(found[0]["现行标准：累计"]) <= {"累计达标", "累计超标", "数据不足"}
