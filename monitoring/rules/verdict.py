"""The verdict: two questions, two words, one place.

Every screen, the brief and the command line answer two questions about a figure and its
target, with these words and no others:

- **so far** (``status``): ``meets`` / ``exceeds`` / ``incomplete`` — 累计达标 / 累计超标 /
  数据不足. A period is judged only when it is over, or explicitly "to date" (the year or
  month in progress): a finished period needs its whole validity threshold (an annual mean
  324 valid days); a period in progress needs its pro-rata share and at least
  ``status_rules.min_days_so_far`` valid days. Below that: ``incomplete``, never a verdict.
- **outlook** (``outlook``): ``on_track`` / ``at_risk`` / ``off_track`` / ``unknown`` — 按计划 /
  有风险 / 难以达标 / 无法判断: where the year will end. A finished year's outlook is its
  final status (meets → on_track, exceeds → off_track, incomplete → unknown).

``direction`` says which side of the target is good: ``at_most`` (concentrations, heavy
days, poor-road share) or ``at_least`` (good-day ratio). Values are compared as rounded
(GB/T 8170), the way they are published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["meets", "exceeds", "incomplete"]
Outlook = Literal["on_track", "at_risk", "off_track", "unknown"]
Direction = Literal["at_most", "at_least"]

STATUSES: tuple[Status, ...] = ("meets", "exceeds", "incomplete")
OUTLOOKS: tuple[Outlook, ...] = ("on_track", "at_risk", "off_track", "unknown")

#: Attention order for sorting ("at risk first"): lower comes first.
OUTLOOK_ORDER: dict[str, int] = {"off_track": 0, "at_risk": 1, "unknown": 2, "on_track": 3}
STATUS_ORDER: dict[str, int] = {"exceeds": 0, "incomplete": 1, "meets": 2}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def so_far(value: float | None, target: float | None, *, complete: bool, direction: Direction = "at_most") -> Status:
    """meets / exceeds / incomplete: the figure so far against its target.

    Without a value, a target or enough valid days there is no verdict (``incomplete``)."""
    if _missing(value) or _missing(target) or not complete:
        return "incomplete"
    assert value is not None and target is not None
    if direction == "at_least":
        return "meets" if float(value) >= float(target) else "exceeds"
    return "meets" if float(value) <= float(target) else "exceeds"


def count_so_far(count: float | None, target: float | None, *, complete: bool) -> Status:
    """A count that may only grow (heavy-pollution days) against its ceiling: above the
    target it exceeds at once, whatever days are still to come; otherwise as ``so_far``."""
    over_already = not _missing(count) and not _missing(target) and float(count) > float(target)  # type: ignore[arg-type]
    return so_far(count, target, complete=complete or over_already)


def final_outlook(status: str) -> Outlook:
    """A finished year's outlook is its final status."""
    return {"meets": "on_track", "exceeds": "off_track"}.get(status, "unknown")  # type: ignore[return-value]


@dataclass(frozen=True)
class Required:
    """What the rest of the year may still average (the annual-mean budget).

    ``mean`` is the required rest-of-year mean when it can still be met; when it cannot
    (the required mean would be negative), ``mean`` is None, ``cannot_meet`` is True and
    ``best_possible`` is the annual mean the year reaches at best (the rest of the year at
    zero), ``best_gap`` how far that is above the target."""

    mean: float | None
    cannot_meet: bool = False
    best_possible: float | None = None
    best_gap: float | None = None


def required_rest(total: float, valid_days: int, remaining: int, target: float | None) -> Required:
    """(T·(n + R) − S) / R, or "can no longer be met" with the best possible annual mean."""
    if target is None or remaining <= 0 or valid_days <= 0:
        return Required(None)
    need = (float(target) * (valid_days + remaining) - total) / remaining
    if need >= 0:
        return Required(need)
    best = total / (valid_days + remaining)
    return Required(None, True, best, best - float(target))


def pm25_outlook(
    *,
    year_over: bool,
    status: str,
    valid_days: int,
    required: Required,
    projection: float | None,
    low: float | None,
    high: float | None,
    ytd_mean: float | None,
    target: float | None,
    rules: Any,
) -> Outlook:
    """The year-end outlook of an annual mean (rule text: ``outlook_rule_text``).

    - the year is over: its final status;
    - fewer than ``min_days_for_projection`` valid days, or no target: unknown;
    - the target can no longer be met (required rest-of-year mean < 0): off_track;
    - with a projection interval [low, high]: high ≤ target → on_track; low > target →
      off_track; otherwise at_risk;
    - without a projection (no seasonal profile): the year-to-date mean ± at_risk_margin."""
    if year_over:
        return final_outlook(status)
    if _missing(target) or _missing(ytd_mean) or valid_days < int(rules.min_days_for_projection):
        return "unknown"
    assert target is not None and ytd_mean is not None
    if required.cannot_meet:
        return "off_track"
    if not _missing(low) and not _missing(high):
        assert low is not None and high is not None
        if high <= target:
            return "on_track"
        if low > target:
            return "off_track"
        return "at_risk"
    margin = float(rules.at_risk_margin)
    if ytd_mean > target + margin:
        return "off_track"
    if ytd_mean <= target - margin:
        return "on_track"
    return "at_risk"


