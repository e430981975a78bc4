"""Cases: creation, classification edits with history, close and reopen."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from store.audit import actor, record
from store.classification import CLASSIFICATION_FIELDS as CLASSIFICATION_FIELDS
from store.concurrency import lock_case
from store.config.taxonomy import Taxonomy
from store.errors import Problem, UserError
from store.models import Case, CaseCreate, CaseHistory, CaseKind, CaseUpdate

# The history field of a change made by one classification dialog (several fields at
# once; old and new values as "category=…; action=…").
CLASSIFICATION = "classification"
# History entries that are events rather than field changes, so the case's history shows
# how its contacts and party came to be (values are contact ids, case refs, party ids:
# nothing personal, so they outlive a purge or an erasure):
#   linked     new = contact id
#   moved_in   old = the case ref it came from, new = contact id
#   moved_out  old = contact id, new = the case ref it went to
#   unlinked   old = contact id
#   party_merged  old = the party merged away, new = the party kept
LINKED, MOVED_IN, MOVED_OUT, UNLINKED, PARTY_MERGED = (
    "linked",
    "moved_in",
    "moved_out",
    "unlinked",
    "party_merged",
)


def note_event(
    session: Session, *, case_id: int, event: str, old: object = None, new: object = None
) -> None:
    """Add an event to a case's history (in the caller's transaction)."""
    session.add(
        CaseHistory(
            case_id=case_id,
            os_user=actor(session),
            field=event,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
        )
    )


def note_move(session: Session, *, contact_id: int, old: Case | None, new: Case) -> None:
    """A contact entered `new` (from `old`, or from triage): both cases' histories say so."""
    assert new.id is not None
    if old is None or old.id is None:
        note_event(session, case_id=new.id, event=LINKED, new=contact_id)
        return
    # A whistleblower case's ref stays out of other cases' histories (the register is
    # kept apart from the general views).
    wb = CaseKind.whistleblower.value
    note_event(
        session,
        case_id=old.id,
        event=MOVED_OUT,
        old=contact_id,
        new=None if new.kind == wb and old.kind != wb else new.ref,
    )
    note_event(
        session,
        case_id=new.id,
        event=MOVED_IN,
        new=contact_id,
        old=None if old.kind == wb and new.kind != wb else old.ref,
    )


class CaseClosed(UserError):
    """Linking to a closed case: the desk asks whether to reopen it, link anyway or
    cancel (`store.desk.rows.IfClosed`)."""

    def __init__(self, *, case_id: int, ref: str, closed_on: dt.date) -> None:
        super().__init__(
            f"case {ref} was closed on {closed_on:%d-%m-%Y}; reopen it or link anyway",
            code="case_closed",
            case_id=case_id,
            ref=ref,
            closed_on=closed_on,
        )
        self.case_id, self.ref, self.closed_on = case_id, ref, closed_on


def problem_fields(problem: Problem) -> set[str]:
    """The classification fields a problem from `validate_classification` is about, read
    from its code and values (never from its English text)."""
    match problem.code:
        case "not_in_taxonomy":
            return {str(problem.params["field"])}
        case "department_not_valid":
            return {"department"}
        case "outcome_not_allowed":
            return {"outcome", "action"}
        case "action_not_for_category":
            return {"action", "category"}
    return set(CLASSIFICATION_FIELDS)


def validate_classification(
    taxonomy: Taxonomy, values: dict[str, str | None], *, opened_on: dt.date | None = None
) -> list[Problem]:
    """Problems with a case's classification against the taxonomy (empty list if fine)."""
    problems: list[Problem] = []
    for field in CLASSIFICATION_FIELDS:
        v = values.get(field)
        if v is not None and v not in taxonomy.values(field):
            problems.append(
                Problem(
                    f"{field} {v!r} is not in the taxonomy", "not_in_taxonomy", field=field, value=v
                )
            )
    dep = values.get("department")
    if dep and opened_on is not None:
        for d in taxonomy.departments:
            if d.name == dep and not d.valid_on(opened_on):
                problems.append(
                    Problem(
                        f"department {dep!r} was not valid on {opened_on}",
                        "department_not_valid",
                        value=dep,
                        on=opened_on,
                    )
                )
    action, outcome, category = values.get("action"), values.get("outcome"), values.get("category")
    for a in taxonomy.actions:
        if a.name != action:
            continue
        if outcome is not None and outcome not in a.outcomes:
            problems.append(
                Problem(
                    f"outcome {outcome!r} is not allowed after action {action!r}",
                    "outcome_not_allowed",
                    outcome=outcome,
                    action=action,
                )
            )
        if category is not None and a.categories and category not in a.categories:
            problems.append(
                Problem(
                    f"action {action!r} does not apply to category {category!r}",
                    "action_not_for_category",
                    action=action,
                    category=category,
                )
            )
    return problems


def next_ref(*, session: Session, year: int) -> str:
    """The next free case reference of a year: "2026-0001", "2026-0002", ..."""
    prefix = f"{year}-"
    refs = session.exec(select(Case.ref).where(col(Case.ref).startswith(prefix))).all()
    numbers = [int(r[len(prefix) :]) for r in refs if r[len(prefix) :].isdigit()]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:04d}"


def create_case(*, session: Session, case_in: CaseCreate) -> Case:
    case = Case.model_validate(case_in)
    session.add(case)
    session.flush()
    if case.kind == CaseKind.whistleblower.value:
        # Opening a whistleblower case is itself audited (issue: privacy and records).
        record(session, action="open_whistleblower", entity="case", entity_id=case.id)
    return case


def update_case(
    *, session: Session, case_id: int, changes: CaseUpdate, version: int | None = None
) -> Case:
    """Apply changes; each changed field is kept in the case history and audited.
    `version`: the case's version the change is based on; refused (`StaleEdit`) when
    another desk changed it since. The case is locked either way, and its version bumped
    when anything changed."""
    case = lock_case(session, case_id, version)
    if case is None:
        raise UserError(f"no case with id {case_id}", code="no_case", case_id=case_id)
    user = actor(session)
    changed = False
    for field, new in changes.model_dump(exclude_unset=True).items():
        old = getattr(case, field)
        if old == new:
            continue
        changed = True
        setattr(case, field, new)
        session.add(
            CaseHistory(
                case_id=case_id,
                os_user=user,
                field=field,
                old_value=None if old is None else str(old),
                new_value=None if new is None else str(new),
            )
        )
        record(
            session,
            action="classify" if field in CLASSIFICATION_FIELDS else "edit_case",
            entity="case",
            entity_id=case.ref,
            detail={"field": field, "old": old, "new": new},
        )
    if changed:
        case.version += 1
    session.add(case)
    session.flush()
    return case


def get_case_by_ref(*, session: Session, ref: str) -> Case | None:
    return session.exec(select(Case).where(Case.ref == ref)).first()
