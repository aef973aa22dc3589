"""A short table is one HTML element (widgets.static_table): what it shows, what it carries."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.widgets.tables import STATIC_TABLE_CLASS, static_table
from tests.pages.conftest import _static_shown, _static_values


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
