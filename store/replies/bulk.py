"""Reply targets for a bulk load of new calls, set-based.

`apply_contacts` reads each contact's facts, builds its reach and looks replies up in
per-key time indexes: right for a mail sync batch, ~40 µs a contact on a million-row
phone export. Almost every contact of such an export is a call from a number that
belongs to no party and is linked to no case (it waits in triage). For those the engine's
rules collapse to something computed per number, in one pass over the batch:

- owing: `RuleSet.owed_rules` depends only on (direction, call status, local date,
  whether there is a number, whether the number is exempt), so it is asked once per
  distinct combination, with the real rule set;
- such a contact's reach is its number alone (no party has it, so the party's other
  addresses and numbers do not join), so a new target is met by the earliest (time, id)
  contact with the same counterpart after it that `RuleSet.is_reply` accepts: stored
  before this batch, or in it;
- such a contact, as a reply, reaches the targets of contacts with the same counterpart;
  no party key can match (none has the number), so it meets an earlier stored target of
  that counterpart when it is earlier than what met it so far.

Everything else in the batch (a known number, a linked case) goes through
`apply_contacts` first. Applying the two parts one after the other gives what one
`apply_contacts` over all of them gives, because meeting keeps the earliest reply
whichever arrives first (tests/store/test_replies_bulk.py compares both paths).

Precondition: the contacts are new (inserted in this transaction, no targets yet), as
the phone importer guarantees by dropping stored row keys first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlmodel import Session

from store.config import Config
from store.models import ReplyTarget
from store.replies import tables
from store.replies.due import due_times_utc_naive
from store.replies.engine import apply_contacts
from store.replies.facts import ContactFacts, load_facts
from store.replies.reach import chunks, parties_by_address
from store.replies.rules import RuleSet
from store.replies.tables import naive

_T = tables.reply_target
_C = tables.contact


@dataclass
class NewCalls:
    """New phone contacts, column-wise (the i-th item of each list is one contact).
    Times are naive UTC; `stored_at` is occurred_at in the backend's stored form."""

    ids: Sequence[int]
    at: Sequence[dt.datetime]
    stored_at: Sequence[Any]
    on: Sequence[dt.date]
    direction: Sequence[str]
    counterpart: Sequence[str | None]
    party_id: Sequence[int | None]
    case_id: Sequence[int | None]
    status: Sequence[str]


@dataclass
class BulkReport:
    created: int = 0
    met: int = 0
    engine: int = 0  # contacts handed to apply_contacts


def _facts(
    cid: int, *, channel: str, direction: str, at: dt.datetime, on: dt.date,
    counterpart: str | None, status: str | None,
) -> ContactFacts:
    return ContactFacts(
        contact_id=cid, channel=channel, direction=direction,
        occurred_at=at.replace(tzinfo=dt.UTC), occurred_on=on, counterpart=counterpart,
        party_id=None, case_id=None, case_kind=None, case_category=None,
        access_request=False, call_status=status, mail=None,
    )


def _stored(sqlite: bool, v: dt.datetime) -> object:
    """A naive UTC time in the backend's stored form (SQLAlchemy's SQLite text)."""
    return v.isoformat(" ", "microseconds") if sqlite else v


def _earlier_replies(
    session: Session, ruleset: RuleSet, numbers: Sequence[str], since: dt.datetime,
    batch: tuple[int, int] | None, batch_ids: set[int],
) -> dict[str, list[tuple[dt.datetime, int]]]:
    """Stored contacts outside the batch that are replies, by counterpart, after `since`."""
    c = _C.c
    out: dict[str, list[tuple[dt.datetime, int]]] = {}
    signature: dict[tuple[str, str, str | None], bool] = {}
    mail_ids: dict[int, tuple[str, dt.datetime]] = {}
    outside = [] if batch is None else [or_(c.id < batch[0], c.id > batch[1])]
    for chunk in chunks(numbers):
        rows = session.execute(
            select(c.id, tables.raw_time(c.occurred_at), c.channel, c.direction,
                   c.counterpart, c.call_status)
            .where(c.counterpart.in_(chunk), c.occurred_at > since.replace(tzinfo=dt.UTC),
                   *outside)
        ).all()
        for cid, at, channel, direction, cp, status in rows:
            if cid in batch_ids:
                continue
            when = naive(at)
            if channel == "email":  # its auto-reply headers decide: read its facts
                mail_ids[cid] = (cp, when)
                continue
            key = (channel, direction, status)
            ok = signature.get(key)
            if ok is None:
                ok = signature[key] = ruleset.is_reply(_facts(
                    0, channel=channel, direction=direction, at=when, on=when.date(),
                    counterpart=cp, status=status))
            if ok:
                out.setdefault(cp, []).append((when, cid))
    if mail_ids:
        for f in load_facts(session, mail_ids):
            if ruleset.is_reply(f):
                cp, when = mail_ids[f.contact_id]
                out.setdefault(cp, []).append((when, f.contact_id))
    return out


