"""``bench --browser --compare`` refuses what it cannot compare with one line, before starting anything."""

from __future__ import annotations

from pathlib import Path

from tests.cli import run_cli


def test_compare_with_a_folder_that_holds_no_project(tmp_path: Path) -> None:
    done = run_cli("bench", "--browser", "--compare", str(tmp_path), "--pages", "upload", "--data-dir", str(tmp_path))
    assert done.returncode != 0
    assert "holds no app.py" in done.stderr and "git worktree add" in done.stderr
    assert "Traceback" not in done.stderr


def test_compare_with_an_unknown_page(tmp_path: Path) -> None:
    done = run_cli("bench", "--browser", "--compare", str(tmp_path), "--pages", "upload,nope")
    assert done.returncode != 0 and "no page nope" in done.stderr and "Traceback" not in done.stderr
