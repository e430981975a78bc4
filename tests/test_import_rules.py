"""The design card's layering: store imports neither ingest nor tui; ingest does not import
tui; nothing headless imports textual. Checked on the source (static) and at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "store": {"ingest", "tui", "borgerdesk", "textual"},
    "ingest": {"tui", "borgerdesk", "textual"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_static_imports(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        hit = _imports(path) & FORBIDDEN[package]
        if hit:
            bad.append(f"{path.relative_to(ROOT)} imports {sorted(hit)}")
    assert not bad, "\n".join(bad)


def test_headless_cli_commands_do_not_import_textual() -> None:
    """Only the tui package may import textual; the CLI loads it lazily."""
    bad = []
    for path in sorted((ROOT / "borgerdesk").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:  # module level only: lazy imports inside functions are fine
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                if any(m.split(".")[0] in {"textual", "tui"} for m in mods):
                    bad.append(str(path.relative_to(ROOT)))
    assert not bad, bad


def test_runtime_headless_import_does_not_load_textual() -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        "import store, ingest\n"
        "for pkg in (store, ingest):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' in m.name: continue\n"
        "        importlib.import_module(m.name)\n"
        "import borgerdesk.app\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