def apply_new_calls(*, session: Session, config: Config, calls: NewCalls) -> BulkReport:
    """Create the reply targets new call contacts owe and meet targets with the replies
    among them, as `apply_contacts` would (see the module docstring). Flushes, does not
    commit."""
    report = BulkReport()
    n = len(calls.ids)
    if not n:
        return report
    ruleset = RuleSet.from_config(config)
    ids, at, cps, dirs, stats, ons = (
        calls.ids, calls.at, calls.counterpart, calls.direction, calls.status, calls.on)

    # Numbers some party has (as a phone or, in theory, an address) go to the engine.
    known = parties_by_address(session, {cp for cp in cps if cp is not None})
    simple: list[int] = []
    engine_ids: list[int] = []
    for i in range(n):
        if calls.party_id[i] is not None or calls.case_id[i] is not None or (
            cps[i] is not None and cps[i] in known
        ):
            engine_ids.append(ids[i])
        else:
            simple.append(i)
    if engine_ids:
        report.engine = len(engine_ids)
        applied = apply_contacts(session=session, config=config, contact_ids=engine_ids)
        report.created += applied.created
        report.met += applied.met
    if not simple:
        return report
    session.flush()

    # Which rules each contact owes, and whether it is a reply: asked per signature.
    exempt: dict[str | None, bool] = {}
    for i in simple:
        cp = cps[i]
        if cp not in exempt:
            exempt[cp] = cp is not None and ruleset.exempt_sender(_facts(
                0, channel="phone", direction="in", at=at[i], on=ons[i], counterpart=cp,
                status="missed")) is not None
    track = ruleset.track_from is not None
    owed_of: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    reply_of: dict[tuple[str, str], bool] = {}
    rule_rank = {r.name: k for k, r in enumerate(ruleset.rules)}
    reply_rules = ruleset.reply_rule_names
    owes: list[tuple[int, Any]] = []  # (batch index, rule)
    is_reply = [False] * n
    for i in simple:
        cp = cps[i]
        sig = (dirs[i], stats[i], ons[i] if track else None, cp is None, exempt[cp])
        owed = owed_of.get(sig)
        if owed is None:
            owed = owed_of[sig] = tuple(ruleset.owed_rules(_facts(
                0, channel="phone", direction=dirs[i], at=at[i], on=ons[i], counterpart=cp,
                status=stats[i]), is_whistleblower_report=False))
        for rule in owed:
            owes.append((i, rule))
        rk = (dirs[i], stats[i])
        r = reply_of.get(rk)
        if r is None:
            r = reply_of[rk] = ruleset.is_reply(_facts(
                0, channel="phone", direction=dirs[i], at=at[i], on=ons[i], counterpart=cp,
                status=stats[i]))
        is_reply[i] = r

    # The batch's contacts by number, in (time, id) order.
    by_number: dict[str, list[int]] = {}
    for i in simple:
        cp = cps[i]
        if cp is not None:
            by_number.setdefault(cp, []).append(i)
    targeted = {i for i, rule in owes if rule.name in reply_rules and cps[i] is not None}
    numbers = sorted({cp for i in targeted if (cp := cps[i]) is not None})
    ids_sorted = sorted(ids)
    contiguous = ids_sorted[-1] - ids_sorted[0] + 1 == n
    batch_ids = set() if contiguous else set(ids)
    since = min((at[i] for i in targeted), default=None)
    earlier = _earlier_replies(
        session, ruleset, numbers, since,
        (ids_sorted[0], ids_sorted[-1]) if contiguous else None, batch_ids,
    ) if since is not None else {}

    # A new target's reply: the earliest (time, id) reply of its number strictly after
    # it. Walk each number's contacts newest first, a group of equal times at a time.
    met_by: dict[int, tuple[dt.datetime, int]] = {}
    for cp, members in by_number.items():
        if not any(i in targeted for i in members):
            continue
        items = [(at[i], ids[i], i) for i in members]
        items.extend((t, cid, -1) for t, cid in earlier.get(cp, ()))
        items.sort()
        nxt: tuple[dt.datetime, int] | None = None
        k = len(items) - 1
        while k >= 0:
            t = items[k][0]
            j = k
            while j >= 0 and items[j][0] == t:
                j -= 1
            group_best = None
            for g in range(j + 1, k + 1):
                i = items[g][2]
                if nxt is not None and i in targeted:
                    met_by[i] = nxt
                if (i < 0 or is_reply[i]) and group_best is None:
                    group_best = (t, items[g][1])  # the group's smallest id
            if group_best is not None:
                nxt = group_best
            k = j

    # The batch's replies meet earlier stored targets of their numbers (before the new
    # targets are written, so the lookup does not return them).
    report.met += _meet_stored(session, ruleset, [i for i in simple if is_reply[i]],
                               calls, set(ids))

    # By (time, id), then the rules' order, as the engine creates them (the ids of open
    # and met targets interleave differently: they go in two statements).
    owes.sort(key=lambda x: (at[x[0]], ids[x[0]], rule_rank[x[1].name]))
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    cal = ruleset.calendar
    stored_at = calls.stored_at
    # Open and met targets in separate statements, the values they share as literals
    # (binding costs ~0.3 µs a value).
    open_rows: list[tuple[Any, ...]] = []
    met_rows: list[tuple[Any, ...]] = []
    for i, rule in owes:
        due, soon = due_times_utc_naive(rule, at[i], cal)
        m = met_by.get(i) if rule.name in reply_rules else None
        if m is None:
            open_rows.append((ids[i], rule.name, stored_at[i], _stored(sqlite, due),
                              _stored(sqlite, soon)))
        else:
            met_rows.append((ids[i], rule.name, stored_at[i], _stored(sqlite, due),
                             _stored(sqlite, soon), _stored(sqlite, m[0]), m[1]))
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cols = "contact_id, rule, received_at, due_at, due_soon_at, state"
    if open_rows:
        conn.exec_driver_sql(
            f"INSERT INTO reply_target ({cols}) VALUES ({', '.join([mark] * 5)}, 'open')",
            open_rows)
    if met_rows:
        conn.exec_driver_sql(
            f"INSERT INTO reply_target ({cols}, met_at, met_by_contact_id) "
            f"VALUES ({', '.join([mark] * 5)}, 'met', {mark}, {mark})", met_rows)
    report.met += len(met_rows)
    report.created += len(open_rows) + len(met_rows)
    return report


