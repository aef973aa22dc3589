"""The overview's indicator tiles, branch by branch (issue 15): each verdict value, an
incomplete PM2.5 and a spent good-day budget, on the tile and on the real page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from dashboard.widgets.tiles import tile_html
from monitoring import timeutil
from monitoring.rules.verdict import OUTLOOKS, STATUSES
from monitoring.storage.daily_refresh import DailyRules
from monitoring.storage.engine import write_transaction
from monitoring.storage.run_records import RunInfo, finish_run, start_run
from monitoring.storage.writes import write_readings
from monitoring.targets import Targets, subdistrict_id
from tests.pages.conftest import _use_database as use_database
from tests.pages.conftest import clear_caches, make_app, tiles, tiles_in

#: status / outlook → (badge colour, Chinese words) as a leader reads them
STATUS_BADGE = {"meets": ("green", "累计达标"), "exceeds": ("red", "累计超标"), "incomplete": ("gray", "数据不足")}
OUTLOOK_BADGE = {"on_track": ("green", "按计划"), "at_risk": ("orange", "有风险"), "off_track": ("red", "难以达标"),
                 "unknown": ("gray", "无法判断")}
#: A badge in markdown, as the tile writes it (its title and both badges are one element).
BADGE = re.compile(r":\w+-badge\[[^\]]*\]")
BORDER = {"meets": "#1a9850", "exceeds": "#d73027", "incomplete": "#9e9e9e"}


def _tile(status: str, outlook: str, *, value: object = 31.26, gap: object = 1.3, direction: str = "at_most") -> AppTest:
    def script(status: str, outlook: str, value: object, gap: object, direction: str) -> None:
        from dashboard import widgets as w

        w.metric_tile(title="PM2.5年均浓度", value=value, unit="µg/m³", target=30.0, gap=gap, status=status,
                      outlook=outlook, trend="down", caption="有效 100/325 天", direction=direction)

    return AppTest.from_function(script, args=(status, outlook, value, gap, direction)).run()


def test_every_status_and_outlook_has_its_badge_and_colour() -> None:
    assert set(STATUS_BADGE) == set(STATUSES) and set(OUTLOOK_BADGE) == set(OUTLOOKS)
    for status in STATUSES:
        for outlook in OUTLOOKS:
            at = _tile(status, outlook)
            assert not at.exception, at.exception
            badges = BADGE.findall("\n".join(m.value for m in at.markdown))
            colour, words = STATUS_BADGE[status]
            o_colour, o_words = OUTLOOK_BADGE[outlook]
            assert badges == [f":{colour}-badge[累计：{words}]", f":{o_colour}-badge[全年预判：{o_words}]"]
            assert BORDER[status] in at.markdown[0].value


def test_a_tile_without_verdict_value_or_gap_shows_dashes_not_zero() -> None:
    at = _tile("", "", value=None, gap=None)
    assert not at.exception, at.exception
    assert BADGE.findall("\n".join(m.value for m in at.markdown)) == []
    assert tiles(at)[0].value == "— ↓"
    level = _tile("meets", "on_track", gap=0.0)
    assert str(tiles(level)[0].delta).startswith("±0.0")


#: The change's colour on a tile (widgets.tiles): red is bad, green good, grey neither.
RED, GREEN, GREY = "color:#ff2b2b", "color:#09ab3b", "color:rgba(49, 51, 63, 0.6)"


@pytest.mark.parametrize(("gap", "direction", "colour", "arrow"), [
    (1.3, "at_most", RED, "↑ +1.3"),    # PM2.5 above its target
    (-0.8, "at_most", GREEN, "↓ -0.8"),
    (2.0, "at_least", GREEN, "↑ +2.0"),  # a good-day ratio above its target
    (-2.0, "at_least", RED, "↓ -2.0"),
    (0.0, "at_most", GREY, "±0.0"),
])
def test_a_tiles_change_is_coloured_by_the_targets_direction(gap: float, direction: str, colour: str, arrow: str) -> None:
    at = _tile("meets", "on_track", gap=gap, direction=direction)
    assert not at.exception, at.exception
    markup = next(m.value for m in at.markdown if 'class="monitor-tile"' in m.value)
    change = re.search(r'<span style="[^"]*(color:[^;]*);[^"]*">([^<]*)</span>', markup)
    assert change is not None, markup
    assert (change.group(1), change.group(2).startswith(arrow)) == (colour, True), change.groups()
    assert tiles(at)[0].label == "PM2.5年均浓度" and "与目标差距" in markup


def _daily_pm25(engine: Engine, targets: Targets, days: list[dt.date], value: float) -> None:
    """One PM2.5 daily value per subdistrict per day (a day given whole is a valid day)."""
    labels = [dt.datetime.combine(d + dt.timedelta(days=1), dt.time(0)) for d in days]  # 24:00 ends the day
    ts = timeutil.labels_to_ts(pd.Series(labels))
    frame = pd.concat(
        [pd.DataFrame({"subdistrict_id": subdistrict_id(sd.code), "pollutant": "pm25", "ts": ts, "resolution": "d",
                       "station": "", "value": value}) for sd in targets.subdistricts],
        ignore_index=True,
    )
    run_id = start_run(engine, RunInfo(kind="upload", source="tile-test", user="test"))
    with write_transaction(engine) as conn:
        counts = write_readings(conn, run_id, frame, source="tile-test", rules=DailyRules.from_targets(targets))
        finish_run(conn, run_id, "succeeded", counts)


@pytest.fixture
def overview_of(make_db: Callable[..., Engine], targets: Targets, monkeypatch: pytest.MonkeyPatch) -> Callable[[list[dt.date], float], AppTest]:
    def open_overview(days: list[dt.date], value: float) -> AppTest:
        engine = make_db()
        _daily_pm25(engine, targets, days, value)
        use_database(monkeypatch, engine.url.render_as_string(hide_password=False))
        clear_caches()
        return make_app("overview")

    yield open_overview
    clear_caches()


def _tile_of(at: AppTest, title: str) -> list[str]:
    """The texts of the tile whose heading holds ``title`` (heading, badges, caption)."""
    for block in at.main.children.values():
        for tile in _blocks(block):
            texts = [str(getattr(e, "value", "")) for e in tile.children.values()]
            if texts and title in texts[0]:
                return texts
    raise AssertionError(f"no tile {title!r}")


def _blocks(node: object) -> list[object]:
    found = []
    for child in getattr(node, "children", {}).values():
        if any("-badge[" in str(getattr(e, "value", "")) or type(e).__name__ == "Metric" for e in getattr(child, "children", {}).values()):
            found.append(child)
        found += _blocks(child)
    return found


def test_overview_tiles_say_pm25_incomplete_and_good_day_budget_spent(overview_of: Callable[..., AppTest]) -> None:
    # PM2.5 at 120 µg/m³ (AQI above 100: not good) on every third day from 1 January: 100
    # valid days of the 298 the period (to the last day with data) holds
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=3 * i) for i in range(100)]
    at = overview_of(days, 120.0)
    assert not at.exception, at.exception
    pm25 = " ".join(_tile_of(at, "PM2.5"))
    assert ":gray-badge[累计：数据不足]" in pm25  # too few valid days to judge
    assert "有效 100/298 天" in pm25 and "有效天数 100/298，需" in pm25  # how many, and how many it needs
    good = " ".join(_tile_of(at, "优良天数"))
    # 100 non-good days: more than a 78 % target allows in the year (80), whatever comes next;
    # without the spent budget a ratio below target would read 有风险 (at risk)
    assert "目标 78.0 %" in good and "优良天 0 天 / 有AQI的 100 天" in good
    assert ":gray-badge[累计：数据不足]" in good and ":red-badge[全年预判：难以达标]" in good


def test_a_tile_escapes_what_it_shows() -> None:
    """A tile's texts come from data and settings (a subdistrict's name, a typed note): markup in
    them is shown as text, and the attributes the tests read give back the text as written."""
    hostile = '<img src=x onerror="alert(1)">**粗体**'
    markup = tile_html(hostile, "1 < 2 & 3", delta='"引号"', help="a\"b", delta_note="<b>x</b>")
    assert "<img" not in markup and "<b>" not in markup
    parser_tiles = tiles_in(markup)
    assert [(t.label, t.value, t.delta, t.help) for t in parser_tiles] == [(hostile, "1 < 2 & 3", '"引号"', 'a"b')]
    assert "\n" not in markup


def test_a_row_of_tiles_is_one_element_and_escapes_its_notes() -> None:
    """Tiles side by side are one markdown element (the browser pays for each element), their
    notes under them shown as text, and no blank line inside (it would end the HTML block)."""
    def script() -> None:
        from dashboard import widgets as w

        w.tile_row([w.tile_html("累计均值", "30.2 µg/m³", delta="目标 29"),
                    w.tile_html("余下日均需≤", "16.1") + w.note_html('<b>x</b> & "y"\n\nz')])

    at = AppTest.from_function(script).run()
    assert not at.exception, at.exception
    assert len(at.markdown) == 1
    markup = at.markdown[0].value
    assert [(t.label, t.value) for t in tiles(at)] == [("累计均值", "30.2 µg/m³"), ("余下日均需≤", "16.1")]
    assert "<b>" not in markup and "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;" in markup
    assert "\n\n" not in markup
