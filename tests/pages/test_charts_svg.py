"""The static charts: a page's first screen draws SVG (no plotly element, so no Plotly bundle
in the browser), the SVG keeps the chart's meaning, and 交互图表 brings the plotly chart."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.widgets import svg
from dashboard.widgets.charts import FRAME_MIN_CHARS, framed
from tests.pages.conftest import chart_modes, interactive, svg_charts, svg_of


def _texts(drawing: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", drawing)]


def _tips(drawing: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", drawing)]


def test_bars_keep_colours_pale_month_target_line_labels_and_values() -> None:
    fig = go.Figure()
    fig.add_trace(go.Bar(x=["1月", "2月", "3月（进行中 5 天）"], y=[38.0, 25.0, 30.0], name="当月均值",
                         marker={"color": ["#d73027", "#1a9850", "#d73027"], "opacity": [1.0, 1.0, 0.3]},
                         hovertemplate="%{x}: %{y:.1f} µg/m³<extra></extra>"))
    fig.add_trace(go.Scatter(x=["1月", "2月", "3月（进行中 5 天）"], y=[29, 29, 29], mode="lines", name="目标",
                             line={"color": "#333", "dash": "dash"}))
    fig.update_layout(title={"text": "西城区 PM2.5 逐月进展"}, yaxis={"title": {"text": "PM2.5 (µg/m³)"}})
    drawing = svg.figure_svg(fig)
    assert drawing.startswith("<svg") and drawing.endswith("</svg>")
    texts = _texts(drawing)
    for word in ("西城区 PM2.5 逐月进展", "1月", "3月（进行中 5 天）", "当月均值", "目标", "PM2.5 (µg/m³)"):
        assert word in texts, word
    # the status colours and the pale month in progress
    bars = re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})" fill-opacity="([0-9.]+)"', drawing)
    assert bars == [("#d73027", "1"), ("#1a9850", "1"), ("#d73027", "0.3")]
    # the target as a dashed line, and each bar's value as its tooltip
    assert re.search(r'<polyline [^>]*stroke="#333"[^>]*stroke-dasharray', drawing)
    assert "1月: 38.0 µg/m³" in _tips(drawing)


def test_horizontal_stacked_bars_heatmap_and_markers() -> None:
    stacked = go.Figure([go.Bar(y=["德胜", "月坛"], x=[100, 120], orientation="h", name="优", marker={"color": "#00e400"}),
                         go.Bar(y=["德胜", "月坛"], x=[50, 30], orientation="h", name="良", marker={"color": "#ffff00"})])
    stacked.update_layout(barmode="stack")
    drawing = svg.figure_svg(stacked)
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"[^>]*fill="#(?:00e400|ffff00)"', drawing)]
    assert len(widths) == 4 + 2  # four bars, two legend swatches
    assert {"德胜", "月坛", "优", "良"} <= set(_texts(drawing))
    heat = go.Figure(go.Heatmap(z=[[0.2, None], [0.5, 0.4]], x=["1月", "2月"], y=["德胜", "月坛"], colorscale="YlOrBr",
                                colorbar={"title": {"text": "g/m²"}}))
    drawing = svg.figure_svg(heat)
    assert drawing.count('<rect x=') >= 3 + 1  # three cells (the missing one is left out) and the colour bar
    assert "g/m²" in _texts(drawing)
    cells = go.Figure(go.Scatter(x=[1, 2], y=["1月", "1月"], mode="markers", name="优",
                                 marker={"symbol": "square", "size": 19, "color": "#00e400"},
                                 customdata=[["2026-01-01"], ["2026-01-02"]], hovertemplate="%{customdata[0]}<extra></extra>"))
    assert _tips(svg.figure_svg(cells))[-2:] == ["2026-01-01", "2026-01-02"]


def test_text_is_inert_to_markdown() -> None:
    """The SVG goes through st.markdown: a label with markdown or LaTeX signs stays as written."""
    fig = go.Figure(go.Bar(x=["a_b", "$5 *x*"], y=[1, 2], name=":material/info: [x]"))
    drawing = svg.figure_svg(fig)
    inside = " ".join(re.findall(r">([^<]+)<", drawing))
    assert not re.search(r"[*_$`\[\]]", inside)
    assert {"a_b", "$5 *x*"} <= set(_texts(drawing))


@pytest.mark.parametrize("page", ["overview", "progress", "calendar"])
def test_first_screen_has_no_plotly_element_and_the_choice_below_brings_it(
        open_page: Callable[..., AppTest], page: str) -> None:
    at = open_page(page)
    assert not at.exception
    assert not at.get("plotly_chart")  # the Plotly bundle is not loaded for this page
    drawn = len(svg_charts(at))
    assert drawn >= 1
    choices = chart_modes(at)
    assert len(choices) == drawn and all(c.value == "static" for c in choices)
    assert choices[0].options == ["静态图表（悬停看数值）", "交互图表（缩放、点选、导出图片；首次加载稍慢）"]
    # a toggle's or a button's code would be one more fetch on a cold load; the radio's is there for the sidebar
    assert not at.toggle and not at.main.button
    at = interactive(at)
    assert not at.exception
    assert len(at.get("plotly_chart")) == drawn and not svg_charts(at)
    assert len(at.run().get("plotly_chart")) == drawn  # the choice holds on the next run
    at = interactive(at, "static")
    assert not at.get("plotly_chart") and len(svg_charts(at)) == drawn


def test_the_calendar_grid_is_framed_whole_with_its_hover_titles(open_page: Callable[..., AppTest]) -> None:
    """A drawing of FRAME_MIN_CHARS or more goes into an iframe's srcdoc (widgets.charts.framed):
    the same SVG, every cell's hover title kept, the frame sized to the drawing's aspect ratio;
    a small one stays inline."""
    at = open_page("calendar")
    grid, days = svg_charts(at)
    assert grid.framed and not days.framed
    assert len(grid.value) >= FRAME_MIN_CHARS > len(days.value)
    cells = [t for t in _tips(grid.value) if re.match(r"\d{4}-\d{2}-\d{2}", t)]
    assert len(cells) >= 300  # a day per cell, January 1st to the last day with data
    markup = next(str(m.value) for m in at.markdown if str(m.value).startswith("<iframe"))
    width, height = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', grid.value).groups()  # type: ignore[union-attr]
    assert f"aspect-ratio:{float(width):.0f} / {float(height):.0f}" in markup
    assert "\n" not in markup  # one line: a blank line would end markdown's HTML block
    tricky = '<svg viewBox="0 0 10 5" aria-label="a &amp; b"><title>x"y\n\nz</title></svg>'
    assert svg_of(framed(tricky)) == tricky and "\n" not in framed(tricky)  # quotes and blank lines survive


def test_english_screen_draws_english_charts(open_page: Callable[..., AppTest]) -> None:
    at = open_page("progress", lang="en")
    assert not at.exception
    words = " ".join(_texts(str(svg_charts(at)[0].value)))
    assert not re.search(r"[\u4e00-\u9fff]", words.replace("西城区", "")), words
    assert [o for c in chart_modes(at) for o in c.options] == ["Static chart (hover for values)",
                                                                   "Interactive chart (zoom, click, export; slower the first time)"]


def test_a_figure_is_drawn_once_across_sessions_and_a_changed_one_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """w.chart draws through static_svg: the same figure (every new session builds it again) is
    drawn once, a figure that differs in anything is drawn anew, and the drawing is figure_svg's."""
    from dashboard.widgets import charts

    calls: list[int] = []
    real = svg.figure_svg
    monkeypatch.setattr(svg, "figure_svg", lambda fig, width=None: calls.append(1) or real(fig, width))
    charts._svg_of.clear()

    def build(last: float) -> go.Figure:
        return go.Figure(go.Bar(x=["德胜", "金融街"], y=[28.4, last], hovertext=["a", "b"]))

    first = charts.static_svg(build(30.1))
    again = charts.static_svg(build(30.1))  # another session's figure, equal
    assert first == again == real(build(30.1)) and len(calls) == 1
    changed = charts.static_svg(build(30.2))
    assert changed != first and len(calls) == 2
    assert charts.static_svg(build(30.1), 400) != first and len(calls) == 3  # another width is another drawing


