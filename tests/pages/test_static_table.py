"""Static tables (widgets.static_table, widgets.dataframe): what a short one shows and carries, and a long one's
preview with its grid behind a lazy expander."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.widgets.tables import STATIC_TABLE_CLASS, static_table
from tests.pages.conftest import _static_shown, _static_values, is_static_table, preview_of, tables


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "街道": ["西长安街", "<script>alert(1)</script>"],
        "均值 (µg/m³)": [30.24, math.nan],
        "达标": [True, False],
        "日期": [pd.Timestamp("2026-01-15").date(), None],
    })


def test_cells_show_the_styler_text_and_typed_text_stays_text() -> None:
    markup = static_table(_frame())
    assert markup.count("<table") == 1 and f'class="{STATIC_TABLE_CLASS}"' in markup
    assert "<script>" not in markup  # an analyst's text never becomes markup
    shown = _static_shown(markup)
    assert list(shown.columns) == ["街道", "均值 (µg/m³)", "达标", "日期"]
    assert shown.iloc[1].tolist() == ["<script>alert(1)</script>", "—", "✗", "—"]
    assert shown.iloc[0].tolist() == ["西长安街", "30.2", "✓", "2026-01-15"]
    # one line: a blank line would end markdown's HTML block
    assert "\n" not in markup


def test_numbers_are_right_aligned_and_the_values_ride_along() -> None:
    markup = static_table(_frame())
    assert 'col1 num"' in markup and 'col0 num"' not in markup
    values = _static_values(markup)
    assert values["均值 (µg/m³)"].iloc[0] == 30.24 and pd.isna(values["均值 (µg/m³)"].iloc[1])
    assert values["达标"].tolist() == [True, False]
    assert values["日期"].iloc[0] == "2026-01-15"


def test_the_same_table_is_the_same_text_and_two_tables_do_not_share_ids() -> None:
    one, again = static_table(_frame()), static_table(_frame())
    other = static_table(_frame().assign(达标=[False, False]))
    assert one == again
    ident = one.split('id="')[1].split('"')[0]
    assert ident not in other


def _draw_tables() -> None:
    """Two tables through w.dataframe: 30 rows (static, whole) and 31 (its first 30 static, the grid behind)."""
    import pandas as pd

    from dashboard import widgets as w

    w.dataframe(pd.DataFrame({"街道": [f"s{i}" for i in range(30)], "值": [float(i) for i in range(30)]}), key="short")
    w.dataframe(pd.DataFrame({"街道": [f"l{i}" for i in range(31)], "值": [float(i) for i in range(31)]}), key="long")


def test_a_long_table_is_its_first_rows_static_and_the_grid_only_when_opened() -> None:
    at = AppTest.from_function(_draw_tables).run()
    assert not at.exception
    statics = [str(m.value) for m in at.markdown if is_static_table(str(m.value))]
    # the short table is unchanged: whole, not a preview, no caption or expander of its own
    assert len(_static_values(statics[0])) == 30 and preview_of(statics[0]) is None
    # the long one: 30 rows static marked as the preview of 31, a caption, a closed expander, no grid
    assert len(_static_values(statics[1])) == 30 and preview_of(statics[1]) == 31
    assert [c.value for c in at.caption] == ["前 30 条，共 31 条"]
    assert [(e.key, e.label) for e in at.expander] == [("long-all", "全部 31 条（可排序）")]
    assert not at.dataframe and [len(f) for f in tables(at)] == [30, 30]
    at.session_state["long-all"] = True
    at.run()
    assert [len(d.value) for d in at.dataframe] == [31]
    assert [len(f) for f in tables(at)] == [30, 31]  # the preview and its grid: one table
    assert tables(at)[1]["街道"].iloc[-1] == "l30"


def test_the_quality_page_draws_no_grid_and_the_coverage_share_with_percent(
        open_page: Callable[..., AppTest]) -> None:
    at = open_page("quality.py", expanders_open=False)
    assert not at.exception
    assert not at.dataframe  # issue 14: no grid JavaScript on the first screen
    shown = next(f for f in tables(at, shown=True) if "占比" in f.columns)
    values = next(f for f in tables(at) if "占比" in f.columns)
    assert len(shown) == 15 and all(str(v).endswith("%") for v in shown["占比"])
    assert pd.api.types.is_numeric_dtype(values["占比"])  # the numbers ride along, the cell says "%"
    assert f"{values['占比'].iloc[0]:.1f}%" == shown["占比"].iloc[0]
    markup = next(str(m.value) for m in at.markdown if is_static_table(str(m.value)) and "占比" in str(m.value))
    assert "linear-gradient" in markup  # the share's bar: inline CSS in the cell, not the grid's progress column
