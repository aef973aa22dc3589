"""app.py's page table: every page file is offered, and a missing one fails loudly.

A page whose file was deleted or renamed must not drop out of the navigation quietly
(nor turn its tests into skips): the table and pages/ agree, and the router stops with
Streamlit's page-not-found error when a listed file is absent.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, ROOT, TIMEOUT


def _page_table() -> list[str]:
    """The files named in app.py's PAGE_TABLE, read from the source (importing app.py runs it)."""
    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGE_TABLE" for t in node.targets):
            table = ast.literal_eval(node.value)
            return [row[0] for row in table]
    raise AssertionError("app.py has no PAGE_TABLE")


def test_the_page_table_and_the_pages_folder_agree() -> None:
    listed = _page_table()
    on_disk = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)


def test_a_missing_page_file_stops_the_app(shared_db: str, tmp_path: Path) -> None:
    # a copy of the router beside a pages/ folder lacking one listed file
    shutil.copy(APP, tmp_path / "app.py")
    shutil.copytree(ROOT / "pages", tmp_path / "pages")
    (tmp_path / "pages" / "road_dust.py").unlink()
    at = AppTest.from_file(str(tmp_path / "app.py"), default_timeout=TIMEOUT).run()
    assert at.exception, "a missing page file must not be dropped silently"
    # the message is redacted (client.showErrorDetails); the type names the cause
    assert at.exception[0].proto.type == "streamlit.errors.StreamlitPageNotFoundError"
