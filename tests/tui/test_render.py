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


def test_chart_labels_say_when_they_are_cut_and_stay_plain() -> None:
    from rich.cells import cell_len

    from store.desk.stats import StatsTable
    from tui.screens.stats import chart

    st = StatsTable(title="t", unit="u", grid=(), total=22, triage_waiting=0, row_totals=(
        ("Erhverv, Teknik og Kultur", 15), ("Andet", 7), ("[red]x[/] \x1b[2J", 0)))
    lines = chart(st).plain.splitlines()
    assert lines[0].startswith("Erhverv, Teknik og Kult… █")
    assert lines[1].startswith("Andet" + " " * 19 + " █")
    assert lines[2].startswith("[red]x[/] ␛[2J") and "\x1b" not in lines[2]
    # Every bar starts in the same terminal column.
    assert len({cell_len(line.split(" █")[0].split(" ▏")[0]) for line in lines[:2]}) == 1
