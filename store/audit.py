"""The append-only audit log: every change, with time and the person who made it."""

from __future__ import annotations

import getpass
import json
from typing import Any

from sqlmodel import Session

from store.models import AuditLog


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. a container without passwd entry)
        return "unknown"


def actor(session: Session) -> str:
    """Who is making this change: the database role on PostgreSQL (each advisor of a team
    connects as herself, and a shared server's OS user would name nobody), the OS user on
    SQLite (one advisor). The one name written into the audit log, case history, notes
    and the outbox. Cached on the connection: a role does not change while it is open."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return os_user()
    who = conn.info.get("borgerdesk_actor")
    if who is None:
        from sqlalchemy import text

        who = conn.info["borgerdesk_actor"] = str(
            conn.execute(text("SELECT current_user")).scalar_one()
        )
    return str(who)


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit entry to the session's transaction: it commits with the change it
    describes, or not at all."""
    entry = AuditLog(
        os_user=actor(session),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        detail=None if detail is None else json.dumps(detail, ensure_ascii=False, default=str),
    )
    session.add(entry)
    return entry
