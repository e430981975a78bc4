"""Reading the audit log: plain rows for the CLI and the UI."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from store.errors import UserError
from store.models import AuditLog
from store.timeutil import local_midnight, plausible, show

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: str | None) -> str:
    """Untrusted text for a terminal: control characters and bidi overrides replaced, so
    an audit detail (which may quote mail text) cannot move the cursor or recolour."""
    return "" if text is None else _CONTROL.sub("\ufffd", text)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    os_user: str
    action: str
    entity: str
    entity_id: str | None
    detail: Any  # parsed JSON, or the raw text if it is not JSON

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "os_user": self.os_user,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "detail": self.detail,
        }


def parse_since(text: str) -> dt.datetime:
    """'2026-11-01' (a Copenhagen date: from its midnight) or an ISO time with or
    without a zone (without: Copenhagen)."""
    try:
        if len(text) == 10:
            day = plausible(dt.date.fromisoformat(text), "--since")
            return local_midnight(day).astimezone(dt.UTC)
        moment = plausible(dt.datetime.fromisoformat(text), "--since")
    except ValueError:
        raise UserError(
            f"--since {text!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    if moment.tzinfo is None:
        moment = local_midnight(moment.date()).replace(
            hour=moment.hour, minute=moment.minute, second=moment.second
        )
    return moment.astimezone(dt.UTC)


def list_audit(
    *,
    session: Session,
    since: dt.datetime | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditRow]:
    stmt = select(AuditLog).order_by(col(AuditLog.at), col(AuditLog.id))
    if since is not None:
        stmt = stmt.where(col(AuditLog.at) >= since)
    if action is not None:
        stmt = stmt.where(col(AuditLog.action) == action)
    rows = list(session.scalars(stmt))
    if limit is not None:
        rows = rows[-limit:]
    out = []
    for r in rows:
        try:
            detail = json.loads(r.detail) if r.detail is not None else None
        except ValueError:
            detail = r.detail
        assert r.id is not None
        out.append(AuditRow(r.id, r.at, r.os_user, r.action, r.entity, r.entity_id, detail))
    return out


def format_table(
    rows: list[AuditRow],
    columns: tuple[str, ...] = ("time (Copenhagen)", "user", "action", "entity", "detail"),
    time_fmt: str = "%Y-%m-%d %H:%M:%S",
) -> str:
    """Fixed columns, times in Copenhagen, every field through `plain`. `columns` and
    `time_fmt`: the caller's language (the CLI's UI language)."""
    t, u, a, e, d = columns
    lines = [f"{t:19}  {u:12}  {a:18}  {e:24}  {d}"]
    for r in rows:
        detail = r.detail if isinstance(r.detail, str) else json.dumps(r.detail, ensure_ascii=False)
        entity = f"{r.entity} {r.entity_id or ''}".strip()
        lines.append(
            f"{show(r.at, time_fmt):19}  {plain(r.os_user)[:12]:12}  "
            f"{plain(r.action)[:18]:18}  {plain(entity)[:24]:24}  {plain(detail)[:200]}"
        )
    return "\n".join(lines)
