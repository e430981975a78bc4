"""Failed actions are reported in the UI's language: the store's `UserError`s carry a
code, and every code the store can raise has a Danish and an English text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from store.errors import UserError
from tests.tui.conftest import wait_for
from tui import i18n
from tui.screens.stats import StatsScreen

ROOT = Path(__file__).resolve().parents[2]


def _codes_raised_in_store() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "store").rglob("*.py"):
        text = path.read_text("utf-8")
        codes |= set(re.findall(r'code="([a-z_]+)"', text))
        # Problem(text, "code", ...): the code is the second argument.
        codes |= set(re.findall(r'Problem\(\s*f?"[^"]*",\s*"([a-z_]+)"', text))
    return codes


def test_every_store_error_code_has_both_texts() -> None:
    codes = _codes_raised_in_store()
    assert {"no_case", "contact_gone", "not_in_taxonomy", "export_folder"} <= codes
    missing = sorted(c for c in codes if f"err.{c}" not in i18n.TEXT)
    assert not missing, f"add err.<code> texts to tui/i18n.py for: {missing}"


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("da", "Afdeling 'Skat' findes ikke i klassifikationen; vælg en værdi fra listen"),
        ("en", "Department 'Skat' is not in the taxonomy; pick a value from the list"),
    ],
)
def test_coded_problem_is_translated_with_its_field(lang: str, want: str) -> None:
    from store.cases import validate_classification
    from store.config import Config

    problem = validate_classification(Config().taxonomy, {"department": "Skat"})[0]
    # The CLI and import reports keep the English line.
    assert problem == "department 'Skat' is not in the taxonomy"
    i18n.set_language(lang)
    try:
        assert i18n.error_text(problem.error()) == want
    finally:
        i18n.set_language("da")


def test_uncoded_and_unexpected_errors() -> None:
    i18n.set_language("da")
    assert i18n.error_text(UserError("something plain")) == "something plain"
    assert i18n.error_text(KeyError("x")) == "uventet fejl: KeyError: 'x'"


@pytest.mark.parametrize(("lang", "want"), [("da", "mappen findes ikke"), ("en", "no such folder")])
async def test_export_to_a_missing_folder_says_so_in_the_ui_language(
    world: Any, make_app: Any, tmp_path: Path, lang: str, want: str
) -> None:
    config = world.config.model_copy(update={"language": lang})
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_for(
            pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.view is not None
        )
        await pilot.press("x")
        await pilot.pause(0.1)
        app.screen.query_one("Input").value = str(tmp_path / "nowhere" / "t.xlsx")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(want in n.message for n in app._notifications))
    assert not (tmp_path / "nowhere").exists()
