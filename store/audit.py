"""The append-only audit log: every change, with time and OS user."""

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
        os_user=os_user(),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        detail=None if detail is None else json.dumps(detail, ensure_ascii=False, default=str),
    )
    session.add(entry)
    return entry
