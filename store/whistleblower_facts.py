"""Facts of a whistleblower case that the annual report counts: within the scheme's
scope, forwarded to another body, examined, outcome. Editable in the whistleblower
register; never anything about the reporter."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from store.errors import UserError
from store.models import WHISTLEBLOWER_OUTCOMES, Case, WhistleblowerFacts


def set_whistleblower_facts(
    *,
    session: Session,
    case_id: int,
    in_scope: bool | None,
    forwarded: bool,
    examined: bool,
    outcome: str | None,
) -> WhistleblowerFacts:
    """Set (replace) the facts of one whistleblower case."""
    case = session.get(Case, case_id)
    if case is None or case.kind != "whistleblower":
        raise UserError(
            f"case {case_id}: no such whistleblower case", code="wb_case", case_id=case_id
        )
    if outcome is not None and outcome not in WHISTLEBLOWER_OUTCOMES:
        raise UserError(
            f"outcome {outcome!r}: use one of {', '.join(WHISTLEBLOWER_OUTCOMES)}",
            code="wb_outcome",
            outcome=outcome,
        )
    facts = session.execute(
        select(WhistleblowerFacts).where(col(WhistleblowerFacts.case_id) == case_id)
    ).scalar_one_or_none() or WhistleblowerFacts(case_id=case_id)
    facts.in_scope, facts.forwarded, facts.examined, facts.outcome = (
        in_scope,
        forwarded,
        examined,
        outcome,
    )
    session.add(facts)
    session.flush()
    return facts
