"""``python -m monitoring report …``: the same numbers as the pages, as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import Engine

from monitoring import reports
from monitoring.cli import main
from monitoring.targets import Targets

HEAD = ["rank", "subdistrict", "mean", "target", "gap", "valid_days", "days", "status"]


@pytest.fixture
def db_env(seeded_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", seeded_db.url.render_as_string(hide_password=False))
    return seeded_db


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ranking_csv_matches_the_report(db_env: Engine, targets: Targets, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "report", "ranking", "--year", "2026", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:8] == HEAD
    assert len(rows) == 16
    frame = reports.ranking(db_env, targets, year=2026).frame
    for line, r in zip(rows[1:], frame.itertuples(), strict=True):
        assert line[1] == r.subdistrict and float(line[2]) == r.mean and int(line[0]) == r.rank
        assert line[7] == r.status
    assert "# period:" in err and "# rounding:" in err


def test_ranking_json_shape(db_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "report", "ranking", "--year", "2015", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == {"report", "rows", "method", "notes", "notes_zh", "extra"}
    assert payload["report"] == "ranking" and len(payload["rows"]) == 15
    assert list(payload["rows"][0])[:8] == HEAD
    assert "NaN" not in out
    no_data = [r for r in payload["rows"] if r["valid_days"] == 0]
    assert len(no_data) == 13 and all(r["mean"] is None and r["rank"] is None and r["status"] == "incomplete" for r in no_data)
    assert payload["method"]["rule_en"]


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "district", "--year", "2026"),
        ("report", "progress", "--year", "2026", "--subdistrict", "德胜"),
        ("report", "budget", "--year", "2026"),
        ("report", "trend"),
        ("report", "road-dust", "--year", "2026", "--month", "3"),
        ("report", "aqi", "--year", "2026", "--from", "2026-01-01", "--to", "2026-01-31", "--district"),
    ],
)
def test_other_reports_run_in_both_formats(db_env: Engine, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    code, out, _ = _run(capsys, *argv)
    assert code == 0 and out.count("\n") >= 2
    code, out, _ = _run(capsys, *argv, "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["rows"] and "NaN" not in out


def test_year_without_data_says_so(db_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "report", "district", "--year", "2019")
    assert code == 0
    assert "no readings for 2019" in err
    assert "nan" not in out.lower()


def test_user_mistakes(db_env: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "report", "progress", "--year", "2026", "--subdistrict", "Atlantis")
    assert code == 1 and "unknown subdistrict" in err and "Traceback" not in err
    code, _, err = _run(capsys, "report", "ranking", "--year", "2026", "--pollutant", "lead")
    assert code == 1 and "unknown pollutant" in err
    code, _, err = _run(capsys, "report", "ranking", "--year", "2026", "--through", "2025-05-01")
    assert code == 1 and "not in 2026" in err
    with pytest.raises(SystemExit) as exc:
        main(["report", "ranking", "--year", "2026", "--through", "tomorrow"])
    assert exc.value.code == 2


def test_uninitialised_database(tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = _run(capsys, "report", "ranking", "--year", "2026")
    assert code == 1 and "init" in err and "Traceback" not in err
