"""Pages ask the domain, never storage (CONTRIBUTING: pages are thin; only storage holds SQL)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Known exceptions, to be moved behind domain modules: the cached engine itself, and two
#: year lists the loaders read straight from storage.queries (being reworked elsewhere).
ALLOWED = {("dashboard/context.py", "monitoring.storage.engine"), ("dashboard/loaders.py", "monitoring.storage")}


def _storage_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [n for n in names[:1] if n == "monitoring.storage" or n.startswith("monitoring.storage.")]
        if isinstance(node, ast.ImportFrom) and node.module == "monitoring":
            found += [f"monitoring.{a.name}" for a in node.names if a.name == "storage"]
    return found


def test_no_page_or_dashboard_module_imports_storage() -> None:
    files = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/*.py"), ROOT / "app.py"])
    assert any(f.name == "quality.py" for f in files)
    offenders = [
        f"{f.relative_to(ROOT)}: {name}"
        for f in files
        for name in _storage_imports(f)
        if (str(f.relative_to(ROOT)), name) not in ALLOWED
    ]
    assert offenders == []
