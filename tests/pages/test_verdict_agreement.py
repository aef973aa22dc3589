"""One verdict everywhere: for every subdistrict and the district, the status so far and the
year-end outlook are the same on Rankings, Monthly progress, Overview, in `report ranking`,
`report budget`, `report progress`, `report district`, and the brief's table (the PDF and the workbook).

The pages are read as a person reads them (AppTest tables in Chinese, labels mapped back to
codes); the command line through cli.main with JSON output."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from monitoring import cli, i18n
from tests.pages.conftest import YEAR
from tests.pages.test_pages import assert_clean, table_frames

STATUS = {i18n.t(f"ui.status.{code}", "zh"): code for code in ("meets", "exceeds", "incomplete")}
OUTLOOK = {i18n.t(f"ui.outlook.{code}", "zh"): code for code in ("on_track", "at_risk", "off_track", "unknown")}


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert cli.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_every_subdistrict_reads_the_same_everywhere(open_page: Callable[..., AppTest],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    year = str(YEAR)
    ranking = {r["subdistrict"]: r for r in _cli(capsys, "report", "ranking", "--year", year, "--format", "json")["rows"]}
    budget = {r["subdistrict"]: r for r in _cli(capsys, "report", "budget", "--year", year, "--format", "json")["rows"]}
    district = {r["key"]: r for r in _cli(capsys, "report", "district", "--year", year, "--format", "json")["rows"]}
    assert len(ranking) == 15 and len(budget) == 16
    for name, row in ranking.items():
        assert (row["status"], row["outlook"]) == (budget[name]["status"], budget[name]["outlook"]), name
    whole = budget["西城区"]
    assert (district["pm25_annual"]["status"], district["pm25_annual"]["outlook"]) == (whole["status"], whole["outlook"])
    # progress: the last month with data is the year to date the budget judges
    for name in ("德胜", "白纸坊", None):
        args = ["report", "progress", "--year", year, "--format", "json"] + (["--subdistrict", name] if name else [])
        months = [m for m in _cli(capsys, *args)["rows"] if m["ytd_valid_days"]]
        last = months[-1]
        ref = budget[name or "西城区"]
        assert (last["status"], last["outlook"], last["ytd_mean"]) == (ref["status"], ref["outlook"], ref["ytd_mean"])

    # the brief (PDF and XLSX come from this one table)
    from sqlalchemy import create_engine

    from monitoring import brief
    from monitoring.targets import load_targets

    b = brief.build(create_engine(os.environ["DATABASE_URL"]), load_targets(), year=YEAR, month=11)
    for rec in b.subdistricts.to_dict("records"):
        ref = budget[rec["subdistrict"]]
        assert (rec["status"], rec["outlook"]) == (ref["status"], ref["outlook"]), rec["subdistrict"]

    # the Indicators page's table (plan.indicators_table) and the road-dust share
    from monitoring import plan, reports

    engine = create_engine(os.environ["DATABASE_URL"])
    indicators = plan.indicators_table(engine, load_targets(), year=YEAR).set_index("key")
    for key in ("pm25_annual", "good_day_ratio", "heavy_pollution_days", "poor_road_share"):
        got = (indicators.loc[key, "status"], indicators.loc[key, "outlook"] or "unknown")
        assert got == (district[key]["status"], district[key]["outlook"]), key
    dust = reports.road_dust(engine, load_targets(), year=YEAR).extra
    assert dust["poor_share_status"] == district["poor_road_share"]["status"]

    # Rankings page: the table, read back to codes
    at = open_page("rankings")
    assert_clean(at)
    shown = table_frames(at)[0]
    for rec in shown.to_dict("records"):
        name = rec["街道"]
        assert STATUS[rec["累计（截至目前）"]] == ranking[name]["status"], name
        assert OUTLOOK[rec["全年预判"]] == ranking[name]["outlook"], name

    # Monthly progress page: the subdistricts' table (at risk first)
    at = open_page("progress")
    assert_clean(at)
    table = table_frames(at)[1]
    for rec in table.to_dict("records"):
        ref = budget[rec["街道"]]
        assert (STATUS[rec["累计（截至目前）"]], OUTLOOK[rec["全年预判"]]) == (ref["status"], ref["outlook"]), rec["街道"]

    # Overview: the PM2.5 tile carries the district's two words
    at = open_page("overview")
    assert_clean(at)
    # the badges are ":colour-badge[…]" markdown, in the tile's title element; the first tile is PM2.5
    badges = re.findall(r":\w+-badge\[[^\]]*\]", "\n".join(str(m.value) for m in at.markdown))
    status_word = i18n.t("ui.status." + whole["status"], "zh")
    outlook_word = i18n.t("ui.outlook." + whole["outlook"], "zh")
    assert f"累计：{status_word}]" in badges[0] and f"全年预判：{outlook_word}]" in badges[1]
