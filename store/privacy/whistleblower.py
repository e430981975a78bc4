"""The whistleblower register's visibility rule, in one place.

Whistleblower cases never appear in general lists, search, exports or default reports;
only when the caller asks for them (`--kind whistleblower`, the register's own screen).
Every list, search and export builds its WHERE clause from `kinds_for` and the clauses
here, so there is one rule and one place to test it.

The reporter's identity (`WhistleblowerReporter`) is optional and every identity field is
marked confidential in the model (`json_schema_extra={"confidential": True}`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, false, or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from store.cases import create_case
from store.errors import UserError
from store.models import (
    Case,
    CaseCreate,
    CaseKind,
    Contact,
    WhistleblowerReporter,
)

ALL_KINDS: tuple[str, ...] = tuple(k.value for k in CaseKind)
WHISTLEBLOWER = CaseKind.whistleblower.value
# What "no --kind given" means everywhere: every kind but whistleblower.
GENERAL_KINDS: tuple[str, ...] = tuple(k for k in ALL_KINDS if k != WHISTLEBLOWER)


def kinds_for(kind: str | None) -> tuple[str, ...]:
    """The case kinds a list/search/export shows for a `--kind` option value.

    None -> every kind except whistleblower; "all" -> every kind, whistleblower included
    (asked for explicitly); a kind -> just that kind.
    """
    if kind is None:
        return GENERAL_KINDS
    if kind == "all":
        return ALL_KINDS
    if kind in ALL_KINDS:
        return (kind,)
    raise UserError(
        f"--kind {kind!r} is not a case kind; choose one of: {', '.join(ALL_KINDS)}, all"
    )


def includes_whistleblower(kinds: tuple[str, ...]) -> bool:
    return WHISTLEBLOWER in kinds


def case_clause(kinds: tuple[str, ...]) -> ColumnElement[bool]:
    """WHERE clause for Case rows visible under `kinds`."""
    return col(Case.kind).in_(kinds)


def contact_clause(kinds: tuple[str, ...]) -> ColumnElement[bool]:
    """WHERE clause for Contact rows visible under `kinds`.

    A contact linked to a case is visible when its case is; an unlinked (triage) contact
    belongs to no kind and is visible in the general scopes, not in a whistleblower-only
    scope.
    """
    linked = col(Contact.case_id).in_(select(col(Case.id)).where(case_clause(kinds)))
    general = any(k != WHISTLEBLOWER for k in kinds)
    unlinked = col(Contact.case_id).is_(None) if general else false()
    return or_(unlinked, linked)


def party_hidden_clause(party_id_col: Any) -> ColumnElement[bool]:
    """WHERE clause true for parties known *only* through whistleblower cases: such a
    party must not show in general party lists or search (its existence would reveal a
    report). Use as `.where(~party_hidden_clause(col(Party.id)))` in general scopes."""
    wb_case = exists().where(col(Case.party_id) == party_id_col, col(Case.kind) == WHISTLEBLOWER)
    wb_contact = exists().where(
        col(Contact.party_id) == party_id_col,
        col(Contact.case_id).in_(select(col(Case.id)).where(col(Case.kind) == WHISTLEBLOWER)),
    )
    other_case = exists().where(col(Case.party_id) == party_id_col, col(Case.kind) != WHISTLEBLOWER)
    other_contact = exists().where(
        col(Contact.party_id) == party_id_col,
        or_(
            col(Contact.case_id).is_(None),
            col(Contact.case_id).in_(select(col(Case.id)).where(col(Case.kind) != WHISTLEBLOWER)),
        ),
    )
    return or_(wb_case, wb_contact) & ~other_case & ~other_contact


# --------------------------------------------------------------------------- reporter


def confidential_fields() -> tuple[str, ...]:
    """The reporter fields the UI must mask and no export may include."""
    return tuple(
        name
        for name, f in WhistleblowerReporter.model_fields.items()
        if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("confidential")
    )


def open_whistleblower_case(
    *,
    session: Session,
    case_in: CaseCreate,
    reporter: dict[str, str | None] | None = None,
) -> Case:
    """Open a whistleblower case (audited by create_case) with an optional reporter
    identity. Every identity field is optional: an anonymous report has none."""
    if case_in.kind != WHISTLEBLOWER:
        case_in = case_in.model_copy(update={"kind": WHISTLEBLOWER})
    case = create_case(session=session, case_in=case_in)
    assert case.id is not None
    values = {k: v for k, v in (reporter or {}).items() if v}
    unknown = set(values) - set(confidential_fields())
    if unknown:
        raise UserError(f"unknown reporter field(s) {sorted(unknown)}")
    session.add(
        WhistleblowerReporter(
            case_id=case.id,
            anonymous=not values,
            name=values.get("name"),
            email=values.get("email"),
            phone=values.get("phone"),
            address=values.get("address"),
            note=values.get("note"),
        )
    )
    session.flush()
    return case


def get_reporter(*, session: Session, case_id: int) -> WhistleblowerReporter | None:
    """The reporter of a whistleblower case: for the register's own screen only."""
    return session.scalars(
        select(WhistleblowerReporter).where(col(WhistleblowerReporter.case_id) == case_id)
    ).first()
