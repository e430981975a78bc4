"""Changes the desk UI makes. Each takes a keyword-only session (the caller commits) and
goes through the store's own CRUD functions, so history and audit entries are written the
same way as from the CLI. Problems are `UserError`s with a one-line message."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlmodel import Session

from store.audit import os_user, record
from store.cases import (
    CLASSIFICATION_FIELDS,
    create_case,
    next_ref,
    update_case,
    validate_classification,
)
from store.config import Config
from store.contacts import add_contact, dismiss_contact, link_contacts
from store.errors import UserError
from store.models import (
    Case,
    CaseCreate,
    CaseKind,
    CaseNote,
    CaseUpdate,
    Channel,
    Contact,
    ContactCreate,
    Direction,
    PartyCreate,
)
from store.parties import add_address, create_party
from store.timeutil import local_date

# Manual contact kinds: the key the UI offers -> (channel, source tag).
MANUAL_KINDS: dict[str, tuple[str, str]] = {
    "call": (Channel.phone.value, "call"),
    "walk_in": (Channel.meeting.value, "walk_in"),
    "meeting": (Channel.meeting.value, "meeting"),
    "home_visit": (Channel.home_visit.value, "home_visit"),
    "letter": (Channel.letter.value, "letter"),
}


def _apply_replies(session: Session, config: Config, contact_ids: list[int]) -> None:
    """Let the reply rules see new contacts in the same transaction (targets owed, targets
    met by an outbound contact)."""
    from store.replies import apply_contacts

    apply_contacts(session=session, config=config, contact_ids=contact_ids)


def link(*, session: Session, config: Config, contact_ids: Sequence[int], case_id: int) -> str:
    """Link contacts to a case; returns the case ref. The reply rules see the re-linked
    contacts (a whistleblower case owes different replies than a citizen case)."""
    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    try:
        link_contacts(session=session, contact_ids=list(contact_ids), case_id=case_id)
    except LookupError as e:
        raise UserError(str(e), code="contact_gone") from None
    _apply_replies(session, config, list(contact_ids))
    return case.ref


def new_case(
    *,
    session: Session,
    config: Config,
    today: dt.date,
    contact_ids: Sequence[int] = (),
    party_id: int | None = None,
    party_name: str | None = None,
    party_kind: str = "citizen",
    title: str | None = None,
    department: str | None = None,
    category: str | None = None,
    kind: str = CaseKind.citizen.value,
) -> tuple[int, str]:
    """Open a case, creating the party from the first contact's address or number when
    there is none, and link the contacts. Returns (case id, ref)."""
    if kind == CaseKind.whistleblower.value and not config.ui.whistleblower_register:
        raise UserError("whistleblower cases are off; set [ui] whistleblower_register = true",
                        code="wb_off")
    values = {"department": department, "category": category}
    problems = validate_classification(config.taxonomy, values, opened_on=today)
    if problems:
        raise problems[0].error()
    contacts = [session.get(Contact, cid) for cid in contact_ids]
    if any(c is None for c in contacts):
        raise UserError("a contact to link no longer exists; refresh the list",
                        code="contact_gone")
    if party_id is None:
        party_id = next((c.party_id for c in contacts if c and c.party_id), None)
    if party_id is None and (party_name or any(c and c.counterpart for c in contacts)):
        party = create_party(session=session, party_in=PartyCreate(
            name=(party_name or "").strip() or None, kind=party_kind))
        party_id = party.id
        assert party_id is not None
        for c in contacts:
            if c is not None and c.counterpart:
                add_address(session=session, party_id=party_id, raw=c.counterpart)
        session.flush()
    elif party_id is not None and party_name:
        from store.models import Party

        p = session.get(Party, party_id)
        if p is not None and not p.name:
            p.name = party_name.strip()
            session.add(p)
    ref = next_ref(session=session, year=today.year)
    case = create_case(session=session, case_in=CaseCreate(
        ref=ref, title=(title or "").strip() or None, kind=kind, department=department,
        category=category, opened_on=today, party_id=party_id,
    ))
    assert case.id is not None
    record(session, action="create_case", entity="case", entity_id=ref,
           detail={"contacts": list(contact_ids)})
    if contact_ids:
        link_contacts(session=session, contact_ids=list(contact_ids), case_id=case.id)
        _apply_replies(session, config, list(contact_ids))
    return case.id, ref


def dismiss(*, session: Session, contact_ids: Sequence[int], reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise UserError("give a reason for 'not a case'", code="reason_not_case")
    for cid in contact_ids:
        try:
            dismiss_contact(session=session, contact_id=cid, reason=reason)
        except LookupError as e:
            raise UserError(str(e), code="contact_gone") from None


def add_manual_contact(
    *,
    session: Session,
    config: Config,
    case_id: int,
    kind: str,
    text: str,
    at: dt.datetime,
    direction: str = Direction.inbound.value,
) -> int:
    """A call, walk-in, meeting, home visit or letter typed in by the advisor."""
    if kind not in MANUAL_KINDS:
        raise UserError(f"unknown contact kind {kind!r}; choose one of {sorted(MANUAL_KINDS)}",
                        code="contact_kind", kind=kind, kinds=", ".join(sorted(MANUAL_KINDS)))
    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    channel, tag = MANUAL_KINDS[kind]
    contact = add_contact(session=session, contact_in=ContactCreate(
        channel=channel, direction=direction, occurred_at=at, summary=text.strip() or None,
        case_id=case_id, party_id=case.party_id, source_ref=f"manual:{tag}:{uuid.uuid4()}",
    ), auto_link=False)
    assert contact.id is not None
    record(session, action="add_contact", entity="contact", entity_id=contact.id,
           detail={"case": case.ref, "kind": kind, "direction": direction})
    _apply_replies(session, config, [contact.id])
    return contact.id


def add_note(*, session: Session, case_id: int, text: str) -> None:
    if not text.strip():
        raise UserError("the note is empty", code="note_empty")
    if session.get(Case, case_id) is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    session.add(CaseNote(case_id=case_id, os_user=os_user(), text=text.strip()))
    record(session, action="add_note", entity="case", entity_id=case_id)
    session.flush()


def classify(*, session: Session, config: Config, case_id: int, field: str,
             value: str | None) -> None:
    """Set one classification field, validated against the taxonomy; kept in history."""
    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    values = {f: getattr(case, f) for f in CLASSIFICATION_FIELDS}
    values[field] = value
    if field == "action" and value != case.action:
        values["outcome"] = None
    problems = validate_classification(config.taxonomy, values, opened_on=case.opened_on)
    mine = [p for p in problems if p.startswith(field) or field in p]
    if mine:
        raise mine[0].error()
    changes: dict[str, str | None] = {field: value}
    if field == "action" and value != case.action and case.outcome is not None:
        changes["outcome"] = None
    update_case(session=session, case_id=case_id, changes=CaseUpdate(**changes))  # type: ignore[arg-type]


def set_closed(*, session: Session, case_id: int, closed_on: dt.date | None) -> None:
    update_case(session=session, case_id=case_id, changes=CaseUpdate(closed_on=closed_on))


def toggle_complain(*, session: Session, case_id: int) -> bool:
    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    new = not case.wanted_to_complain
    update_case(session=session, case_id=case_id, changes=CaseUpdate(wanted_to_complain=new))
    return new


def set_excluded(*, session: Session, case_id: int, excluded: bool,
                 reason: str | None = None) -> None:
    if excluded and not (reason or "").strip():
        raise UserError("give a reason for excluding the case from the statistics",
                        code="reason_exclude")
    update_case(session=session, case_id=case_id, changes=CaseUpdate(
        excluded=excluded, excluded_reason=(reason or "").strip() or None if excluded else None))


def audit_view(*, session: Session, what: str, entity_id: str | int | None = None) -> None:
    """Reading the whistleblower register is itself audited."""
    record(session, action="view", entity=what, entity_id=entity_id)


def today_of(now: dt.datetime) -> dt.date:
    return local_date(now)
