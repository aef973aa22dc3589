"""Pages ask the domain, never storage (CONTRIBUTING: pages are thin; only storage holds SQL)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: No exceptions: the dashboard opens its engine and lists years through monitoring.database.
ALLOWED: set[tuple[str, str]] = set()


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


def test_no_name_twins_between_the_dashboard_and_the_domain() -> None:
    """Two auth.py (login form vs password store) and two audit.py (SQL vs the audit the CLI
    shows) were told apart by their folder only: a module name says what it does, once."""
    dashboard = {p.name for p in (ROOT / "dashboard").glob("*.py")} - {"__init__.py"}
    domain = {p.name for p in (ROOT / "monitoring").glob("*.py")}
    assert dashboard & domain == set()
    audits = [p for p in (ROOT / "monitoring").rglob("audit.py")]
    assert len(audits) <= 1, audits
    assert not (ROOT / "monitoring" / "dust.py").exists(), "which dust? sand_dust events live in monitoring.events"


def test_no_screen_retypes_the_pollutant_list() -> None:
    """The pollutant options come from targets.POLLUTANT_TABLE: a retyped list drifts (app.py
    once offered them in its own order)."""
    from monitoring.targets import POLLUTANTS

    offenders = []
    for f in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and len(node.elts) >= 3:
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if len(values) == len(node.elts) and set(values) <= set(POLLUTANTS):
                    offenders.append(f"{f.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_pages_cache_through_the_loaders() -> None:
    """A page with its own st.cache_data escapes the shared key (database, targets version)
    and the one clear after a write: pages call dashboard.loaders instead."""
    offenders = [f.name for f in sorted(ROOT.glob("pages/*.py"))
                 if "cache_data" in f.read_text(encoding="utf-8") or "cache_resource" in f.read_text(encoding="utf-8")]
    assert offenders == []


def test_contributing_layout_lists_every_module() -> None:
    """CONTRIBUTING's layout is how the next engineer finds a rule: a module missing from it
    is one nobody finds. Every module name (and every package folder) must appear in it."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    words = set(block.replace(",", " ").replace("(", " ").replace(")", " ").split())
    missing = []
    for top in ("monitoring", "dashboard", "pages"):
        for f in sorted((ROOT / top).rglob("*.py")):
            rel = f.relative_to(ROOT)
            if f.name == "__init__.py" or "versions" in rel.parts:
                if f.name == "__init__.py" and f.parent != ROOT / top and f"{f.parent.name}/" not in words:
                    missing.append(f"{rel.parent}/")
                continue
            if f.name not in words and f.stem not in words:
                missing.append(str(rel))
    assert missing == [], f"add to CONTRIBUTING.md's layout: {missing}"
