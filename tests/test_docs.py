"""The documentation tells the truth: the configuration reference is generated from the
models and the README's pictures are the snapshots (every command's --help example:
tests/test_cli_conventions.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.config.reference import DESCRIPTIONS, keys, render

ROOT = Path(__file__).resolve().parents[1]


def test_config_reference_is_current() -> None:
    missing = [k for k, _, _ in keys() if k not in DESCRIPTIONS]
    assert not missing, f"describe these keys in store/config/reference.py: {missing}"
    stale = [k for k in DESCRIPTIONS if k not in {k for k, _, _ in keys()}]
    assert not stale, f"keys described but gone: {stale}"
    doc = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    assert doc == render(), (
        "docs/configuration.md is stale: run "
        "uv run python -c 'from store.config.reference import write; "
        'from pathlib import Path; write(Path("docs/configuration.md"))\''
    )


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "uv run borgerdesk demo" in readme and "uv run pytest" in readme


@pytest.mark.parametrize(
    ("doc", "snapshot"),
    [
        ("screenshot-triage.svg", "test_screen[triage-120x40].raw"),
        ("screenshot-statistics.svg", "test_screen[stats-120x40].raw"),
    ],
)
def test_readme_screenshots_are_the_snapshots(doc: str, snapshot: str) -> None:
    """The README shows what the snapshot tests check, not an old picture."""
    snap = ROOT / "tests" / "tui" / "__snapshots__" / "test_snapshots" / snapshot
    assert (ROOT / "docs" / doc).read_bytes() == snap.read_bytes(), (
        f"copy {snap.relative_to(ROOT)} to docs/{doc}"
    )


def test_product_code_says_what_it_does_not_which_ticket_asked() -> None:
    """Comments and docstrings in the product name what the code does: a reference to
    "issue 20" or "the design card" means nothing to a reader of the code."""
    import re

    pattern = re.compile(r"\bissue \d+\b|\bthe issue\b|design card", re.IGNORECASE)
    found = [
        f"{path}:{n}"
        for package in ("store", "ingest", "tui", "borgerdesk")
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
