"""Language, keymaps, help, the command palette, the DEMO mark and the CLI entry."""

from __future__ import annotations

from typing import Any

from tests.tui.conftest import make_config, screen_text, wait_for
from tui.keymap import SPECS, all_ids, bindings
from tui.screens.dialogs import HelpScreen, LinkCaseDialog, SearchDialog
from tui.screens.triage import TriageScreen


def test_every_binding_has_an_id_and_a_translated_tooltip() -> None:
    from tui.i18n import TEXT

    ids = [spec[0] for specs in SPECS.values() for spec in specs]
    assert len(ids) == len(set(ids))
    for scope in SPECS:
        for b in bindings(scope):
            assert b.id and b.tooltip
            assert b.description in TEXT and b.tooltip in TEXT, b


async def test_english_and_remapped_keys(make_app: Any) -> None:
    config = make_config(language="en", keymap={"triage.link": "ctrl+l", "app.cases": "f2"})
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Inbox" in text and "Link" in text and "Indbakke" not in text
        await pilot.press("l")  # no longer bound
        await pilot.pause(0.1)
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkCaseDialog))
        await pilot.press("escape", "f2")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CasesScreen")
    from tui.i18n import set_language

    set_language("da")


async def test_help_lists_the_focused_screens_keys_with_tooltips(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Tilknyt – Tilknyt henvendelsen" in text
        assert "Ny sag – Opret en sag ud fra henvendelsen" in text


async def test_command_palette_runs_screen_actions(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"søg")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchDialog))


async def test_demo_mark(make_app: Any) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.status is not None)
        await wait_for(pilot, lambda: "DEMO" in screen_text(app).splitlines()[0])


def test_cli_refuses_an_unknown_keymap_id(cli: Any, tmp_path: Any) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ui.keymap]\n"triage.lnk" = "ctrl+l"\n', "utf-8")
    r = cli("--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'x.db'}", "tui")
    assert r.code == 2
    assert "unknown binding id(s) ['triage.lnk']" in r.err and "\n" not in r.err.strip()
    assert "triage.link" in all_ids()


def test_cli_needs_a_migrated_database(cli: Any, tmp_path: Any) -> None:
    r = cli("--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert r.code == 2 and "db upgrade" in r.err


async def test_help_and_palette_speak_danish_for_textuals_own_keys_too(make_app: Any) -> None:
    # Lists and the case view inherit Textual's scrolling and focus keys ("Scroll Left",
    # "Focus Next"); the Danish desk listed them in English.
    from textual.app import SystemCommand

    from tests.tui.test_flows import _open_case
    from tui.commands import DeskCommands
    from tui.i18n import TEXT, TEXTUAL_DA

    danish = {da for da, _en in TEXT.values()} | set(TEXTUAL_DA.values())
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        for go in ("1", "2", "3", "4", None):
            if go is None:
                await pilot.press("1")
                await _open_case(pilot, "2026-0001")
            else:
                await pilot.press(go)
                await pilot.pause(0.3)
            shown = app.screen
            entries = DeskCommands(shown, None)._entries()
            system: list[SystemCommand] = list(app.get_system_commands(shown))
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            help_rows = app.screen.rows  # type: ignore[attr-defined]
            assert len(help_rows) > 3
            for _key, desc, tip in help_rows:
                assert desc in danish and (not tip or tip in danish), (go, desc, tip)
            for name, tip, _cb in entries:
                assert name.startswith("Gå til") or name in danish, (go, name)
                assert not tip or tip in danish, (go, tip)
            assert {c.title for c in system} <= danish | {"Taster"}, system
            await pilot.press("escape")
            await wait_for(pilot, lambda s=shown: app.screen is s)
        keys = next(c for c in app.get_system_commands(app.screen) if c.title == "Taster")
        keys.callback()
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_the_command_palette_prompts_in_the_ui_language(make_app: Any) -> None:
    from textual.command import CommandInput

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: bool(app.screen.query(CommandInput)))
        assert app.screen.query_one(CommandInput).placeholder == "Søg efter en kommando…"


async def test_a_palette_search_that_finds_nothing_says_so_in_the_ui_language(
    make_app: Any,
) -> None:
    from textual.command import CommandInput, CommandList

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: bool(app.screen.query(CommandInput)))
        await pilot.press(*"qqxqq")
        options = app.screen.query_one(CommandList)

        def settled() -> bool:  # the search is done and its "no matches" line is up
            return options.option_count == 1 and options.get_option_at_index(0).disabled

        await wait_for(pilot, settled, timeout=5)
        await pilot.pause(0.05)
        shown = screen_text(app)
        assert "Ingen kommandoer passer" in shown
        assert "No matches" not in shown
