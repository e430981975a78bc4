"""The follow-up queue: reply targets as plain data for the CLI and the UI.

A target stores only `state` (open | met | waived) and its times; the status shown
(pending, due_soon, overdue, met, met_late, waived) derives from those times and `now`,
so nothing is rewritten as the clock moves and the stored due times are read through
their indexes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import ColumnElement, and_, func, null, select
from sqlmodel import Session

from store.config import Config
from store.replies import tables
from store.replies.explain import (
    Lang,
    describe_met,
    explain_due,
    overdue_text,
    rule_gone_text,
    waived_text,
)
from store.replies.rules import RuleSet
from store.replies.tables import aware, raw_time
from store.reply_status import STATUSES as STATUSES
from store.reply_status import Status as Status
from store.reply_status import status_of as status_of
from store.timeutil import CPH

# Filters: one status, "open" (pending + due_soon + overdue) or "all".
FILTERS = (*STATUSES, "open", "all")


@dataclass(frozen=True)
class FollowUp:
    """One reply target, ready to show. Times are aware UTC; `to_json` shows them in
    Europe/Copenhagen."""

    contact_id: int
    case_ref: str | None
    party: str | None
    channel: str
    received_at: dt.datetime
    due_at: dt.datetime
    status: Status
    rule: str
    explanation: str
    target_id: int
    met_at: dt.datetime | None = None
    met_by_contact_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object `followups --format json` prints: exactly these keys, ISO 8601
        times with offset."""
        return {
            "contact_id": self.contact_id,
            "case_ref": self.case_ref,
            "party": self.party,
            "channel": self.channel,
            "received_at": self.received_at.astimezone(CPH).isoformat(),
            "due_at": self.due_at.astimezone(CPH).isoformat(),
            "status": self.status,
            "rule": self.rule,
            "explanation": self.explanation,
        }


def _str_or_null(v: str | None) -> str:
    return "null" if v is None else encode_basestring(v)


def followups_json(rows: Iterable[FollowUp]) -> str:
    """`json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2)`, the same
    text (tested equal), without the pure-Python encoder that `indent` forces: it cost
    as much as the query on a queue of 17,000 overdue targets. The objects are flat, so
    strings go through the C string encoder and the layout is written here."""
    enc, opt = encode_basestring, _str_or_null
    offsets: dict[float, tuple[dt.timedelta, str]] = {}

    def local(t: dt.datetime) -> str:
        # t.astimezone(CPH).isoformat(), with the zone asked once per UTC hour (the
        # offset only changes on the hour): shift, then swap the "+00:00" suffix.
        if t.tzinfo is not dt.UTC:
            return t.astimezone(CPH).isoformat()
        hour = t.timestamp() // 3600
        found = offsets.get(hour)
        if found is None:
            off = t.astimezone(CPH).utcoffset() or dt.timedelta(0)
            found = offsets[hour] = (off, t.astimezone(CPH).isoformat()[-6:])
        return (t + found[0]).isoformat()[:-6] + found[1]

    parts = [
        "  {\n"
        f'    "contact_id": {int(r.contact_id)},\n'
        f'    "case_ref": {opt(r.case_ref)},\n'
        f'    "party": {opt(r.party)},\n'
        f'    "channel": {enc(r.channel)},\n'
        # ISO times are plain ASCII: nothing to escape.
        f'    "received_at": "{local(r.received_at)}",\n'
        f'    "due_at": "{local(r.due_at)}",\n'
        f'    "status": {enc(r.status)},\n'
        f'    "rule": {enc(r.rule)},\n'
        f'    "explanation": {enc(r.explanation)}\n'
        "  }"
        for r in rows
    ]
    if not parts:
        return "[]"
    return "[\n" + ",\n".join(parts) + "\n]"


def _where(status: str, now: dt.datetime) -> list[ColumnElement[bool]]:
    t = tables.reply_target.c
    if status == "all":
        return []
    if status == "open":
        return [t.state == "open"]
    if status == "overdue":
        return [t.state == "open", t.due_at < now]
    if status == "due_soon":
        return [t.state == "open", t.due_soon_at <= now, t.due_at >= now]
    if status == "pending":
        return [t.state == "open", t.due_soon_at > now]
    if status == "met":
        return [t.state == "met", t.met_at <= t.due_at]
    if status == "met_late":
        return [t.state == "met", t.met_at > t.due_at]
    if status == "waived":
        return [t.state == "waived"]
    raise ValueError(f"unknown status filter {status!r}; use one of {', '.join(FILTERS)}")


