"""The browser bench's report (monitoring/browser_results.py) from hand-made visits: the median
ratio, the range round by round, and the verdicts against the goals."""

from __future__ import annotations

from monitoring.browser_results import BrowserReport, DataSetResult, PageResult, Visit


def _page(path: str, cold: list[float], switch: list[float] = ()) -> PageResult:  # type: ignore[assignment]
    return PageResult(path, cold=[Visit(s, s, 1) for s in cold], switch=[Visit(s, s, 1) for s in switch])


def test_ratios_by_round_pair_each_round_with_its_own_one_line_load() -> None:
    reference = _page("one-line", [1.0, 2.0, 1.0])
    data = DataSetResult("embedded data", reference, {
        "progress": _page("progress", [1.5, 2.2, 1.9], switch=[0.4, 0.7]),
        "targets": _page("targets", [1.2, 2.4, 1.3], switch=[0.3, 0.3]),
    })
    assert data.round_ratios("progress") == [1.5, 1.1, 1.9]
    assert data.ratio("progress") == 1.9 / 1.0  # median page ÷ median one-line, as before
    text = BrowserReport("now", 1.0, {"cpu": "test"}, "bench --browser", [data]).text()
    row = next(line for line in text.splitlines() if line.startswith("| progress |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2:4] == ["1.90", "1.10–1.90"]
    assert cells[-1] == "pass (≤ 2×), switch FAIL"  # the median switch, 0.55 s, is over the 0.5 s goal
    assert next(line for line in text.splitlines() if line.startswith("| targets |")).endswith("| pass |")
    assert not data.passed()
    as_json = BrowserReport("now", 1.0, {}, "bench --browser", [data]).to_json()
    assert as_json["data_sets"][0]["pages"]["progress"]["round_ratios"] == [1.5, 1.1, 1.9]
