"""Text a person types (a summary, a note, a reason, a party's name) goes through one
check, `store.plaintext.typed_text`: a control character is refused with one line naming
the field, before anything is written. On PostgreSQL a NUL used to end in the driver's
error (a traceback in the CLI); SQLite stored it. Runs on both (CI's PostgreSQL pass)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from store.config import Config
from store.desk import Desk
from store.desk.rows import NewContactRequest, NewParty, PartyEdit
from store.errors import UserError
from store.models import AuditLog, Case, CaseNote, Contact, Party, ReplyTarget
from store.plaintext import typed_text

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def desk(engine: Engine, odsherred_config: Config) -> Desk:
    return Desk(engine, odsherred_config, clock=lambda: NOW)


def _rows(engine: Engine) -> tuple[int, ...]:
    with Session(engine) as s:
        return tuple(
            int(s.exec(select(func.count()).select_from(m)).one())
            for m in (Contact, Case, CaseNote, Party, AuditLog, ReplyTarget)
        )


def _contact(desk: Desk, summary: str = "Henvendelse") -> int:
    return desk.add_contact(
        NewContactRequest(channel="meeting", occurred_at=NOW, summary=summary)
    ).contact_id


def test_the_one_check() -> None:
    assert typed_text("  Åben rådgivning\n", "the summary") == "Åben rådgivning"
    assert typed_text("linje 1\n\tlinje 2\r\n", "the note", lines=True) == "linje 1\n\tlinje 2"
    with pytest.raises(
        UserError,
        match=r"^the summary: contains a control character "
        r"\(U\+0000\) at position 2; remove it",
    ):
        typed_text("a\x00b", "the summary", lines=True)
    with pytest.raises(UserError, match=r"\(U\+000A\) at position 2 \(it must be one line\)"):
        typed_text("a\nb", "the party's name")
    for bad in ("\x1b[31m", "\x07", "\x7f", "\x0b", "\udcff"):
        with pytest.raises(UserError):
            typed_text(f"x{bad}y", "the note", lines=True)


BAD = "Borger ringede\x00 om\x1b[2J sagen"

ACTIONS: dict[str, tuple[str, Callable[[Desk, int], object]]] = {
    "contact summary": ("the summary", lambda d, _c: _contact(d, BAD)),
    "new party's name": (
        "the party's name",
        lambda d, _c: d.add_contact(
            NewContactRequest(
                channel="letter", occurred_at=NOW, new_party=NewParty(name="Karen\x00 Holm")
            )
        ),
    ),
    "dismiss reason": ("the reason", lambda d, c: d.dismiss([c], BAD)),
    "waive reason": (
        "the reason",
        lambda d, c: d.waive([t.target_id for t in d.followups().rows if t.contact_id == c], BAD),
    ),
    "party edit": (
        "the party's name",
        lambda d, c: d.edit_party(
            _party_of(d, c), PartyEdit(name="Ny\x00navn", kind="citizen", emails=(), phones=())
        ),
    ),
}


def _party_of(desk: Desk, contact_id: int) -> int:
    with Session(desk.engine) as s:
        c = s.get(Contact, contact_id)
        assert c is not None and c.party_id is not None
        return c.party_id


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_control_character_is_refused_in_one_line_and_nothing_is_written(
    desk: Desk, engine: Engine, action: str
) -> None:
    c = desk.add_contact(
        NewContactRequest(
            channel="email",
            occurred_at=NOW,
            summary="Spørgsmål",
            new_party=NewParty(name="Hanne Hansen", emails=("hanne@example.dk",)),
        )
    ).contact_id
    before = _rows(engine)
    field, act = ACTIONS[action]
    with pytest.raises(UserError) as err:
        act(desk, c)
    line = str(err.value)
    assert line.startswith(f"{field}: contains a control character (U+0000)"), line
    assert "\n" not in line and "remove it and type the text again" in line
    assert _rows(engine) == before


def test_note_and_excluded_reason_are_checked_too(desk: Desk, engine: Engine) -> None:
    from store.desk.rows import NewCaseRequest

    case_id, _ref = desk.new_case(
        NewCaseRequest(
            contact_ids=(_contact(desk),),
            kind="citizen",
            department="Andet",
            category=None,
            title="Sag",
        )
    )
    before = _rows(engine)
    with pytest.raises(UserError, match=r"^the note: contains a control character"):
        desk.add_note(case_id, "note\x00")
    with pytest.raises(UserError, match=r"^the reason: contains a control character"):
        desk.set_excluded(case_id, True, "test\x00")
    with pytest.raises(UserError, match=r"^the case title: contains a control character"):
        desk.new_case(
            NewCaseRequest(
                contact_ids=(), kind="citizen", department="Andet", category=None, title="Sag\tX"
            )
        )
    assert _rows(engine) == before
    # Tabs and line breaks in a field of several lines are kept.
    desk.add_note(case_id, "Første linje\n\tanden linje")
    with Session(engine) as s:
        assert s.exec(select(CaseNote.text)).all() == ["Første linje\n\tanden linje"]
