"""The 数据上传 and 数据质量 pages through Streamlit's AppTest (real script runs, real SQLite),
including the data-quality page's scheduled-pulls panel (sources.yaml from MONITOR_SOURCES)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from monitoring import i18n
from monitoring.actors import Actor
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage.schema import readings
from monitoring.targets import Targets
from tests.factories import HTTP_500, PULL_SOURCES_YAML, make_run
from tests.pages.conftest import tables, tiles

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
ANALYST = Actor("tester", "analyst")
SEED = "subdistrict,time,pollutant,value\n月坛,2026-01-01 01:00,pm25,20\n"
UPLOAD = (
    "街道,时间,污染物,浓度\n"
    "德胜,2026-01-05 13:00,PM2.5,35\n"
    "德胜,2026-01-05 14:00,PM2.5,36\n"
    "德胜门外,2026-01-05 14:00,PM2.5,36\n"
    "=HYPERLINK(\"x\"),2026-01-05 14:00,PM2.5,36\n"
)


def _use(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MONITOR_LOAD_DEMO", "0")
    monkeypatch.setenv("MONITOR_USERS", str(ROOT / "tests" / "pages" / "no-users.yaml"))
    # no sources.yaml: the quality page's pull panel says so (tests of the panel set their own)
    monkeypatch.setenv("MONITOR_SOURCES", str(ROOT / "tests" / "ingest" / "no-sources.yaml"))


@pytest.fixture
def app_db(make_db, targets: Targets, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    engine = make_db()
    # one stored reading: the app's start-up then finds data and loads nothing more
    ingest_file(engine, SEED.encode(), name="seed.csv", targets=targets, actor=ANALYST)
    _use(engine, monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield engine
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(name: str, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(readings)).scalar_one())


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [i.value for i in at.info] + [s.value for s in at.success] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def test_viewer_sees_templates_and_the_login_hint_only(app_db: Engine) -> None:
    at = _page("upload")
    assert not at.exception
    assert "以分析员身份登录" in _texts(at)
    assert not at.file_uploader
    assert len(at.get("download_button")) == 3  # the templates stay downloadable


def test_upload_preview_then_confirm_then_quality_page(app_db: Engine) -> None:
    at = _page("upload", actor=ANALYST)
    assert not at.exception
    at.file_uploader(key="upload_file").set_value(("上传.csv", UPLOAD.encode("gbk"), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    # preview: counts shown, nothing written yet
    metrics = {m.label: m.value for m in tiles(at)}
    assert metrics["将保存"] == "2" and metrics["拒绝"] == "2" and metrics["读数"] == "4"
    counts = tables(at)[0]
    assert list(counts["街道"]) == ["德胜"] and list(counts["合格读数"]) == [2]
    rejected = tables(at)[1]
    assert list(rejected["行号"]) == [4, 5]
    assert rejected["原因"][0].startswith('第 4 行: 未知街道 "德胜门外"')
    assert _count(app_db) == 1
    downloads = [d for d in at.get("download_button") if d.proto.label.startswith("下载被拒绝的行")]
    assert downloads

    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert _count(app_db) == 3
    assert any("已保存 2 行" in s.value for s in at.success)

    quality = _page("quality", actor=ANALYST)
    assert not quality.exception, quality.exception
    runs = tables(quality)[0]
    assert list(runs["来源/文件"])[:2] == ["上传.csv", "seed.csv"]
    assert list(runs["执行人"])[:1] == ["tester"] and list(runs["方式"])[:1] == ["页面上传"]
    assert quality.session_state["quality_run"] == int(runs["编号"].iloc[0])  # the newest run's detail
    assert "quality_run_pick" not in [b.key for b in quality.selectbox]  # the picker: behind 查看其他运行的详情
    detail = tables(quality)[1]
    assert list(detail["行号"]) == [4, 5]
    share = tables(quality)[2]
    assert len(share) == 15


def test_rejected_rows_csv_opens_in_excel(app_db: Engine, targets: Targets) -> None:
    from monitoring.ingest.audit import rejected_csv

    r = ingest_file(app_db, UPLOAD.encode(), name="u.csv", targets=targets, actor=ANALYST, dry_run=True)
    body = rejected_csv(r.rejected_rows)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Chinese right
    text = body.decode("utf-8-sig")
    assert "德胜门外" in text and "'=HYPERLINK" in text


def test_strict_preview_blocks_the_confirm_button(app_db: Engine) -> None:
    at = _page("upload", actor=ANALYST, upload_strict=True)
    at.file_uploader(key="upload_file").set_value(("u.csv", UPLOAD.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert any("严格模式" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "upload_confirm"]


def test_unreadable_upload_shows_one_clear_error(app_db: Engine) -> None:
    at = _page("upload", actor=ANALYST)
    at.file_uploader(key="upload_file").set_value(("bild.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "text/csv"))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["bild.csv：这不是 CSV 或 XLSX 表格（二进制文件）"]
    assert _count(app_db) == 1


def test_templates_are_accepted_by_the_reader(app_db: Engine, targets: Targets) -> None:
    from monitoring.ingest import templates

    for make, kind in ((templates.template_long, "readings"), (templates.template_wide, "readings"),
                       (templates.template_road_dust, "road_dust")):
        r = ingest_file(app_db, make(), name="t.csv", targets=targets, actor=ANALYST, dry_run=True)
        assert r.kind == kind and r.counts.rejected == 0 and r.counts.accepted > 0, (make.__name__, r.rejected_rows)


def test_analyst_removes_demo_data_on_the_quality_page(seeded_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(seeded_db, monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()
    with seeded_db.connect() as conn:
        demo_before = conn.execute(select(func.count()).select_from(readings).where(readings.c.source == "demo")).scalar_one()
    assert demo_before > 0
    viewer = _page("quality")
    assert not viewer.exception and not [b for b in viewer.button if b.key == "quality_demo_remove"]
    at = _page("quality", actor=ANALYST)
    assert at.button(key="quality_demo_remove").disabled
    at.checkbox(key="quality_demo_sure").check().run()
    at.button(key="quality_demo_remove").click().run()
    assert not at.exception, at.exception
    with seeded_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(readings).where(readings.c.source == "demo")).scalar_one() == 0
    assert any("已删除演示数据" in s.value for s in at.success)
    st.cache_data.clear()
    st.cache_resource.clear()


def test_conflicts_are_previewed_with_names(app_db: Engine) -> None:
    at = _page("upload", actor=ANALYST)
    changed = "subdistrict,time,pollutant,value\n月坛,2026-01-01 01:00,pm25,25\n"
    at.file_uploader(key="upload_file").set_value(("c.csv", changed.encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in tiles(at)}
    assert metrics["冲突"] == "1" and metrics["将保存"] == "0"
    table = tables(at)[1]
    assert list(table["街道"]) == ["月坛"] and list(table["已保存的值"]) == [20.0] and list(table["文件中的值"]) == [25.0]
    assert "没有可保存的新数据" in _texts(at)


# -- the scheduled-pulls panel (数据质量 → 自动拉取) ------------------------------------------------
def _pull_table(at: AppTest, lang: str = "zh") -> Any:
    header = i18n.t("pull.source", lang)  # type: ignore[arg-type]
    found = [d for d in tables(at, shown=True) if header in d.columns]  # the text on screen
    assert len(found) == 1, [list(d.columns) for d in tables(at)]
    return found[0]


@pytest.fixture
def with_sources(app_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    path = tmp_path / "sources.yaml"
    path.write_text(PULL_SOURCES_YAML, encoding="utf-8")
    monkeypatch.setenv("MONITOR_SOURCES", str(path))
    make_run(app_db, "cnemc-test", "succeeded", last=dt.datetime(2026, 1, 5, 12), accepted=36)
    make_run(app_db, "cnemc-test", "failed", message=HTTP_500)
    make_run(app_db, "old-feed", "succeeded", last=dt.datetime(2025, 12, 31, 23), accepted=12)  # since removed from sources.yaml
    return app_db


def test_quality_page_shows_the_scheduled_pulls(with_sources: Engine) -> None:
    at = _page("quality")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.subheader][0] == "自动拉取"
    table = _pull_table(at)
    assert list(table["数据源"]) == ["cnemc-test", "bureau-csv", "old-feed"]
    assert list(table["类型"]) == ["国控站点小时数据", "CSV 文件地址", "已不在 sources.yaml 中"]
    assert list(table["状态"]) == ["失败（未写入任何数据）", "尚未拉取过", "成功"]
    assert list(table["最新数据时刻"]) == ["2026-01-05 12:00", "—", "2025-12-31 23:00"]
    assert table["最近一次成功"].iloc[0] and table["最近一次成功"].iloc[0] <= table["最近一次拉取"].iloc[0]
    assert list(table["失败原因"]) == [HTTP_500, "—", "—"]
    # a source never pulled shows dashes, never "None"
    never = table.iloc[1].drop(["数据源", "类型", "状态"])
    assert list(never) == ["—"] * 6, never
    # the failure is also said above the table, with its reason
    assert any("cnemc-test" in x.value and HTTP_500 in x.value for x in at.warning)
    assert any("下一次拉取会从最新已存数据之后的小时开始" in c.value for c in at.caption)
    # downloadable like every other table
    assert [d.proto.label for d in at.get("download_button")][:2] == ["下载 CSV", "下载 Excel"]
    # the rest of the page still draws below the panel: the runs (the pulls among them), the hours
    assert [s.value for s in at.subheader][1] == "导入记录"
    # pulls, runs (the newest, the failed pull, is chosen: no rejected rows), hours with data
    assert len(tables(at)) == 3


def test_quality_page_shows_the_scheduled_pulls_in_english(with_sources: Engine) -> None:
    at = _page("quality", lang="en")
    assert not at.exception, at.exception
    assert "Scheduled pulls" in [s.value for s in at.subheader]
    table = _pull_table(at, "en")
    assert list(table.columns) == ["Source", "Kind", "Last pull", "Status", "Stored", "Duplicates",
                                   "Last successful pull", "Newest reading", "Failure reason"]
    assert list(table["Kind"]) == ["National network hourly feed", "CSV URL", "No longer in sources.yaml"]
    assert list(table["Status"]) == ["Failed (nothing stored)", "Never pulled", "Succeeded"]
    assert any("Reason: " + HTTP_500 in x.value for x in at.warning)


def test_quality_page_without_sources_says_so(app_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page("quality")  # MONITOR_SOURCES names no file
    assert not at.exception and not at.error
    assert i18n.t("pull.no_sources", "zh") in [i.value for i in at.info]
    assert not [d for d in tables(at) if "数据源" in d.columns]
    empty = tmp_path / "sources.yaml"
    empty.write_text("version: 1\nsources: []\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_SOURCES", str(empty))
    at = _page("quality", lang="en")
    assert not at.exception and not at.error
    assert i18n.t("pull.no_sources", "en") in [i.value for i in at.info]


def test_a_broken_sources_file_is_named_and_the_page_goes_on(
    app_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "sources.yaml"
    bad.write_text(PULL_SOURCES_YAML.replace("kind: csv-url", "kind: csv-url\n    colour: blue"), encoding="utf-8")
    monkeypatch.setenv("MONITOR_SOURCES", str(bad))
    at = _page("quality")
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "colour" in at.error[0].value
    assert len(tables(at)) >= 2  # the runs and the hours with data are still there


def test_quality_page_shows_a_running_and_a_killed_run(app_db: Engine) -> None:
    """Issue 13, item 2: the page used to stop on NaT (a run without a finish time)."""
    from tests.ingest.test_cli import unfinished_runs

    ids = unfinished_runs(app_db)
    for lang, running, killed in (("zh", "进行中", "已中断（未保存）"), ("en", "running", "interrupted (nothing stored)")):
        at = _page("quality", lang=lang, actor=ANALYST)
        assert not at.exception, at.exception
        run_col = i18n.t("quality.col.id", lang)
        runs = next(d for d in tables(at) if run_col in d.columns)  # after the pulls panel
        by_id = runs.set_index(run_col)
        status, finished = i18n.t("quality.col.status", lang), i18n.t("quality.col.finished", lang)
        assert by_id.loc[ids["running"], status] == running and by_id.loc[ids["running"], finished] == ""
        for name in ("killed", "marked"):  # the app's start-up has marked the killed one too
            assert by_id.loc[ids[name], status] == killed and by_id.loc[ids[name], finished] == ""
        assert by_id.loc[ids["done"], finished] != ""
    # the detail of the killed run draws too
    at = _page("quality", actor=ANALYST, quality_run=ids["killed"])
    assert not at.exception, at.exception
    assert "已中断" in _texts(at)
# -- issue 13: hostile files and values ---------------------------------------------------------

CORPUS_FILES = ROOT / "tests" / "corpus" / "files"


def test_upload_preview_names_ignored_columns_conversions_and_warnings(app_db: Engine) -> None:
    at = _page("upload", actor=ANALYST)
    body = ("subdistrict,time,pollutant,value,PM10\n德胜,2026-01-05T05:00Z,PM2.5,80,x\n德胜,2026-01-05 13:00,PM10,50,x\n")
    at.file_uploader(key="upload_file").set_value(("n.csv", body.encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    infos = "\n".join(i.value for i in at.info)
    assert "以下列未被使用（不会导入）：PM10" in infos
    assert "已做的换算：1 个时间带有时区" in infos and "北京时间" in infos
    warnings = "\n".join(w.value for w in at.warning)
    assert "合理性提示" in warnings and "PM2.5 高于 PM10" in warnings and "第 2 行" in warnings


def test_upload_of_a_workbook_with_several_sheets_asks_which(app_db: Engine) -> None:
    at = _page("upload", actor=ANALYST)
    data = (CORPUS_FILES / "workbook_data_on_first_of_two.xlsx").read_bytes()
    at.file_uploader(key="upload_file").set_value(("two.xlsx", data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    assert "多个工作表都有内容：数据、汇总" in "\n".join(e.value for e in at.error)
    choice = at.selectbox(key="upload_sheet")
    assert choice.options == ["数据", "汇总"]
    choice.set_value("数据").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in tiles(at)}["将保存"] == "15"
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert _count(app_db) == 16  # the seed and the sheet chosen


def test_another_runs_details_are_one_click_away_and_stay_when_closed(app_db: Engine, targets: Targets) -> None:
    """The newest run's details open the page (no select box on the first screen: its JavaScript cost
    every cold load); another run chosen in 查看其他运行的详情 stays shown after the box is closed."""
    ingest_file(app_db, "街道,时间,PM2.5\n德胜,2026-01-05 13:00,40\n".encode(), name="first.csv", targets=targets,
                actor=ANALYST)
    ingest_file(app_db, "街道,时间,PM2.5\n德胜,2026-01-06 13:00,41\n".encode(), name="second.csv", targets=targets,
                actor=ANALYST)
    at = _page("quality", actor=ANALYST)
    assert not at.exception and "quality_run_pick" not in [b.key for b in at.selectbox]
    runs = tables(at)[0]
    newest, older = int(runs["编号"].iloc[0]), int(runs.loc[runs["来源/文件"] == "first.csv", "编号"].iloc[0])
    assert f"#{newest}" in _texts(at) and "second.csv" in _texts(at)
    at.session_state["quality-pick"] = True
    at.run()
    at.selectbox(key="quality_run_pick").set_value(older).run()
    assert at.session_state["quality_run"] == older
    at.session_state["quality-pick"] = False
    at.run()
    assert "quality_run_pick" not in [b.key for b in at.selectbox] and at.session_state["quality_run"] == older
    title = next(m.value for m in at.markdown if f"#{older}" in str(m.value))
    assert "first.csv" in title


def test_quality_page_flags_pm25_above_pm10(app_db: Engine, targets: Targets) -> None:
    ingest_file(app_db, (CORPUS_FILES / "pm25_above_pm10.csv").read_bytes(), name="p.csv", targets=targets, actor=ANALYST)
    quality = _page("quality", actor=ANALYST)
    assert not quality.exception, quality.exception
    assert any("合理性提示：PM2.5 高于 PM10（1 处）" in w.value for w in quality.warning)
    flagged = [d for d in tables(quality) if "PM2.5" in d.columns]
    assert flagged and flagged[0][["街道", "PM2.5", "PM10"]].values.tolist() == [["德胜", 80.0, 50.0]]

    # the list is cached (a join over the run's span), but a later run that corrects PM10
    # makes a new key: the same session, re-run, no longer flags the hour
    first_run = quality.session_state["quality_run"]
    ingest_file(app_db, "街道,时间,PM10\n德胜,2026-01-05 13:00,95\n".encode(), name="fix.csv", targets=targets,
                actor=ANALYST, replace=True)
    quality.run()  # the run shown stays the one chosen, though a newer one now exists
    assert quality.session_state["quality_run"] == first_run
    assert not quality.exception, quality.exception
    assert not any("合理性提示" in w.value for w in quality.warning)


# -- issue 14: the preview's counts reconcile with the file; every table downloads ---------------
#: A wide GBK file: lines 2-3 repeat what STORED holds (duplicates), line 4 holds one reading
#: that differs from the store (a conflict), line 5 an empty cell, line 6 an unknown subdistrict.
STORED = (
    "街道,时间,PM2.5,PM10,NO2\n"
    "月坛,2026-02-01 01:00,20,40,30\n"
    "月坛,2026-02-01 02:00,21,41,31\n"
    "广内,2026-02-01 01:00,22,42,32\n"
)
MESSY = (
    "街道,时间,PM2.5,PM10,NO2\n"
    "月坛,2026-02-01 01:00,20,40,30\n"
    "月坛,2026-02-01 02:00,21,41,31\n"
    "广内,2026-02-01 01:00,22,42,99\n"
    "广内,2026-02-01 02:00,23,,33\n"
    "不存在街道,2026-02-01 02:00,23,43,33\n"
    "德胜,2026-02-01 03:00,24,44,34\n"
)


def test_messy_wide_preview_reconciles_with_the_file_and_the_cli(app_db: Engine, targets: Targets, tmp_path: Path) -> None:
    import json
    import re

    from tests.cli import run_cli

    ingest_file(app_db, STORED.encode("gbk"), name="stored.csv", targets=targets, actor=ANALYST)
    path = tmp_path / "杂乱.csv"
    path.write_bytes(MESSY.encode("gbk"))
    at = _page("upload", actor=ANALYST)
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, at.exception

    line = next(m.value for m in at.markdown if m.value.startswith("文件 "))
    numbers = [int(n.replace(",", "")) for n in re.findall(r"[\d,]+", line)]
    lines, readings, *terms, rejected_lines = numbers
    assert lines == 6  # data lines, header excluded
    assert readings == 6 * 3 == sum(terms)  # a wide line holds three readings; the terms add up, on the page
    written, duplicates, conflicts, missing, rejected = terms
    assert (written, duplicates, conflicts, missing, rejected, rejected_lines) == (5, 8, 1, 1, 3, 1)
    metrics = {m.label: m.value for m in tiles(at)}
    assert (metrics["读数"], metrics["将保存"], metrics["拒绝"]) == ("18", "5", "3")

    # the same numbers as the CLI's dry run of the same file
    out = run_cli("ingest", str(path), "--dry-run", "--format", "json",
                  env={"DATABASE_URL": app_db.url.render_as_string(hide_password=False)})
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    report = report[0] if isinstance(report, list) else report
    assert (report["lines"], report["readings"], report["accepted"], report["duplicates"], report["conflicts"],
            report["missing"], report["rejected_readings"], report["rejected"]) == (
        lines, readings, written, duplicates, conflicts, missing, rejected, rejected_lines)

    # duplicates listed like rejections: line, subdistrict, time, pollutant, value
    dup = next(tb for tb in tables(at) if "数值" in tb.columns)
    assert len(dup) == duplicates and sorted(set(dup["行号"])) == [2, 3, 4]
    assert set(dup["街道"]) == {"月坛", "广内"} and "PM2.5" in set(dup["污染物"])
    # every table downloads as CSV and XLSX (counts, conflicts, duplicates, rejected rows)
    keys = {b.key for b in at.get("download_button")}
    for table in ("upload-counts", "upload-conflicts", "upload-duplicates", "upload-rejected-preview"):
        assert {f"dl-csv-{table}", f"dl-xlsx-{table}"} <= keys, keys


def test_road_dust_duplicates_are_listed_like_rejections(app_db: Engine, targets: Targets) -> None:
    from tests.ingest.test_road_dust_duplicates import FILE, STORED

    ingest_file(app_db, STORED.encode(), name="stored.csv", targets=targets, actor=ANALYST)
    at = _page("upload", actor=ANALYST)
    at.file_uploader(key="upload_file").set_value(("道路尘.csv", FILE.encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert any(m.value == "**重复的道路尘负荷记录（2 行，不再写入）**" for m in at.markdown)
    assert any("2026-03-10" in m.value and "00:00" not in m.value for m in at.markdown if "2026-03-20" in m.value)
    dup = next(tb for tb in tables(at) if "道路" in tb.columns)
    assert list(dup.columns) == ["行号", "街道", "道路", "日期", "尘负荷(g/m²)", "等级"]
    assert list(dup["行号"]) == [2, 4] and list(dup["街道"]) == ["德胜", "新街口"]
    assert list(dup["日期"]) == ["2026-03-10", "2026-03-15"] and list(dup["等级"]) == ["良", ""]
    rejected = next(tb for tb in tables(at) if "原因" in tb.columns)
    assert list(rejected["行号"]) == [5, 6]
    keys = {b.key for b in at.get("download_button")}
    for table in ("upload-duplicates", "upload-rejected-preview"):
        assert {f"dl-csv-{table}", f"dl-xlsx-{table}"} <= keys, keys
    # in English: the same rows, the subdistricts in pinyin
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert any(m.value == "**Duplicate road-dust rows (2, not written again)**" for m in at.markdown)
    dup = next(tb for tb in tables(at) if "Road" in tb.columns)
    assert list(dup["Line"]) == [2, 4] and list(dup["Subdistrict"]) == ["Desheng", "Xinjiekou"]