def good_days_outlook(*, year_over: bool, status: str, ratio: float | None, target: float | None,
                      non_good_left: int | None) -> Outlook:
    """Good-day ratio: more non-good days than the year allows → off_track; the ratio so far
    at or above the target → on_track; below it (still recoverable) → at_risk."""
    if year_over:
        return final_outlook(status)
    if _missing(ratio) or _missing(target):
        return "unknown"
    assert ratio is not None and target is not None
    if non_good_left is not None and non_good_left < 0:
        return "off_track"
    return "on_track" if ratio >= target else "at_risk"


def heavy_days_outlook(*, year_over: bool, status: str, count: float | None, target: float | None) -> Outlook:
    """Heavy-pollution days: above the target → off_track; at it with the year running (no
    heavy day left) → at_risk; below → on_track."""
    if year_over:
        return final_outlook(status)
    if _missing(count) or _missing(target):
        return "unknown"
    assert count is not None and target is not None
    if count > target:
        return "off_track"
    return "at_risk" if count == target else "on_track"


def good_days(value: float | None, target: float | None, *, complete: bool, year_over: bool,
              non_good_left: int | None) -> tuple[Status, Outlook]:
    """The good-day ratio's verdict: so far (at least the target) and its outlook."""
    status = so_far(value, target, complete=complete, direction="at_least")
    return status, good_days_outlook(year_over=year_over, status=status, ratio=value, target=target,
                                     non_good_left=non_good_left)


def heavy_days(count: float | None, target: float | None, *, complete: bool, year_over: bool) -> tuple[Status, Outlook]:
    """The heavy-pollution-day count's verdict: so far (exceeds at once above the target) and its outlook."""
    status = count_so_far(count, target, complete=complete)
    return status, heavy_days_outlook(year_over=year_over, status=status, count=count, target=target)


def share_outlook(status: str, *, year_over: bool) -> Outlook:
    """The poor-road share is graded month by month with no projection: its outlook is known
    only once the year is over (its final status)."""
    return final_outlook(status) if year_over else "unknown"


def share_status(rounded_share: float | None, target: float | None) -> Status:
    """The poor-grade road share: judged once, on the figure rounded by GB/T 8170 (the one
    shown), against the target (at most)."""
    return so_far(rounded_share, target, complete=not _missing(rounded_share))


def status_rule_text(rules: Any) -> tuple[str, str]:
    """The so-far rule, in Chinese and English."""
    n = int(rules.min_days_so_far)
    zh = (
        "累计达标/累计超标：修约后的累计值与目标比较；已结束的时段需满足全部有效天数要求（年均值 324 天，月均值 27 天、2月 25 天），"
        f"进行中的时段（年初至今、本月）按已过天数同比例要求且至少 {n} 个有效日；不满足时为“数据不足”，不作判断"
    )
    en = (
        "meets / exceeds so far: the rounded value against the target; a finished period needs its whole validity "
        "threshold (annual 324 valid days, month 27, February 25), a period in progress its pro-rata share and at "
        f"least {n} valid days; otherwise 'incomplete', no verdict"
    )
    return zh, en


def outlook_rule_text(rules: Any) -> tuple[str, str]:
    """The year-end outlook rule, in Chinese and English."""
    m = f"{float(rules.at_risk_margin):g}"
    d = int(rules.min_days_for_projection)
    zh = (
        f"全年预判：年度已结束时即最终结果；有效天数少于 {d} 天为“无法判断”；剩余天数所需均值为负（已无法实现）为“难以达标”；"
        "否则按年末预测区间：上限 ≤ 目标为“按计划”，下限 > 目标为“难以达标”，其间为“有风险”"
        f"（无季节曲线时以累计均值 ± {m} 判断）"
    )
    en = (
        f"year-end outlook: a finished year's final result; fewer than {d} valid days: unknown; required rest-of-year "
        "mean below zero (can no longer be met): off track; otherwise by the projection interval: high ≤ target on "
        f"track, low > target off track, in between at risk (without a seasonal profile: the year-to-date mean ± {m})"
    )
    return zh, en
