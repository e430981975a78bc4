"""A case's history as the desk shows it: its creation, contacts linked, moved and
unlinked, parties merged, classification, closing and reopening. Read from the case's
own history rows (indexed by case; the audit log has no index to find a case's rows)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from store.cases import (
    CLASSIFICATION,
    CLASSIFICATION_FIELDS,
    LINKED,
    MOVED_IN,
    MOVED_OUT,
    PARTY_MERGED,
    UNLINKED,
)
from store.desk import tables as T
from store.desk.rows import CaseEvent
from store.models import Case

CH = T.case_history.c
LIMIT = 500
# "category=Klage; action=Undersøgt" (store.desk.commands.set_classification)
_PART = re.compile(rf"(?:^|; )({'|'.join(CLASSIFICATION_FIELDS)})=")


def _int(v: str | None) -> int | None:
    return int(v) if v is not None and v.isdigit() else None


def _parts(text: str | None) -> dict[str, str | None]:
    bits = _PART.split(text or "")[1:]
    return {f: (v or None) for f, v in zip(bits[::2], bits[1::2], strict=True)}


def _event(field: str, old: str | None, new: str | None) -> tuple[str, dict[str, Any]]:
    if field == LINKED:
        return field, {"contact_id": _int(new)}
    if field == MOVED_IN:
        return field, {"contact_id": _int(new), "other_ref": old}
    if field == MOVED_OUT:
        return field, {"contact_id": _int(old), "other_ref": new}
    if field == UNLINKED:
        return field, {"contact_id": _int(old)}
    if field == PARTY_MERGED:
        return field, {"party_id": _int(old)}
    if field == "closed_on":
        return ("reopened" if new is None else "closed"), {"changes": ((field, old, new),)}
    if field == CLASSIFICATION:
        o, n = _parts(old), _parts(new)
        return "classified", {"changes": tuple((f, o.get(f), n.get(f)) for f in n)}
    if field in CLASSIFICATION_FIELDS:
        return "classified", {"changes": ((field, old, new),)}
    return "edited", {"changes": ((field, old, new),)}


def case_events(*, session: Session, case_id: int) -> tuple[CaseEvent, ...]:
    """Newest first; the creation (from the case row: imported cases have no history
    row for it) last."""
    case = session.get(Case, case_id)
    if case is None:
        return ()
    rows = session.execute(
        select(CH.at, CH.os_user, CH.field, CH.old_value, CH.new_value)
        .where(CH.case_id == case_id)
        .order_by(CH.at.desc(), CH.id.desc())
        .limit(LIMIT)
    ).all()
    out = []
    for at, user, field, old, new in rows:
        kind, kw = _event(field, old, new)
        out.append(CaseEvent(at=at, user=user, kind=kind, **kw))
    out.append(
        CaseEvent(
            at=case.created_at,
            user="",
            kind="created",
            changes=(("opened_on", None, case.opened_on.isoformat()),),
        )
    )
    return tuple(out)