def test_a_static_table_is_rendered_once_across_sessions_and_a_changed_one_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from dashboard.widgets import tables as t

    calls: list[int] = []
    real = t.static_table
    monkeypatch.setattr(t, "static_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    t._cached_table_html.clear()
    frame = pd.DataFrame({"街道": ["德胜", "金融街"], "均值": [28.4, None], "备注": ["<b>x</b>", "y"]})
    first = t._table_html(frame, None, None)
    assert t._table_html(frame.copy(), None, None) == first and len(calls) == 1
    assert "&lt;b&gt;x&lt;/b&gt;" in first  # what a user typed stays text
    edited = frame.assign(备注=["<b>x</b>", "z"])  # a note edited: a new table
    assert t._table_html(edited, None, None) != first and len(calls) == 2
    renamed = frame.rename(columns={"均值": "Mean"})
    assert t._table_html(renamed, None, None) != first and len(calls) == 3
    styled = t._table_html(frame, lambda s: s, None)  # a style callable is never cached
    assert styled == first and len(calls) == 4


def test_a_chart_made_by_a_function_is_built_only_when_its_drawing_is_not_cached() -> None:
    """``w.chart(make, key, static_key=…)``: the drawing is looked up by the key first; the figure is
    built on a miss and for the interactive chart, never just to find a drawing already made."""

    def script() -> None:
        import uuid

        import plotly.graph_objects as go
        import streamlit as st

        from dashboard.widgets.charts import chart

        built = st.session_state.setdefault("built", [])

        def make() -> go.Figure:
            built.append(1)
            return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))

        # a key of this test's own: st.cache_data lives as long as the process
        token = st.session_state.setdefault("token", uuid.uuid4().hex)
        chart(make, key="made", static_key=("bars", token, st.session_state.get("words", "一")))

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert len(at.session_state["built"]) == 1 and any(str(m.value).startswith("<svg") for m in at.markdown)
    at.run()
    assert len(at.session_state["built"]) == 1  # the same key: drawn from the cache, no figure built
    at.session_state["words"] = "二"
    at.run()
    assert len(at.session_state["built"]) == 2  # another key: built and drawn
    at.session_state["made-mode"] = "interactive"
    at.run()
    assert len(at.session_state["built"]) == 3 and at.get("plotly_chart")  # the plotly chart needs the figure
