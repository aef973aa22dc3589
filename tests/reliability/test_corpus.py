"""Every hostile or broken file of tests/corpus/ through the real ingestion pipeline.

The expected outcome of each file is in tests/corpus/expected.yaml. Besides its counts,
every file must leave the database whole: stored rows equal accepted rows, a refused
file stores nothing but its audit record, integrity_check passes, no NUL character is
stored (PostgreSQL refuses them in text), and SQL-looking cells stay text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from monitoring.actors import ANONYMOUS, Actor
from monitoring.cli import main
from monitoring.errors import InputError, PermissionDenied
from monitoring.ingest.pipeline import IngestResult, ingest_file
from monitoring.storage.schema import ingestion_runs, readings, rejected_rows, road_dust
from monitoring.targets import Targets

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FILES = CORPUS / "files"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
ANALYST = Actor("corpus-test", "analyst")

sys.path.insert(0, str(CORPUS))
import make_corpus  # noqa: E402


def _cases() -> list[Any]:
    cases = []
    for name, expected in sorted(EXPECTED.items()):
        marks = [pytest.mark.xfail(strict=True, reason=expected["xfail"])] if "xfail" in expected else []
        cases.append(pytest.param(name, expected, marks=marks, id=name))
    return cases


def test_the_corpus_is_complete_and_reproducible() -> None:
    on_disk = {p.name for p in FILES.iterdir()}
    assert on_disk == set(EXPECTED), "every corpus file has an expected outcome, and only those"
    assert len(on_disk) >= 40
    assert make_corpus.main(["--check"]) == 0, "tests/corpus/files differ from make_corpus.py: run it again"


def _stored(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _check_database_whole(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok" if engine.dialect.name == "sqlite" else True
        texts = conn.execute(select(rejected_rows.c.raw, rejected_rows.c.reason, rejected_rows.c.reason_en)).all()
        messages = conn.execute(select(ingestion_runs.c.message)).scalars().all()
    for row in texts:
        for text in row:
            assert "\x00" not in text, "a NUL character was stored (PostgreSQL would refuse the whole file)"
    for text in messages:
        assert "\x00" not in text


@pytest.mark.parametrize(("name", "expected"), _cases())
def test_corpus_file(name: str, expected: dict[str, Any], make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    table = road_dust if expected.get("kind") == "road_dust" else readings
    path = FILES / name
    try:
        result: IngestResult | None = ingest_file(engine, path, name=name, targets=targets, actor=ANALYST)
        error = ""
    except InputError as exc:
        result, error = None, str(exc)
    _check_database_whole(engine)

    if result is None:
        assert expected["status"] == "refused", f"refused unexpectedly: {error}"
        assert expected["reason"] in error
        assert error.startswith(f"{name}: ") and "\n" not in error, "one line that names the file"
        assert error.isprintable(), "printable text only: no NUL, CR or escape (issue 13)"
        assert _stored(engine, readings) == 0 and _stored(engine, road_dust) == 0
        with engine.connect() as conn:
            audit = conn.execute(select(ingestion_runs.c.status, ingestion_runs.c.user, ingestion_runs.c.message)).all()
        assert [(a.status, a.user) for a in audit] == [("refused", ANALYST.name)], "a refused file leaves its audit line"
        return

    assert result.status == expected["status"], result.message
    assert result.counts.accepted == expected.get("accepted", result.counts.accepted)
    assert result.counts.rejected == expected.get("rejected", 0)
    for key in ("duplicates", "missing"):
        if key in expected:
            assert getattr(result.counts, key) == expected[key]
    if "reason" in expected:
        reasons = " | ".join(r.reason_en for r in result.rejected_rows)
        assert expected["reason"] in reasons
    for row in result.rejected_rows:
        assert row.line >= 2 and row.reason and row.reason_en
        assert row.reason_en.isprintable() and row.reason.isprintable(), "a reason is one printable line (issue 13)"
    # issue 13: what the result says beside its counts
    assert result.ignored_columns == expected.get("ignored_columns", result.ignored_columns)
    assert [n.code for n in result.conversions] == expected.get("conversions", [])
    assert [n.code for n in result.warnings] == expected.get("warnings", [])
    stored = _stored(engine, table)
    if result.status == "refused":
        assert stored == 0
    else:
        assert stored == result.counts.accepted
        with engine.connect() as conn:
            users = set(conn.execute(select(ingestion_runs.c.user)).scalars())
        assert users == {ANALYST.name}, "every write records who made it"
    assert _stored(engine, rejected_rows) == result.counts.rejected


def test_a_viewer_or_anonymous_cannot_ingest(make_db, targets: Targets) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    for actor in (ANONYMOUS, Actor("leader", "viewer"), None):
        with pytest.raises(PermissionDenied):
            ingest_file(engine, FILES / "good_long.csv", name="good_long.csv", targets=targets, actor=actor)  # type: ignore[arg-type]
    assert _stored(engine, readings) == 0
    assert _stored(engine, ingestion_runs) == 0


def test_million_columns_is_refused_clearly(make_db, targets: Targets, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    path = make_corpus.million_columns(tmp_path / "million_columns.csv")
    with pytest.raises(InputError) as refused:
        ingest_file(engine, path, name=path.name, targets=targets, actor=ANALYST)
    assert _stored(engine, readings) == 0
    assert "\n" not in str(refused.value)


def test_million_columns_reason_names_the_problem(make_db, targets: Targets, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = make_db()
    path = make_corpus.million_columns(tmp_path / "million_columns.csv")
    with pytest.raises(InputError) as refused:
        ingest_file(engine, path, name=path.name, targets=targets, actor=ANALYST)
    assert "empty" not in str(refused.value)


# -- a few through the command line, for exit codes and one-line errors -----------------


@pytest.mark.parametrize(
    ("name", "args", "code", "stored"),
    [
        ("good_long.csv", [], 0, 60),
        ("empty.csv", [], 1, 0),
        ("binary_png_renamed.csv", [], 1, 0),
        ("unknown_subdistrict.csv", [], 0, 2),
        ("unknown_subdistrict.csv", ["--strict"], 1, 0),
        ("formula_hyperlink.csv", ["--dry-run"], 0, 0),
    ],
)
def test_command_line_exit_codes(name: str, args: list[str], code: int, stored: int, make_db,  # type: ignore[no-untyped-def]
                                 monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_db()
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["ingest", str(FILES / name), *args]) == code
    err = capsys.readouterr().err
    if code == 1:
        assert err.startswith("error: ") or "refused" in err
        assert "Traceback" not in err
    assert _stored(engine, readings) == stored
