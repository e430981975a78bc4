"""The whistleblower register's facts, through the desk: read one case's facts, save
them with an audit entry in the same transaction (who changed what, when; the values
are about the case's handling, never about the reporter)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from store.audit import record
from store.desk.rows import WhistleblowerFactsRow
from store.errors import UserError
from store.models import WHISTLEBLOWER_OUTCOMES, Case, WhistleblowerFacts
from store.whistleblower_facts import set_whistleblower_facts

OUTCOMES = WHISTLEBLOWER_OUTCOMES  # for the UI, which reaches the store through store.desk


def read_facts(*, session: Session, case_id: int) -> WhistleblowerFactsRow:
    case = session.get(Case, case_id)
    if case is None or case.kind != "whistleblower":
        raise UserError(
            f"case {case_id}: no such whistleblower case", code="wb_case", case_id=case_id
        )
    f = session.execute(
        select(WhistleblowerFacts).where(col(WhistleblowerFacts.case_id) == case_id)
    ).scalar_one_or_none()
    if f is None:
        return WhistleblowerFactsRow(
            case_id=case_id, in_scope=None, forwarded=False, examined=False, outcome=None
        )
    return WhistleblowerFactsRow(
        case_id=case_id,
        in_scope=f.in_scope,
        forwarded=f.forwarded,
        examined=f.examined,
        outcome=f.outcome,
    )


def save_facts(*, session: Session, facts: WhistleblowerFactsRow) -> None:
    set_whistleblower_facts(
        session=session,
        case_id=facts.case_id,
        in_scope=facts.in_scope,
        forwarded=facts.forwarded,
        examined=facts.examined,
        outcome=facts.outcome,
    )
    case = session.get(Case, facts.case_id)
    record(
        session,
        action="set_whistleblower_facts",
        entity="case",
        entity_id=case.ref if case is not None else facts.case_id,
        detail={
            "in_scope": facts.in_scope,
            "forwarded": facts.forwarded,
            "examined": facts.examined,
            "outcome": facts.outcome,
        },
    )
    session.flush()