def _utc(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(dt.UTC)


def list_followups(
    *,
    session: Session,
    now: dt.datetime,
    status: str = "open",
    limit: int | None = None,
    offset: int = 0,
    config: Config | None = None,
    target_ids: list[int] | None = None,
    lang: Lang = "en",
) -> list[FollowUp]:
    """Reply targets with the given status filter, soonest due first.

    `status`: pending | due_soon | overdue | met | met_late | waived | open | all.
    `config` supplies the rules and closed days for the explanations (default config
    if None). `lang`: the explanations' language; the command line's JSON is English
    (its documented format), the desk passes the UI language.
    """
    now = _utc(now)
    ruleset = RuleSet.from_config(config or Config())
    t = tables.reply_target.c
    c = tables.contact.c
    k = tables.case.c
    p = tables.party.c
    by = tables.contact.alias("met_by")
    # Open targets have no reply: skip the join to the replying contact for the queue.
    open_only = status in ("open", "pending", "due_soon", "overdue")
    joined = (
        tables.reply_target.join(tables.contact, c.id == t.contact_id)
        .outerjoin(tables.case, k.id == c.case_id)
        .outerjoin(tables.party, p.id == c.party_id)
    )
    if not open_only:
        joined = joined.outerjoin(by, by.c.id == t.met_by_contact_id)
    by_channel = null() if open_only else by.c.channel
    by_direction = null() if open_only else by.c.direction
    stmt = (
        select(
            t.id,
            t.contact_id,
            t.rule,
            raw_time(t.received_at),
            raw_time(t.due_at),
            raw_time(t.due_soon_at),
            t.state,
            raw_time(t.met_at),
            t.met_by_contact_id,
            t.met_note,
            t.waived_reason,
            c.channel,
            c.counterpart,
            k.ref,
            p.name,
            by_channel.label("by_channel"),
            by_direction.label("by_direction"),
        )
        .select_from(joined)
        .where(*_where(status, now))
        .where(*([t.id.in_(target_ids)] if target_ids is not None else []))
        .order_by(t.due_at, t.id)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rules = {r.name: r for r in ruleset.rules}
    cal = ruleset.calendar
    out: list[FollowUp] = []
    append = out.append
    # The hot loop of `followups --status overdue` on a big queue: plain tuples, times
    # parsed once (see _raw_times), explanations from the cache.
    for (
        tid,
        cid,
        rname,
        rec,
        due,
        soon,
        state,
        met,
        by_id,
        note,
        why,
        channel,
        cp,
        ref,
        name,
        by_channel,
        by_direction,
    ) in session.execute(stmt):
        received_at, due_at, due_soon_at = aware(rec), aware(due), aware(soon)
        met_at = aware(met) if met is not None else None
        st = status_of(state=state, due_at=due_at, due_soon_at=due_soon_at, met_at=met_at, now=now)
        rule = rules.get(rname)
        if rule is None:
            due_text = rule_gone_text(rname, lang)
        else:
            due_text = explain_due(rule, received_at, due_at, cal, lang)
        if st == "overdue":
            explanation = overdue_text(due_text, lang)
        elif st == "waived":
            explanation = waived_text(why, lang)
        elif st in ("met", "met_late"):
            explanation = describe_met(
                late=st == "met_late",
                met_at=met_at,
                by_id=by_id,
                by_channel=by_channel,
                by_direction=by_direction,
                note=note,
                due_text=due_text,
                ref_year=received_at.astimezone(CPH).year,
                lang=lang,
            )
        else:
            explanation = due_text
        append(
            FollowUp(
                contact_id=cid,
                case_ref=ref,
                party=name or cp,
                channel=channel,
                received_at=received_at,
                due_at=due_at,
                status=st,
                rule=rname,
                explanation=explanation,
                target_id=tid,
                met_at=met_at,
                met_by_contact_id=by_id,
            )
        )
    return out


def count_followups(*, session: Session, now: dt.datetime) -> dict[str, int]:
    """Counts of open targets by status (pending, due_soon, overdue), for status bars;
    three index range counts, no rows loaded."""
    now = _utc(now)
    t = tables.reply_target
    out: dict[str, int] = {}
    for status in ("pending", "due_soon", "overdue"):
        out[status] = session.execute(
            select(func.count()).select_from(t).where(and_(*_where(status, now)))
        ).scalar_one()
    return out


def explain(
    *, session: Session, config: Config, target_id: int, now: dt.datetime, lang: Lang = "en"
) -> str:
    """The one-line explanation of one target (the UI's detail line)."""
    rows = list_followups(
        session=session,
        now=now,
        status="all",
        config=config,
        target_ids=[target_id],
        lang=lang,
    )
    if not rows:
        raise LookupError(f"no reply target with id {target_id}")
    return rows[0].explanation
