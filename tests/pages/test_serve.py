"""dashboard.serve's page shell: Streamlit's index.html served with the server's address and the
common elements' code written in, from a folder whose other files are Streamlit's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit import file_util

from dashboard import serve


@pytest.fixture
def static_dir(monkeypatch: pytest.MonkeyPatch) -> str:
    """Streamlit's folder; serve.page_shell's replacement of get_static_dir is undone after."""
    real = file_util.get_static_dir()
    monkeypatch.setattr(file_util, "get_static_dir", lambda: real)
    return real


def test_the_page_names_the_server_and_preloads_the_common_elements(static_dir: str) -> None:
    folder = serve.page_shell()
    assert folder is not None and file_util.get_static_dir() == str(folder)
    page = (folder / "index.html").read_text(encoding="utf-8")
    original = (Path(static_dir) / "index.html").read_text(encoding="utf-8")
    # the address is set before Streamlit's own module runs (it reads window.__streamlit once)
    assert page.index("BACKEND_BASE_URL") < page.index('<script type="module"')
    preloaded = re.findall(r'rel="modulepreload" crossorigin href="\./static/js/([^"]+)"', page)
    listed = re.findall(r'rel="modulepreload" crossorigin href="\./static/js/([^"]+)"', original)
    added = [name for name in preloaded if name not in listed]
    assert {name.split(".")[0] for name in added} >= {"Radio", "DownloadButton", "rehype-raw"}
    assert all((folder / "static" / "js" / name).is_file() for name in added)  # each one a file served
    # every other file is Streamlit's own
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in Path(static_dir).iterdir())
    assert (folder / "static").resolve() == (Path(static_dir) / "static").resolve()


def test_a_page_of_another_shape_is_served_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Streamlit whose index.html no longer has the place the address goes: nothing is changed."""
    (tmp_path / "index.html").write_text("<html><head><title>Streamlit</title></head></html>", encoding="utf-8")
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(tmp_path))
    assert serve.page_shell() is None
    assert file_util.get_static_dir() == str(tmp_path)


def test_the_server_collects_garbage_less_often() -> None:
    """The launcher's process runs full collections rarely, and Streamlit forces none after a run
    (each held the GIL 0.1–0.2 s while the browser waited for the run's last message)."""
    import gc
    import tomllib

    before = gc.get_threshold()
    try:
        serve.collect_less_often()
        assert gc.get_threshold() == serve.GC_THRESHOLDS
        assert serve.GC_THRESHOLDS[2] > before[2] and serve.GC_THRESHOLDS[:2] == (700, 10)
    finally:
        gc.set_threshold(*before)
    settings = tomllib.loads((Path(serve.__file__).parents[1] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["postScriptGC"] is False


def test_no_script_relies_on_streamlit_magic() -> None:
    """.streamlit/config.toml turns magic off: app.py and the pages must show nothing through a bare
    expression (with magic off it would silently show nothing). A docstring and calls are fine."""
    import ast
    import tomllib

    root = Path(serve.__file__).parents[1]
    settings = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["magicEnabled"] is False
    bare = []
    for script in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            body = getattr(node, "body", None)
            for i, statement in enumerate(body if isinstance(body, list) else []):
                value = statement.value if isinstance(statement, ast.Expr) else None
                docstring = (i == 0 and isinstance(value, ast.Constant) and isinstance(value.value, str)
                             and isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)))
                if value is not None and not docstring and not isinstance(value, (ast.Call, ast.Await, ast.Yield)):
                    bare.append(f"{script.name}:{statement.lineno}")
    assert bare == [], f"bare expressions (shown only with magic on): {bare}"
