"""The verdict: status so far and year-end outlook, one vocabulary (monitoring.rules.verdict)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from monitoring.rules import verdict

RULES = SimpleNamespace(at_risk_margin=1.0, min_days_for_projection=30, min_days_so_far=10)


def test_so_far() -> None:
    assert verdict.so_far(28.0, 28.0, complete=True) == "meets"
    assert verdict.so_far(28.1, 28.0, complete=True) == "exceeds"
    assert verdict.so_far(27.0, 28.0, complete=False) == "incomplete"
    assert verdict.so_far(None, 28.0, complete=True) == "incomplete"
    assert verdict.so_far(28.0, None, complete=True) == "incomplete"
    assert verdict.so_far(float("nan"), 28.0, complete=True) == "incomplete"
    assert verdict.so_far(78.0, 78.0, complete=True, direction="at_least") == "meets"
    assert verdict.so_far(77.9, 78.0, complete=True, direction="at_least") == "exceeds"


def test_required_rest_hand_case() -> None:
    # 300 valid days averaging 30 (sum 9000), 65 days left, target 28:
    # (28·365 − 9000) / 65 = (10220 − 9000) / 65 = 18.769…
    r = verdict.required_rest(9000.0, 300, 65, 28.0)
    assert r.mean is not None and abs(r.mean - 1220 / 65) < 1e-12 and not r.cannot_meet
    assert verdict.required_rest(9000.0, 300, 0, 28.0).mean is None
    # 300 days at 40 (12000): even zero for 65 days leaves 12000/365 = 32.88 > 28
    gone = verdict.required_rest(12000.0, 300, 65, 28.0)
    assert gone.mean is None and gone.cannot_meet
    assert gone.best_possible == pytest.approx(12000 / 365) and gone.best_gap == pytest.approx(12000 / 365 - 28)


def _outlook(**kw: object) -> str:
    base: dict[str, object] = dict(year_over=False, status="meets", valid_days=200, required=verdict.Required(20.0),
                                   projection=28.0, low=27.0, high=29.0, ytd_mean=28.0, target=28.0, rules=RULES)
    base.update(kw)
    return verdict.pm25_outlook(**base)  # type: ignore[arg-type]


def test_pm25_outlook_uses_the_interval() -> None:
    assert _outlook(low=26.0, high=28.0) == "on_track"  # the whole interval at or below the target
    assert _outlook(low=27.5, high=28.5) == "at_risk"  # the target inside the interval
    assert _outlook(low=28.1, high=30.0) == "off_track"  # the whole interval above
    assert _outlook(required=verdict.Required(None, True, 30.0, 2.0), low=20.0, high=22.0) == "off_track"
    assert _outlook(valid_days=29) == "unknown"
    assert _outlook(target=None) == "unknown"
    # without a projection: the year-to-date mean ± the margin
    assert _outlook(projection=None, low=None, high=None, ytd_mean=26.9) == "on_track"
    assert _outlook(projection=None, low=None, high=None, ytd_mean=28.5) == "at_risk"
    assert _outlook(projection=None, low=None, high=None, ytd_mean=29.1) == "off_track"


def test_a_finished_year_has_its_final_outlook() -> None:
    assert _outlook(year_over=True, status="meets", low=30.0, high=31.0) == "on_track"
    assert _outlook(year_over=True, status="exceeds") == "off_track"
    assert _outlook(year_over=True, status="incomplete") == "unknown"


def test_day_count_outlooks() -> None:
    assert verdict.good_days_outlook(year_over=False, status="meets", ratio=80.0, target=78.0, non_good_left=5) == "on_track"
    assert verdict.good_days_outlook(year_over=False, status="exceeds", ratio=76.0, target=78.0, non_good_left=5) == "at_risk"
    assert verdict.good_days_outlook(year_over=False, status="exceeds", ratio=76.0, target=78.0, non_good_left=-1) == "off_track"
    assert verdict.heavy_days_outlook(year_over=False, status="meets", count=2.0, target=3.0) == "on_track"
    assert verdict.heavy_days_outlook(year_over=False, status="meets", count=3.0, target=3.0) == "at_risk"
    assert verdict.heavy_days_outlook(year_over=False, status="exceeds", count=4.0, target=3.0) == "off_track"
    assert verdict.heavy_days_outlook(year_over=True, status="meets", count=3.0, target=3.0) == "on_track"


def test_road_dust_share_is_judged_on_the_rounded_figure() -> None:
    # 1.54 % rounds to 1.5 (GB/T 8170): meets a 1.5 % target, everywhere
    assert verdict.share_status(1.5, 1.5) == "meets"
    assert verdict.share_status(1.6, 1.5) == "exceeds"
    assert verdict.share_status(None, 1.5) == "incomplete"


def test_rule_texts_name_every_word() -> None:
    zh, en = verdict.status_rule_text(RULES)
    assert "累计达标" in zh and "数据不足" in zh and "incomplete" in en
    zh, en = verdict.outlook_rule_text(RULES)
    for word in ("按计划", "有风险", "难以达标", "无法判断"):
        assert word in zh


def test_count_so_far_exceeds_at_once_above_the_target() -> None:
    # heavy-pollution days only grow: 9 above a target of 8 exceeds however few days are in
    assert verdict.count_so_far(9.0, 8.0, complete=False) == "exceeds"
    assert verdict.count_so_far(8.0, 8.0, complete=False) == "incomplete"
    assert verdict.count_so_far(8.0, 8.0, complete=True) == "meets"
    assert verdict.count_so_far(None, 8.0, complete=True) == "incomplete"
    assert verdict.count_so_far(9.0, None, complete=False) == "incomplete"


def test_indicator_verdicts_of_the_district_table() -> None:
    # good-day ratio: at least the target; the non-good budget spent → off track
    assert verdict.good_days(80.0, 78.0, complete=True, year_over=False, non_good_left=10) == ("meets", "on_track")
    assert verdict.good_days(77.0, 78.0, complete=True, year_over=False, non_good_left=5) == ("exceeds", "at_risk")
    assert verdict.good_days(80.0, 78.0, complete=True, year_over=False, non_good_left=-1) == ("meets", "off_track")
    assert verdict.good_days(80.0, 78.0, complete=False, year_over=True, non_good_left=0) == ("incomplete", "unknown")
    # heavy days: above the target exceeds at once and is off track; at it, at risk
    assert verdict.heavy_days(5.0, 4.0, complete=False, year_over=False) == ("exceeds", "off_track")
    assert verdict.heavy_days(4.0, 4.0, complete=True, year_over=False) == ("meets", "at_risk")
    assert verdict.heavy_days(3.0, 4.0, complete=True, year_over=True) == ("meets", "on_track")
    # the poor-road share: no outlook before the year is over
    assert verdict.share_outlook("meets", year_over=False) == "unknown"
    assert verdict.share_outlook("exceeds", year_over=True) == "off_track"
