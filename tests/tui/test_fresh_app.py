"""Every way in, from a fresh app: each command of the palette and each kind of search
hit, before any other screen was opened. A search for a party chosen first thing once
ended the app (`NoMatches: '#f-party'`, exit code 0): Sager was not built yet."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList

from tests.tui.conftest import screen_text, wait_for
from tui.commands import DeskCommands
from tui.screens.case_detail import CaseDetailScreen
from tui.screens.cases import CasesScreen
from tui.screens.dialogs import PreviewScreen, SearchDialog
from tui.screens.triage import TriageScreen


async def _fresh(pilot: Any) -> TriageScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.rows)
    return app.screen  # type: ignore[no-any-return]


def _palette_names(app: Any) -> list[str]:
    names = [name for name, _tip, _cb in DeskCommands(app.screen, None)._entries()]
    return names + [cmd.title for cmd in app.get_system_commands(app.screen)]


# The commands are many and each needs an app of its own: in shards, so pytest-xdist
# spreads them over its workers instead of one worker running them all last.
SHARDS = 3


@pytest.mark.parametrize("shard", range(SHARDS))
async def test_every_palette_command_from_a_fresh_app(
    shard: int, make_app: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # "Skærmbillede" saves its file in the working directory
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _fresh(pilot)
        names = _palette_names(app)
    assert len(names) > 20, names
    for name in names[shard::SHARDS]:
        await _run_from_the_palette(make_app(), name)


async def _run_from_the_palette(app: Any, name: str) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await _fresh(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        palette.query_one(Input).value = name
        hits = palette.query_one(CommandList)
        await wait_for(pilot, lambda: name in (_first(hits) or ""))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not palette or not app.is_running)
        await pilot.pause(0.2)  # what the command started (a worker, a dialog) settles
        for _ in range(3):  # back out of whatever it opened
            if not app.is_running:
                break
            await pilot.press("escape")
            await pilot.pause(0.05)
    # run_test re-raises an exception that ended the app; a clean exit is only quit's.
    assert app.return_code in (None, 0), name
    if name != "Afslut":
        assert app._exception is None, name


def _first(hits: CommandList) -> str | None:
    """The highlighted command's text (the palette highlights its best match)."""
    if hits.highlighted is None or not hits.option_count:
        return None
    prompt = hits.get_option_at_index(hits.highlighted).prompt
    return str(getattr(prompt, "plain", prompt))


async def _search(pilot: Any, query: str, kind: str, label: str) -> None:
    app = pilot.app
    await pilot.press("slash")
    await wait_for(pilot, lambda: isinstance(app.screen, SearchDialog))
    dialog = app.screen
    await pilot.press(*query)
    # The hits of the whole query: a prefix's ("Jen") also has the one wanted, and if the
    # highlight is set on that list, the query's own hits replace it before enter (under
    # load: 3 in 16 runs), and enter takes their first, another kind of hit.
    await wait_for(
        pilot,
        lambda: (
            dialog._shown == query
            and any(h.kind == kind and h.label == label for h in dialog._hits.values())
        ),
    )
    ol = dialog.query_one(OptionList)
    keys = [str(ol.get_option_at_index(i).id) for i in range(ol.option_count)]
    want = next(k for k, h in dialog._hits.items() if h.kind == kind and h.label == label)
    ol.highlighted = keys.index(want)
    await pilot.press("enter")


async def test_party_hit_first_thing_shows_the_party_cases(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _fresh(pilot)
        await _search(pilot, "Jens", "party", "Jens Jensen")
        await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen) and app.screen.rows)
        screen = app.screen
        assert screen.query_one("#f-party", Input).value == "Jens Jensen"
        # Open and closed: both of Jens's cases, and no one else's.
        await wait_for(pilot, lambda: {r.ref for r in screen.rows} == {"2026-0002", "2026-0003"})
    assert app._exception is None


async def test_party_hit_from_an_open_case_goes_back_to_the_list(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _fresh(pilot)
        await _search(pilot, "Hanne", "case", "2026-0001 Boligstøtte")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
        await pilot.press("2")  # Sager, the case still open over it in its own mode
        await _search(pilot, "Jens", "party", "Jens Jensen")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, CasesScreen) and app.screen.filt.party == "Jens Jensen",
        )
    assert app._exception is None


@pytest.mark.parametrize(
    ("query", "kind", "label", "lands"),
    [
        ("Hanne", "case", "2026-0001 Boligstøtte", CaseDetailScreen),
        ("Hanne", "contact", "Spørgsmål om boligstøtte", CaseDetailScreen),  # in a case
        ("ukendt", "contact", "[bold red]x[/]", PreviewScreen),  # waiting in triage
    ],
)
async def test_every_hit_kind_from_a_fresh_app(
    make_app: Any, query: str, kind: str, label: str, lands: type
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _fresh(pilot)
        await _search(pilot, query, kind, label)
        await wait_for(pilot, lambda: isinstance(app.screen, lands))
        await pilot.pause(0.1)
        if lands is PreviewScreen:
            assert "[bold red]x[/]" in screen_text(app)
    assert app._exception is None


# ---------------------------------------------------------------- case refs are never cut


def _long_ref_case(world: Any) -> None:
    import datetime as dt

    from store.cases import create_case
    from store.db import session_scope
    from store.models import CaseCreate
    from tests.tui.conftest import _mail

    with session_scope(world.engine) as s:
        c = create_case(
            session=s,
            case_in=CaseCreate(
                ref="HB-2026-001",
                title="Lang ref",
                department="Andet",
                category="Vejledning",
                opened_on=dt.date(2026, 3, 9),
            ),
        )
        _mail(
            s,
            world.config,
            at=dt.datetime(2026, 3, 9, 8, tzinfo=dt.UTC),
            sender="lang@example.dk",
            subject="Svar ønskes",
            body="…",
            ref="long1",
            case_id=c.id,
        )


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", ["2", "3"], ids=["Sager", "Svarfrister"])
async def test_case_refs_are_never_cut(
    world: Any, make_app: Any, mode: str, size: tuple[int, int]
) -> None:
    _long_ref_case(world)
    app = make_app()
    async with app.run_test(size=(size[0], 60)) as pilot:  # tall: every row on screen
        await _fresh(pilot)
        await pilot.press(mode)
        await wait_for(
            pilot,
            lambda: bool(getattr(app.screen, "rows", None)) and app.screen.data_version is not None,
        )
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "HB-2026-0…" not in text
        if mode == "2" or size[0] >= 110:  # Svarfrister shows refs only when wide
            assert "HB-2026-001" in text
