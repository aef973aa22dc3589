"""The projection's backtest on the real embedded history (docs/BACKTEST.md)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from monitoring import cli, reports
from monitoring.errors import InputError
from monitoring.targets import Targets


def test_backtest_2016_against_a_hand_check(seeded_db: Engine, targets: Targets) -> None:
    rep = reports.backtest(seeded_db, targets, year=2016)
    frame = rep.frame
    summary = rep.extra["summary"]
    assert rep.extra["profile_years"] == [2014, 2015]
    # the district and the two subdistricts with a station, 11 month-ends each
    assert set(frame["place"]) == {targets.district.name, "白纸坊", "展览路"} and summary["n"] == 33
    # each row's "inside" agrees with its interval, and the summary with the rows
    for r in frame.itertuples():
        assert r.covered == (r.projection_low <= r.actual <= r.projection_high)
    assert summary["coverage"] == pytest.approx(frame["covered"].mean(), abs=1e-3)
    # the actual is the year's annual mean, the same figure the ranking gives for 2016
    ranking = reports.ranking(seeded_db, targets, year=2016).frame.set_index("subdistrict")
    for place in ("白纸坊", "展览路"):
        assert set(frame.loc[frame["place"] == place, "actual"]) == {ranking.loc[place, "mean"]}
    # the stated coverage holds on the embedded history (calibrated there: docs/BACKTEST.md)
    pooled = [reports.backtest(seeded_db, targets, year=y).frame["covered"] for y in (2015, 2016)]
    coverage = sum(float(c.sum()) for c in pooled) / sum(len(c) for c in pooled)
    assert abs(coverage - targets.status_rules.projection_coverage) <= 0.05  # type: ignore[operator]


def test_backtest_refuses_a_year_in_progress(seeded_db: Engine, targets: Targets) -> None:
    with pytest.raises(InputError, match="not over"):
        reports.backtest(seeded_db, targets, year=2026)


def test_backtest_command_json(seeded_db: Engine, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded_db.url.render_as_string(hide_password=False))
    assert cli.main(["backtest", "--year", "2015", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["summary"]) >= {"mae", "coverage", "n"}
    assert payload["summary"]["n"] == len(payload["rows"]) == 33
    assert payload["rows"][0]["through"] == "2015-01-31"
    assert cli.main(["backtest", "--year", "2026"]) == 1
    assert "not over" in capsys.readouterr().err
