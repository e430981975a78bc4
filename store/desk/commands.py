"""Changes the desk UI makes. Each takes a keyword-only session (the caller commits) and
goes through the store's own CRUD functions, so history and audit entries are written the
same way as from the CLI. Problems are `UserError`s with a one-line message."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlmodel import Session

from store.audit import actor, record
from store.cases import (
    CLASSIFICATION,
    CLASSIFICATION_FIELDS,
    CaseClosed,
    create_case,
    next_ref,
    problem_fields,
    update_case,
    validate_classification,
)
from store.config import Config
from store.contacts import add_contact, dismiss_contact, get_contact, link_contacts
from store.desk.rows import (
    Classification,
    ContactAdded,
    FileTo,
    IfClosed,
    LinkResult,
    NewCaseRequest,
    NewContactRequest,
)
from store.errors import UserError
from store.models import (
    Case,
    CaseCreate,
    CaseHistory,
    CaseKind,
    CaseNote,
    CaseUpdate,
    Channel,
    ContactCreate,
    Direction,
    Party,
    PartyCreate,
)
from store.parties import (
    add_address,
    check_party_kind,
    create_party,
    new_party,
    unknown_addresses,
)
from store.plaintext import typed_text
from store.timeutil import local_date, show

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


def link(
    *,
    session: Session,
    config: Config,
    contact_ids: Sequence[int],
    case_id: int,
    if_closed: IfClosed = IfClosed.ask,
    seen: Mapping[int, int | str] | None = None,
) -> LinkResult:
    """Link contacts to a case. The reply rules see the re-linked contacts (a
    whistleblower case owes different replies than a citizen case). A closed case is
    refused with `CaseClosed` unless `if_closed` says to reopen it or link anyway."""
    case = _case(session, case_id)
    reopened = False
    if case.closed_on is not None:
        if if_closed == IfClosed.ask:
            assert case.id is not None
            raise CaseClosed(case_id=case.id, ref=case.ref, closed_on=case.closed_on)
        if if_closed == IfClosed.reopen:
            update_case(session=session, case_id=case_id, changes=CaseUpdate(closed_on=None))
            reopened = True
    link_contacts(session=session, contact_ids=list(contact_ids), case_id=case_id, seen=seen)
    _apply_replies(session, config, list(contact_ids))
    return LinkResult(
        case_ref=case.ref,
        reopened=reopened,
        new_addresses=unknown_addresses(
            session=session, contact_ids=contact_ids, party_id=case.party_id
        ),
    )


def _check_choice(value: str, allowed: type[enum.StrEnum], what: str, code: str) -> None:
    names = [m.value for m in allowed]
    if value not in names:
        raise UserError(
            f"{what} {value!r}: use one of {', '.join(names)}",
            code=code,
            value=value,
            allowed=", ".join(names),
        )


def new_case(
    *, session: Session, config: Config, today: dt.date, request: NewCaseRequest
) -> tuple[int, str]:
    """Open a case, creating the party from the first contact's address or number when
    there is none, and link the contacts. Returns (case id, ref).

    The case opens on `request.opened_on`, else on the Copenhagen date of the earliest
    contact linked (the day the matter began: December's mail triaged in January is
    December's case, as its contacts are December's), else `today`."""
    r = request
    _check_choice(r.kind, CaseKind, "case kind", "case_kind")
    check_party_kind(r.party_kind)
    if r.kind == CaseKind.whistleblower.value and not config.ui.whistleblower_register:
        raise UserError(
            "whistleblower cases are off; set [ui] whistleblower_register = true", code="wb_off"
        )
    contacts = [get_contact(session=session, contact_id=cid) for cid in r.contact_ids]
    opened_on = r.opened_on or min((c.occurred_on for c in contacts), default=today)
    values = {"department": r.department, "category": r.category}
    problems = validate_classification(config.taxonomy, values, opened_on=opened_on)
    if problems:
        raise problems[0].error()
    party_id = r.party_id
    if party_id is not None and session.get(Party, party_id) is None:
        raise UserError(f"no party with id {party_id}", code="no_party", party_id=party_id)
    if party_id is None:
        party_id = next((c.party_id for c in contacts if c.party_id), None)
    party_name = typed_text(r.party_name or "", "the party's name") or None
    if party_id is None and (party_name or any(c.counterpart for c in contacts)):
        party = create_party(
            session=session, party_in=PartyCreate(name=party_name, kind=r.party_kind)
        )
        party_id = party.id
        assert party_id is not None
        for c in contacts:
            if c.counterpart:
                add_address(session=session, party_id=party_id, raw=c.counterpart)
        session.flush()
    elif party_id is not None and party_name:
        p = session.get(Party, party_id)
        if p is not None and not p.name:
            p.name = party_name
            session.add(p)
    ref = next_ref(session=session, year=opened_on.year)
    case = create_case(
        session=session,
        case_in=CaseCreate(
            ref=ref,
            title=typed_text(r.title or "", "the case title") or None,
            kind=r.kind,
            department=r.department,
            category=r.category,
            opened_on=opened_on,
            party_id=party_id,
        ),
    )
    assert case.id is not None
    record(
        session,
        action="create_case",
        entity="case",
        entity_id=ref,
        detail={"contacts": list(r.contact_ids), "opened_on": opened_on},
    )
    if r.contact_ids:
        link_contacts(session=session, contact_ids=list(r.contact_ids), case_id=case.id)
        _apply_replies(session, config, list(r.contact_ids))
    return case.id, ref


def dismiss(*, session: Session, config: Config, contact_ids: Sequence[int], reason: str) -> None:
    reason = typed_text(reason, "the reason", lines=True)
    if not reason:
        raise UserError("give a reason for 'not a case'", code="reason_not_case")
    for cid in contact_ids:
        dismiss_contact(session=session, contact_id=cid, reason=reason)
    # Its open reply targets drop: nobody owes a reply to "not a case".
    _apply_replies(session, config, list(contact_ids))


# How far a typed-in contact's time may lie after the desk's clock: clocks (this PC's,
# a phone system's, a wall clock) disagree by a little.
CLOCK_SKEW = dt.timedelta(minutes=5)


def register_contact(
    *,
    session: Session,
    config: Config,
    today: dt.date,
    request: NewContactRequest,
    if_closed: IfClosed = IfClosed.ask,
    tag: str | None = None,
    now: dt.datetime | None = None,
) -> ContactAdded:
    """Register a contact typed in by the advisor (a walk-in, a home visit, a letter, a
    call no export holds), with an existing or a new party, and file it into a case, a
    new case or triage. Its reply targets are created as for any contact.

    A contact is something that happened: a time after `now` (a typo: 2062 for 2026)
    would be counted in a future year's figures to the council and owe a reply from
    then, so it is refused."""
    r = request
    _check_choice(r.channel, Channel, "channel", "channel")
    _check_choice(r.direction, Direction, "direction", "direction")
    if r.occurred_at.tzinfo is None:
        raise UserError(
            "the contact's time has no time zone",
            code="bad_moment",
            field="occurred_at",
            value=str(r.occurred_at),
        )
    if now is not None and r.occurred_at > now + CLOCK_SKEW:
        when = show(r.occurred_at, "%d-%m-%Y %H:%M")
        raise UserError(
            f"the contact's time {when} (Copenhagen time) is in the future; give when it happened",
            code="contact_in_future",
            when=when,
        )
    if r.party_id is not None and r.new_party is not None:
        raise UserError("give an existing party or a new one, not both", code="party_twice")
    party_id = r.party_id
    if party_id is not None and session.get(Party, party_id) is None:
        raise UserError(f"no party with id {party_id}", code="no_party", party_id=party_id)
    if r.new_party is not None:
        np = r.new_party
        party_id = new_party(
            session=session, name=np.name, kind=np.kind, emails=np.emails, phones=np.phones
        )
    case: Case | None = None
    if r.file_to == FileTo.case:
        if r.case_id is None:
            raise UserError("say which case to file the contact in", code="no_case_given")
        case = _case(session, r.case_id)
    elif r.file_to == FileTo.new_case and r.new_case is None:
        raise UserError("the new case's fields are missing", code="no_case_given")
    summary = typed_text(r.summary or "", "the summary", lines=True) or None
    contact = add_contact(
        session=session,
        contact_in=ContactCreate(
            channel=r.channel,
            direction=r.direction,
            occurred_at=r.occurred_at,
            summary=summary,
            party_id=party_id,
            source_ref=f"manual:{tag or r.channel}:{uuid.uuid4()}",
        ),
        auto_link=False,
    )
    assert contact.id is not None
    case_id: int | None = None
    ref: str | None = None
    if case is not None and case.id is not None:
        ref = link(
            session=session,
            config=config,
            contact_ids=[contact.id],
            case_id=case.id,
            if_closed=if_closed,
        ).case_ref
        case_id = case.id
    elif r.new_case is not None and r.file_to == FileTo.new_case:
        case_id, ref = new_case(
            session=session,
            config=config,
            today=today,
            request=replace(r.new_case, contact_ids=(contact.id,), party_id=party_id),
        )
    else:
        _apply_replies(session, config, [contact.id])
    record(
        session,
        action="add_contact",
        entity="contact",
        entity_id=contact.id,
        detail={"case": ref, "channel": r.channel, "direction": r.direction},
    )
    return ContactAdded(contact_id=contact.id, case_id=case_id, case_ref=ref, party_id=party_id)


def add_manual_contact(
    *,
    session: Session,
    config: Config,
    case_id: int,
    kind: str,
    text: str,
    at: dt.datetime,
    direction: str = Direction.inbound.value,
    now: dt.datetime | None = None,
) -> int:
    """A call, walk-in, meeting, home visit or letter typed in inside a case (not after
    `now`, see register_contact)."""
    if kind not in MANUAL_KINDS:
        raise UserError(
            f"unknown contact kind {kind!r}; choose one of {sorted(MANUAL_KINDS)}",
            code="contact_kind",
            kind=kind,
            kinds=", ".join(sorted(MANUAL_KINDS)),
        )
    case = _case(session, case_id)
    channel, tag = MANUAL_KINDS[kind]
    # Typing in what happened on a closed case is record keeping, not a new link: the
    # case stays closed.
    return register_contact(
        session=session,
        config=config,
        today=local_date(at),
        request=NewContactRequest(
            channel=channel,
            occurred_at=at,
            direction=direction,
            summary=text,
            party_id=case.party_id,
            file_to=FileTo.case,
            case_id=case_id,
        ),
        if_closed=IfClosed.link,
        tag=tag,
        now=now,
    ).contact_id


def add_note(*, session: Session, case_id: int, text: str) -> None:
    text = typed_text(text, "the note", lines=True)
    if not text:
        raise UserError("the note is empty", code="note_empty")
    _case(session, case_id)
    session.add(CaseNote(case_id=case_id, os_user=actor(session), text=text))
    record(session, action="add_note", entity="case", entity_id=case_id)
    session.flush()


def classify(
    *, session: Session, config: Config, case_id: int, field: str, value: str | None
) -> None:
    """Set one classification field, validated against the taxonomy; kept in history.
    Changing the action clears an outcome that belonged to the old one."""
    case = _case(session, case_id)
    values = {f: getattr(case, f) for f in CLASSIFICATION_FIELDS}
    values[field] = value
    if field == "action" and value != case.action:
        values["outcome"] = None
    problems = validate_classification(config.taxonomy, values, opened_on=case.opened_on)
    # Only problems about this field: the case may have older ones the advisor did not
    # touch now (a department since retired).
    mine = [p for p in problems if field in problem_fields(p)]
    if mine:
        raise mine[0].error()
    changes: dict[str, str | None] = {field: value}
    if field == "action" and value != case.action and case.outcome is not None:
        changes["outcome"] = None
    update_case(session=session, case_id=case_id, changes=CaseUpdate(**changes))  # type: ignore[arg-type]


def set_classification(
    *, session: Session, config: Config, case_id: int, new: Classification
) -> bool:
    """Set category, action and outcome together: validated together (an outcome is
    checked against the new action, the action against the new category), written as
    one history entry and one audit entry. Returns whether anything changed."""
    case = _case(session, case_id)
    values = {f: getattr(case, f) for f in CLASSIFICATION_FIELDS}
    wanted = {"category": new.category, "action": new.action, "outcome": new.outcome}
    values.update(wanted)
    problems = validate_classification(config.taxonomy, values, opened_on=case.opened_on)
    mine = [p for p in problems if problem_fields(p) & set(wanted)]
    if mine:
        raise mine[0].error()
    changes = [(f, getattr(case, f), v) for f, v in wanted.items() if getattr(case, f) != v]
    if not changes:
        return False
    for f, _old, v in changes:
        setattr(case, f, v)
    case.version += 1  # an edit, as update_case counts them (store.concurrency)
    session.add(case)
    session.add(
        CaseHistory(
            case_id=case_id,
            os_user=actor(session),
            field=CLASSIFICATION,
            old_value="; ".join(f"{f}={'' if o is None else o}" for f, o, _n in changes),
            new_value="; ".join(f"{f}={'' if n is None else n}" for f, _o, n in changes),
        )
    )
    record(
        session, action="classify", entity="case", entity_id=case.ref, detail={"changes": changes}
    )
    session.flush()
    return True


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    return case


def outcomes_for(config: Config, case: Case) -> tuple[str, ...]:
    """The outcomes the taxonomy allows after the case's action (empty: the action has
    none, or no action is set)."""
    for a in config.taxonomy.actions:
        if a.name == case.action:
            return tuple(a.outcomes)
    return ()


def set_closed(
    *,
    session: Session,
    config: Config,
    case_id: int,
    closed_on: dt.date | None,
    outcome: str | None = None,
) -> None:
    """Close (closed_on a date) or reopen (None) a case. Closing may set the outcome in
    the same step; it must be one the case's action allows."""
    case = _case(session, case_id)
    changes = CaseUpdate(closed_on=closed_on)
    if outcome is not None:
        allowed = outcomes_for(config, case)
        if outcome not in allowed:
            raise UserError(
                f"outcome {outcome!r} is not allowed after action {case.action!r}",
                code="outcome_not_allowed",
                outcome=outcome,
                action=case.action,
            )
        changes = CaseUpdate(closed_on=closed_on, outcome=outcome)
    update_case(session=session, case_id=case_id, changes=changes)


def toggle_complain(*, session: Session, case_id: int) -> bool:
    case = _case(session, case_id)
    new = not case.wanted_to_complain
    update_case(session=session, case_id=case_id, changes=CaseUpdate(wanted_to_complain=new))
    return new


def set_excluded(
    *, session: Session, case_id: int, excluded: bool, reason: str | None = None
) -> None:
    reason = typed_text(reason or "", "the reason", lines=True)
    if excluded and not reason:
        raise UserError(
            "give a reason for excluding the case from the statistics", code="reason_exclude"
        )
    update_case(
        session=session,
        case_id=case_id,
        changes=CaseUpdate(
            excluded=excluded, excluded_reason=(reason or None) if excluded else None
        ),
    )


def audit_view(*, session: Session, what: str, entity_id: str | int | None = None) -> None:
    """Reading the whistleblower register is itself audited."""
    record(session, action="view", entity=what, entity_id=entity_id)


def today_of(now: dt.datetime) -> dt.date:
    return local_date(now)
