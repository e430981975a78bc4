"""Shared cell renderers: who a contact is from, in the UI's language when unknown."""

from __future__ import annotations

from store.desk.first_page import who as _who
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

    st = StatsTable(
        title="t",
        unit="u",
        grid=(),
        total=22,
        triage_waiting=0,
        row_totals=(("Erhverv, Teknik og Kultur", 15), ("Andet", 7), ("[red]x[/] \x1b[2J", 0)),
    )
    lines = chart(st).plain.splitlines()
    assert lines[0].startswith("Erhverv, Teknik og Kult… █")
    assert lines[1].startswith("Andet" + " " * 19 + " █")
    assert lines[2].startswith("[red]x[/] ␛[2J") and "\x1b" not in lines[2]
    # Every bar starts in the same terminal column.
    assert len({cell_len(line.split(" █")[0].split(" ▏")[0]) for line in lines[:2]}) == 1


def test_header_names_the_year_of_a_last_sync_long_ago() -> None:
    """A source last synced in March, seen in November, must not read as this week's."""
    import datetime as dt

    from store.desk.rows import Status
    from store.source_health import SourceHealth
    from tui.widgets.statusbar import render_status

    synced = dt.datetime(2026, 3, 10, 9, 55, tzinfo=dt.UTC)
    status = Status(
        sources=(SourceHealth("imap", "raadgiver", "INBOX", synced, None, 0),),
        open_alerts=0,
        triage=0,
    )
    soon = render_status("Indbakke", status, demo=False, now=synced + dt.timedelta(hours=3))
    late = render_status(
        "Indbakke", status, demo=False, now=dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC)
    )
    assert "10/03 10:55" in soon.plain  # Copenhagen time
    assert "10/03/2026" in late.plain and "10/03 10:55" not in late.plain


def test_a_late_answer_does_not_look_like_one_in_time_where_only_the_mark_shows() -> None:
    import datetime as dt

    from store.desk.rows import ReplyDue
    from tui.render import reply_text

    due = dt.datetime(2026, 11, 16, 15, 24, tzinfo=dt.UTC)

    def due_text(status: str, *, wide: bool) -> str:
        reply = ReplyDue(target_id=1, rule="dag-til-dag", status=status, due_at=due)
        return reply_text(reply, wide=wide).plain

    assert due_text("met", wide=False) != due_text("met_late", wide=False)
    assert len(due_text("met_late", wide=False)) <= 14  # the narrow due column
    assert len(due_text("met_late", wide=True)) <= 25  # the wide one
