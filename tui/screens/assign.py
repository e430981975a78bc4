"""Assigning (t): the selected case or triage contacts to me, a colleague or nobody. The
store audits it; a refusal (an unknown person, a case changed meanwhile) is told in one
line by the app's failed-worker handler, and the screen reloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.i18n import t
from tui.messages import PeopleLoaded
from tui.safe import plain
from tui.screens.dialogs import Dialog

if TYPE_CHECKING:
    from tui.screens.base import DeskScreen

NOBODY = "\x00nobody"  # the dialog's answer for "nobody" (None is "cancelled")


@dataclass(frozen=True)
class AssignTarget:
    """What `t` assigns: a case (with the version it was read at, from the case view)
    or triage contacts."""

    kind: str  # "case" | "contact"
    ids: tuple[int, ...]
    current: str | None  # its assignee now (one target), for the dialog's mark
    version: int | None = None


class AssignDialog(Dialog):
    """Me first, then the colleagues, then nobody; the current assignee marked."""

    def __init__(self, people: tuple[str, ...], me: str, current: str | None) -> None:
        super().__init__()
        self.people, self.me, self.current = people, me, current

    def compose(self) -> ComposeResult:
        def mark(person: str | None) -> str:
            return "● " if person == self.current else "  "

        options = [
            Option(plain(mark(self.me) + t("assign.me", me=self.me), limit=80), id=f"p:{self.me}")
        ]
        options += [
            Option(plain(mark(p) + p, limit=80), id=f"p:{p}") for p in self.people if p != self.me
        ]
        options.append(Option(plain(mark(None) + t("assign.nobody"), limit=80), id=NOBODY))
        with Vertical(classes="dialog narrow"):
            yield Label(t("dlg.assign.title"), classes="dialog-title")
            yield OptionList(*options, id="people")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id or NOBODY
        self.dismiss(NOBODY if oid == NOBODY else oid.removeprefix("p:"))


def ask_assign(screen: DeskScreen, target: AssignTarget) -> None:
    """Load the team (a worker), then ask (`show_assign`, on PeopleLoaded)."""
    desk = screen.desk
    screen.load(lambda: PeopleLoaded(tuple(desk.people()), desk.me(), target), main=False)


def show_assign(screen: DeskScreen, msg: PeopleLoaded) -> None:
    target: AssignTarget = msg.target
    desk = screen.desk

    def chosen(answer: str | None) -> None:
        if answer is None:
            return
        person = None if answer == NOBODY else answer

        def run() -> Any:
            if target.kind == "case":
                return [desk.assign_case(target.ids[0], person, target.version)]
            return [desk.assign_contact(cid, person) for cid in target.ids]

        def done(changed: list[bool]) -> str:
            if not any(changed):
                return t("n.assign_same")
            return t("n.assigned", who=person) if person else t("n.unassigned")

        screen.command(run, done)

    screen.app.push_screen(AssignDialog(msg.people, msg.me, target.current), chosen)
