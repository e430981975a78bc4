"""A paged list defines its query, columns, cells and row key (tui/screens/paged_list.py):
one that forgets a hook is refused when the class is defined, by name, not when a user
first opens it. Textual's metaclass is not ABCMeta, so `abstractmethod` alone would not."""

from __future__ import annotations

import pytest
from rich.text import Text

from tui.screens.paged_list import HOOKS, PagedListScreen


def test_a_list_without_a_hook_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="Broken is a paged list without cells, key_of"):

        class Broken(PagedListScreen[int]):
            def page_query(self, offset):  # type: ignore[no-untyped-def]
                raise AssertionError

            def columns(self) -> list[tuple[str, int | None]]:
                return []


def test_every_list_of_the_desk_defines_every_hook() -> None:
    from tui.screens.cases import CasesScreen
    from tui.screens.dismissed import DismissedScreen
    from tui.screens.followups import FollowupsScreen
    from tui.screens.triage import TriageScreen
    from tui.screens.whistleblower import WhistleblowerScreen

    for screen in (
        CasesScreen,
        DismissedScreen,
        FollowupsScreen,
        TriageScreen,
        WhistleblowerScreen,
    ):
        for hook in HOOKS:
            assert getattr(screen, hook) is not getattr(PagedListScreen, hook), (screen, hook)

    class Complete(PagedListScreen[int]):
        def page_query(self, offset):  # type: ignore[no-untyped-def]
            raise AssertionError

        def columns(self) -> list[tuple[str, int | None]]:
            return []

        def cells(self, row: int) -> dict[str, Text]:
            return {}

        def key_of(self, row: int) -> int:
            return row

    assert Complete.cells is not PagedListScreen.cells


def test_a_team_list_without_its_assign_target_is_refused_when_defined() -> None:
    """A list of a team's work (Mine / Ikke tildelt / Alle) also says what `t` assigns."""
    from tui.screens.paged_list import ScopedListScreen

    with pytest.raises(TypeError, match="Unassignable is a paged list without assign_target"):

        class Unassignable(ScopedListScreen[int]):
            def page_query(self, offset):  # type: ignore[no-untyped-def]
                raise AssertionError

            def columns(self) -> list[tuple[str, int | None]]:
                return []

            def cells(self, row: int) -> dict[str, Text]:
                return {}

            def key_of(self, row: int) -> int:
                return row


def test_a_picker_without_a_hook_is_refused_when_defined() -> None:
    """The case picker's and the search's base (tui/screens/dialogs.HitPicker) the same way."""
    from tui.screens.dialogs import HitPicker

    with pytest.raises(TypeError, match="Broken is a picker without hit_text"):

        class Broken(HitPicker):
            def lookup(self, query: str) -> None:
                raise AssertionError
