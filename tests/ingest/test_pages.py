"""The 数据上传 and 数据质量 pages through Streamlit's AppTest (real script runs, real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from monitoring.actors import Actor
from monitoring.ingest.pipeline import ingest_file
from monitoring.storage.schema import readings
from monitoring.targets import Targets

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
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["将保存"] == "2" and metrics["拒绝"] == "2" and metrics["数据行"] == "4"
    counts = at.dataframe[0].value
    assert list(counts["街道"]) == ["德胜"] and list(counts["行数"]) == [2]
    rejected = at.dataframe[1].value
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
    runs = quality.dataframe[0].value
    assert list(runs["来源/文件"])[:2] == ["上传.csv", "seed.csv"]
    assert list(runs["执行人"])[:1] == ["tester"] and list(runs["方式"])[:1] == ["页面上传"]
    assert quality.selectbox(key="quality_run").value == int(runs["编号"].iloc[0])
    detail = quality.dataframe[1].value
    assert list(detail["行号"]) == [4, 5]
    share = quality.dataframe[2].value
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
        assert r.kind == kind and r.rejected == 0 and r.accepted > 0, (make.__name__, r.rejected_rows)


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
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["冲突"] == "1" and metrics["将保存"] == "0"
    table = at.dataframe[1].value
    assert list(table["街道"]) == ["月坛"] and list(table["已保存的值"]) == [20.0] and list(table["文件中的值"]) == [25.0]
    assert "没有可保存的新数据" in _texts(at)
