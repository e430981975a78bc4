"""No lost edits: an edit names the version it was based on, and a contact is claimed
by the triage action that takes it.

The row is locked for the rest of the transaction (`SELECT … FOR UPDATE` on PostgreSQL;
on SQLite `write_scope` already holds the database's write lock), then checked, so of
two desks that edit at once exactly one goes first and the other sees its change. The
refusal names who changed it, when and what, from the audit log, and carries them as
params so the desk can say it in Danish (`tui.i18n.error_text`).
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import Session, col

from store.errors import UserError
from store.models import AuditLog, Case, Contact, Party
from store.timeutil import CPH


class StaleEdit(UserError):
    """Someone changed the row after the caller read it: reload and redo the change."""


class ContactTaken(UserError):
    """Another desk linked, moved or dismissed the contact first."""


def last_change(session: Session, entity: str, entity_id: str) -> tuple[str, str, str]:
    """(who, when in Copenhagen time, what) of the newest audit entry about the row."""
    row = session.execute(
        select(AuditLog)
        .where(
            col(AuditLog.entity) == entity,
            col(AuditLog.entity_id) == entity_id,
            col(AuditLog.action) != "compartment.read",
        )
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return "?", "?", "?"
    what = row.action
    detail = json.loads(row.detail) if row.detail else {}
    if isinstance(detail, dict) and detail.get("field"):
        what = f"{row.action} {detail['field']}"
    elif isinstance(detail, dict) and detail.get("case"):
        what = f"{row.action} {detail['case']}"
    when = row.at.astimezone(CPH).strftime("%Y-%m-%d %H:%M:%S")
    return row.os_user, when, what


def lock_case(session: Session, case_id: int, version: int | None) -> Case | None:
    """The case, locked; `StaleEdit` when `version` is given and is not the current one."""
    case = session.get(Case, case_id, with_for_update=True, populate_existing=True)
    if case is not None and version is not None and case.version != version:
        who, when, what = last_change(session, "case", case.ref)
        raise StaleEdit(
            f"case {case.ref} was changed by {who} at {when} ({what}) after you opened it; "
            "nothing was saved; reload it and make your change again",
            code="stale_case",
            ref=case.ref,
            who=who,
            when=when,
            what=what,
        )
    return case


def lock_party(session: Session, party_id: int, version: int | None) -> Party | None:
    party = session.get(Party, party_id, with_for_update=True, populate_existing=True)
    if party is not None and version is not None and party.version != version:
        who, when, what = last_change(session, "party", str(party_id))
        raise StaleEdit(
            f"party {party_id} was changed by {who} at {when} ({what}) after you opened it; "
            "nothing was saved; reload it and make your change again",
            code="stale_party",
            party_id=party_id,
            who=who,
            when=when,
            what=what,
        )
    return party


TRIAGE = "triage"  # `seen` value: the contact was waiting in triage


def claim_contact(session: Session, contact_id: int, seen: int | str | None) -> Contact | None:
    """The contact, locked, when it is still where the caller saw it: `seen` is the case
    id it was linked to, or TRIAGE; None claims it wherever it is (no check).
    `ContactTaken` names who took it."""
    contact = session.get(Contact, contact_id, with_for_update=True, populate_existing=True)
    if contact is None or seen is None:
        return contact
    in_triage = contact.case_id is None and not contact.dismissed
    if (seen == TRIAGE and in_triage) or (
        seen != TRIAGE and contact.case_id == seen and not contact.dismissed
    ):
        return contact
    who, when, what = last_change(session, "contact", str(contact_id))
    raise ContactTaken(
        f"contact {contact_id} was taken by {who} at {when} ({what}); nothing was saved; "
        "reload the list",
        code="contact_taken",
        contact_id=contact_id,
        who=who,
        when=when,
        what=what,
    )