def _meet_stored(session: Session, ruleset: RuleSet, replies: list[int], calls: NewCalls,
                 batch_ids: set[int]) -> int:
    if not replies or not ruleset.reply_rule_names:
        return 0
    at, ids, cps = calls.at, calls.ids, calls.counterpart
    by_number: dict[str, list[tuple[dt.datetime, int]]] = {}
    for i in replies:
        cp = cps[i]
        if cp is not None:
            by_number.setdefault(cp, []).append((at[i], ids[i]))
    if not by_number:
        return 0
    for items in by_number.values():
        items.sort()
    first = min(at[i] for i in replies)
    last = max(at[i] for i in replies)
    t, c = _T.c, _C.c
    changed: list[dict[str, Any]] = []
    for chunk in chunks(by_number):
        rows = session.execute(
            select(t.id, t.contact_id, tables.raw_time(t.received_at), t.state,
                   tables.raw_time(t.met_at), c.counterpart)
            .select_from(_T.join(_C, c.id == t.contact_id))
            .where(
                c.counterpart.in_(chunk),
                t.rule.in_(sorted(ruleset.reply_rule_names)),
                t.received_at < last.replace(tzinfo=dt.UTC),
                or_(t.state == "open",
                    and_(t.state == "met", t.met_at > first.replace(tzinfo=dt.UTC))),
            )
        ).all()
        for tid, owner, received, state, met_at, cp in rows:
            if owner in batch_ids:
                continue
            rec = naive(received)
            best = None
            for when, cid in by_number[cp]:
                if when > rec and cid != owner:
                    best = (when, cid)
                    break
            if best is None:
                continue
            if state == "met" and met_at is not None and naive(met_at) <= best[0]:
                continue
            changed.append({"b_id": tid, "b_at": best[0].replace(tzinfo=dt.UTC),
                            "b_by": best[1]})
    if changed:
        session.execute(
            update(_T).where(_T.c.id == bindparam("b_id"))
            .values(state="met", met_at=bindparam("b_at"), met_by_contact_id=bindparam("b_by"),
                    met_note=None),
            changed,
        )
        for obj in list(session.identity_map.values()):
            if isinstance(obj, ReplyTarget):
                session.expire(obj)
    return len(changed)
