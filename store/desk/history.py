"""A case's history as the desk shows it: creation, contacts linked, moved and unlinked,
parties merged, classification, closing and reopening, read from the audit log (the one
record of who did what when)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from store.desk import tables as T
from store.desk.rows import CaseEvent
from store.models import Case

AL = T.audit_log.c
LIMIT = 500


def _detail(raw: str | None) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text(v: object) -> str | None:
    return None if v is None else str(v)


def case_events(*, session: Session, case_id: int) -> tuple[CaseEvent, ...]:
    """Newest first. Contact events are found by the case's ref in their audit detail
    ({"case": ref} for a link or a move in, {"from_case": ref} for a move out or an
    unlink)."""
    case = session.get(Case, case_id)
    if case is None:
        return ()
    ref = case.ref
    rows = session.execute(
        select(AL.at, AL.os_user, AL.action, AL.entity, AL.entity_id, AL.detail)
        .where(or_(
            and_(AL.entity == "case", AL.entity_id.in_([ref, str(case_id)])),
            and_(AL.entity == "contact", AL.action.in_(("link", "move", "unlink")), or_(
                AL.detail.contains(json.dumps({"case": ref}, ensure_ascii=False)[1:-1],
                                   autoescape=True),
                AL.detail.contains(json.dumps({"from_case": ref}, ensure_ascii=False)[1:-1],
                                   autoescape=True),
            )),
        ))
        .order_by(AL.at.desc(), AL.id.desc()).limit(LIMIT)
    ).all()
    out = []
    for at, user, action, entity, entity_id, raw in rows:
        d = _detail(raw)
        ev = _event(action, entity, entity_id, d, ref)
        if ev is not None:
            kind, kw = ev
            out.append(CaseEvent(at=at, user=user, kind=kind, **kw))
    return tuple(out)


def _event(action: str, entity: str, entity_id: str | None, d: dict[str, Any], ref: str
           ) -> tuple[str, dict[str, Any]] | None:
    if entity == "contact":
        cid = int(entity_id) if entity_id and entity_id.isdigit() else None
        if action == "link":
            return "linked", {"contact_id": cid}
        if action == "move":
            if d.get("case") == ref:
                return "moved_in", {"contact_id": cid, "other_ref": _text(d.get("from_case"))}
            return "moved_out", {"contact_id": cid, "other_ref": _text(d.get("case"))}
        if action == "unlink":
            return "unlinked", {"contact_id": cid}
        return None
    match action:
        case "create_case":
            return "created", {}
        case "party_merged":
            return "party_merged", {"party_id": d.get("from_party")}
        case "classify" if "changes" in d:
            return "classified", {"changes": tuple(
                (str(f), _text(o), _text(n)) for f, o, n in d["changes"])}
        case "classify":
            return "classified", {"changes": (
                (str(d.get("field")), _text(d.get("old")), _text(d.get("new"))),)}
        case "edit_case" if d.get("field") == "closed_on":
            return ("reopened" if d.get("new") is None else "closed"), {
                "changes": (("closed_on", _text(d.get("old")), _text(d.get("new"))),)}
        case "edit_case":
            return "edited", {"changes": (
                (str(d.get("field")), _text(d.get("old")), _text(d.get("new"))),)}
    return None
