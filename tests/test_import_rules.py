"""The layering: store imports neither ingest nor tui; ingest does not import tui; tui talks
to the store through store.desk, store.config and store.errors; nothing headless imports
textual. The contracts live in pyproject.toml ([tool.importlinter]); these tests run them,
keep them whole, and check what import-linter cannot (lazy imports, run time)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
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


# The store modules tui may import; every other one is in the tui contract's forbidden list.
TUI_MAY_USE = {"store.desk", "store.config", "store.errors", "store.timeutil"}


def _contract(contract_id: str) -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == contract_id]
    return contract


def test_the_tui_contract_names_every_other_store_module() -> None:
    """A new store module is forbidden to tui unless someone decides otherwise."""
    store_modules = {
        f"store.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "store").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    forbidden = set(_contract("tui")["forbidden_modules"])  # type: ignore[arg-type]
    assert store_modules - TUI_MAY_USE - forbidden == set()
    assert forbidden & TUI_MAY_USE == set()
    assert {"ingest", "sqlmodel", "sqlalchemy"} <= forbidden


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe is not None, "import-linter is a dev dependency: uv sync"
    proc = subprocess.run(
        [exe, "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=240
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
