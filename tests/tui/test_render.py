"""Shared cell renderers: who a contact is from, in the UI's language when unknown."""

from __future__ import annotations

from store.desk.queries import _who
from tui import i18n
from tui.render import who_text


def test_a_hidden_number_is_named_as_such_not_as_a_question_mark() -> None:
    # The store says "nobody known"; the UI says it in its language.
    assert _who(None, None) == ""
    assert _who(None, "+4522334455") == "+4522334455" and _who("Knud", "+45") == "Knud"
    i18n.set_language("da")
    assert who_text("", "phone").plain == "skjult nummer"
    assert who_text("", "email").plain == "ukendt"
    i18n.set_language("en")
    try:
        assert who_text("", "phone").plain == "hidden number"
    finally:
        i18n.set_language("da")


def test_who_is_plain_text() -> None:
    shown = who_text("[bold]Knud[/] \x1b[2J", "email")
    assert shown.plain.startswith("[bold]Knud[/]") and "\x1b" not in shown.plain
    assert not shown.spans
