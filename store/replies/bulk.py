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
from bisect import bisect_right
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlmodel import Session

from store.bulkload import REBUILD_MIN_ROWS, bulk_load, in_values
from store.config import Config
from store.models import ReplyTarget
from store.replies import tables
from store.replies.due import due_times_utc_naive_many
from store.replies.engine import apply_contacts
from store.replies.facts import ContactFacts, load_facts
from store.replies.meeting import in_time_order, replies_by_number, sweep
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
    cid: int,
    *,
    channel: str,
    direction: str,
    at: dt.datetime,
    on: dt.date,
    counterpart: str | None,
    status: str | None,
) -> ContactFacts:
    return ContactFacts(
        contact_id=cid,
        channel=channel,
        direction=direction,
        occurred_at=at.replace(tzinfo=dt.UTC),
        occurred_on=on,
        counterpart=counterpart,
        party_id=None,
        case_id=None,
        case_kind=None,
        case_category=None,
        access_request=False,
        call_status=status,
        mail=None,
    )


def _known_numbers(session: Session, numbers: Iterable[str]) -> set[str]:
    """The numbers (among `numbers`) that some party has, as a phone or an address."""
    pe, pp = tables.party_email.c, tables.party_phone.c
    numbers = list(numbers)
    out: set[str] = set()
    for clause in in_values(session, pe.address, numbers):
        out.update(session.execute(select(pe.address).where(clause)).scalars())
    for clause in in_values(session, pp.number, numbers):
        out.update(session.execute(select(pp.number).where(clause)).scalars())
    return out


def _earlier_replies(
    session: Session,
    ruleset: RuleSet,
    numbers: Sequence[str],
    since: dt.datetime,
    batch: tuple[int, int] | None,
    batch_ids: set[int],
) -> dict[str, list[tuple[dt.datetime, int]]]:
    """Stored contacts outside the batch that are replies, by counterpart, after `since`."""
    c = _C.c
    out: dict[str, list[tuple[dt.datetime, int]]] = {}
    signature: dict[tuple[str, str, str | None], bool] = {}
    mail_ids: dict[int, tuple[str, dt.datetime]] = {}
    outside = [] if batch is None else [or_(c.id < batch[0], c.id > batch[1])]
    for clause in in_values(session, c.counterpart, numbers):
        rows = session.execute(
            select(
                c.id,
                tables.raw_time(c.occurred_at),
                c.channel,
                c.direction,
                c.counterpart,
                c.call_status,
            ).where(clause, c.occurred_at > since.replace(tzinfo=dt.UTC), *outside)
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
                ok = signature[key] = ruleset.is_reply(
                    _facts(
                        0,
                        channel=channel,
                        direction=direction,
                        at=when,
                        on=when.date(),
                        counterpart=cp,
                        status=status,
                    )
                )
            if ok:
                out.setdefault(cp, []).append((when, cid))
    if mail_ids:
        for f in load_facts(session, mail_ids):
            if ruleset.is_reply(f):
                cp, when = mail_ids[f.contact_id]
                out.setdefault(cp, []).append((when, f.contact_id))
    return out


class NewCallReplies:
    """`apply_new_calls` in three steps, so that the pure computation can run while the
    database does other work (the phone importer rebuilds the contact indexes then):

    - `read(session)`: what the database holds that matters (parties of the numbers,
      earlier replies, stored targets the batch's replies may meet). It reads only rows
      outside the batch, so it may run before or after the batch's contacts are inserted;
    - `compute()`: no database access;
    - `write(session)`: after the contacts are inserted; the batch's contacts with a
      party or a case go through `apply_contacts` here.
    """

    def __init__(self, config: Config, calls: NewCalls) -> None:
        self.config = config
        self.calls = calls
        self.ruleset = RuleSet.from_config(config)
        self.report = BulkReport()
        self.engine_ids: list[int] = []
        self.simple: list[int] = []
        self.owes: list[tuple[int, Any]] = []  # (batch index, rule)
        self.is_reply: list[bool] = []
        self.targeted: set[int] = set()
        self.earlier: dict[str, list[tuple[dt.datetime, int]]] = {}
        self.stored_targets: list[tuple[Any, ...]] = []
        self.met_stored: list[dict[str, Any]] = []
        self.open_rows: list[tuple[Any, ...]] = []
        self.met_rows: list[tuple[Any, ...]] = []
        self.sqlite = True

    # ------------------------------------------------------------------ read

    def read(self, session: Session) -> None:
        calls, ruleset = self.calls, self.ruleset
        n = len(calls.ids)
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        if not n:
            return
        ids, at, cps = calls.ids, calls.at, calls.counterpart
        # Numbers some party has (as a phone or, in theory, an address) go to the engine.
        with_none = set(cps)
        with_none.discard(None)
        distinct = cast(set[str], with_none)
        known = _known_numbers(session, distinct)
        everyone = not known and calls.party_id.count(None) == n and calls.case_id.count(None) == n
        if everyone:  # the usual export: no number of the file belongs to a party
            self.simple = list(range(n))
        else:
            simple, engine_ids = self.simple, self.engine_ids
            for i in range(n):
                if (
                    calls.party_id[i] is not None
                    or calls.case_id[i] is not None
                    or (cps[i] is not None and cps[i] in known)
                ):
                    engine_ids.append(ids[i])
                else:
                    simple.append(i)
        simple = self.simple
        if not simple:
            return

        # What the database holds about these numbers. Read for every number and from
        # the batch's first moment (a superset of what the batch's targets and replies
        # need: `compute` applies the exact conditions), so that deciding who owes and
        # who replies can wait for `compute`, which overlaps the index rebuild.
        reply_rules = ruleset.reply_rule_names
        numbers = (
            sorted(distinct)
            if everyone
            else sorted({cp for i in simple if (cp := cps[i]) is not None})
        )
        if not numbers or not reply_rules:
            return
        lo, hi = min(ids), max(ids)
        contiguous = hi - lo + 1 == n
        batch_ids = set() if contiguous else set(ids)
        first = min(at) if everyone else min(at[i] for i in simple)
        last = max(at) if everyone else max(at[i] for i in simple)
        self.earlier = _earlier_replies(
            session,
            ruleset,
            numbers,
            first,
            (lo, hi) if contiguous else None,
            batch_ids,
        )
        # Contiguous ids: the range answers `in` without a set of a million ids.
        self.stored_targets = _stored_targets(
            session,
            ruleset,
            set(numbers),
            first,
            last,
            range(lo, hi + 1) if contiguous else batch_ids,
        )

    # ------------------------------------------------------------------ compute

    def compute(self) -> None:
        if not self.simple:
            return
        calls, ruleset = self.calls, self.ruleset
        ids, at, cps, dirs, stats, ons = (
            calls.ids,
            calls.at,
            calls.counterpart,
            calls.direction,
            calls.status,
            calls.on,
        )
        simple = self.simple
        n = len(ids)
        # Which rules each contact owes, and whether it is a reply: asked per signature
        # (direction, status, day when replies.track_from is set, no number, exempt).
        # `RuleSet.exempt_sender` of a call looks only at its counterpart: on the ignore
        # list, or (an address) by its domain. A number with neither cannot be exempt, so
        # only the others are asked, once per number (50,000 numbers asked ~0.4 s).
        exempt: set[str] = set()
        ignore = ruleset.ignore_senders
        for cp in {cps[i] for i in simple} if len(simple) < n else set(cps):
            if (
                cp is not None
                and (cp in ignore or "@" in cp)
                and ruleset.exempt_sender(
                    _facts(
                        0,
                        channel="phone",
                        direction="in",
                        at=at[0],
                        on=ons[0],
                        counterpart=cp,
                        status="missed",
                    )
                )
                is not None
            ):
                exempt.add(cp)
        track = ruleset.track_from is not None
        kinds: dict[tuple[Any, ...], tuple[tuple[Any, ...], bool]] = {}
        owes = self.owes
        is_reply = self.is_reply = [False] * n
        rows = (
            zip(range(n), dirs, stats, ons, cps, strict=True)
            if len(simple) == n
            else ((i, dirs[i], stats[i], ons[i], cps[i]) for i in simple)
        )

        def kind_of(
            i: int, direction: str, status: str, on: dt.date, cp: str | None
        ) -> tuple[tuple[Any, ...], bool]:
            sig = (direction, status, on if track else None, cp is None, cp in exempt)
            kind = kinds.get(sig)
            if kind is None:
                f = _facts(
                    0,
                    channel="phone",
                    direction=direction,
                    at=at[i],
                    on=on,
                    counterpart=cp,
                    status=status,
                )
                kind = kinds[sig] = (
                    tuple(ruleset.owed_rules(f, is_whistleblower_report=False)),
                    ruleset.is_reply(f),
                )
            return kind

        # Without track_from the day does not matter: the signature is looked up by
        # direction, status and which of (no number, a number, an exempt number), in
        # nested tables, without building a tuple per contact (a million of them).
        quick: dict[str, dict[str, list[Any]]] = {}
        for i, direction, status, on, cp in rows:
            if track:
                kind = kind_of(i, direction, status, on, cp)
            else:
                slot = 0 if cp is None else 2 if cp in exempt else 1
                found: Any
                try:
                    found = quick[direction][status][slot]
                except KeyError:
                    found = None
                if found is None:
                    found = kind_of(i, direction, status, on, cp)
                    quick.setdefault(direction, {}).setdefault(status, [None] * 3)[slot] = found
                kind = found
            if kind[0]:
                for rule in kind[0]:
                    owes.append((i, rule))
            if kind[1]:
                is_reply[i] = True

        reply_rules = ruleset.reply_rule_names
        targeted = self.targeted = {
            i for i, rule in owes if rule.name in reply_rules and cps[i] is not None
        }

        # A new target's reply: the earliest (time, id) reply of its number strictly
        # after it (so never itself), among the batch's and the earlier stored ones.
        earlier = self.earlier
        # The batch in (time, id) order: one sweep meets each number's waiting targets
        # with its next reply, no per-number lists to sort and search. Numbers with
        # stored replies are then redone with those merged in.
        met_by = sweep(in_time_order(simple, at, ids), cps, at, ids, is_reply, targeted)
        redo = set(earlier)
        if redo:
            replies_of = replies_by_number(simple, cps, at, ids, is_reply, redo)
            for cp, stored_replies in earlier.items():
                replies_of.setdefault(cp, []).extend(stored_replies)
            times_of: dict[str, list[dt.datetime]] = {}
            for cp, items in replies_of.items():
                items.sort()
                times_of[cp] = [t for t, _ in items]
            for i in targeted:
                cp = cps[i]
                if cp not in redo:
                    continue
                met_by.pop(i, None)
                times = times_of.get(cp)
                if times:
                    k = bisect_right(times, at[i])
                    if k < len(times):
                        met_by[i] = replies_of[cp][k]
        batch_replies = (
            replies_by_number(simple, cps, at, ids, is_reply, None) if self.stored_targets else {}
        )

        # The batch's replies meet earlier stored targets of their numbers when earlier
        # than what met them so far.
        if self.stored_targets:
            for items in batch_replies.values():
                items.sort()
            for tid, owner, rec, state, met_at, cp in self.stored_targets:
                best = None
                for when, cid in batch_replies.get(cp, ()):
                    if when > rec and cid != owner:
                        best = (when, cid)
                        break
                if best is None:
                    continue
                if state == "met" and met_at is not None and met_at <= best[0]:
                    continue
                self.met_stored.append(
                    {"b_id": tid, "b_at": best[0].replace(tzinfo=dt.UTC), "b_by": best[1]}
                )

        # By (time, id), then the rules' order, as the engine creates them (the ids of
        # open and met targets interleave differently: they go in two statements).
        rule_rank = {r.name: k for k, r in enumerate(ruleset.rules)}
        owes = self.owes
        owes.sort(key=lambda x: (at[x[0]], ids[x[0]], rule_rank[x[1].name]))
        sqlite = self.sqlite
        cal = ruleset.calendar
        stored_at = calls.stored_at
        open_rows, met_rows = self.open_rows, self.met_rows
        # Due times per rule in one batch (per-hour arithmetic, store.replies.calendar).
        dues: dict[str, Iterator[tuple[dt.datetime, dt.datetime]]] = {}
        for rule in ruleset.rules:
            received = [at[i] for i, r in owes if r.name == rule.name]
            if received:
                dues[rule.name] = iter(due_times_utc_naive_many(rule, received, cal))
        # A batch reply's stored time is already in `stored_at` (by its position, found
        # from its id: batch ids are positions plus the first id when contiguous).
        first_id = ids[0]
        contiguous = ids[-1] - first_id + 1 == n
        if not sqlite:

            def text(v: dt.datetime) -> Any:
                return v
        else:

            def text(v: dt.datetime) -> Any:
                return v.isoformat(" ", "microseconds")

        for i, rule in owes:
            due, soon = next(dues[rule.name])
            m = met_by.get(i) if rule.name in reply_rules else None
            if m is None:
                open_rows.append((ids[i], rule.name, stored_at[i], text(due), text(soon)))
            else:
                k = m[1] - first_id
                met_at = stored_at[k] if contiguous and 0 <= k < n else text(m[0])
                met_rows.append(
                    (ids[i], rule.name, stored_at[i], text(due), text(soon), met_at, m[1])
                )

    # ------------------------------------------------------------------ write

    def write(self, session: Session) -> BulkReport:
        report = self.report
        if self.engine_ids:
            report.engine = len(self.engine_ids)
            applied = apply_contacts(
                session=session, config=self.config, contact_ids=self.engine_ids
            )
            report.created += applied.created
            report.met += applied.met
        session.flush()
        conn = session.connection()
        # Open and met targets in separate statements, the values they share as literals
        # (binding costs ~0.3 µs a value).
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cols = "contact_id, rule, received_at, due_at, due_soon_at, state"
        new_rows = len(self.open_rows) + len(self.met_rows)
        existing = (
            session.execute(select(func.max(_T.c.id))).scalar() or 0
            if new_rows >= REBUILD_MIN_ROWS
            else new_rows
        )
        # Hundreds of thousands of targets into a young table: its (state, due) indexes
        # are built once afterwards rather than kept in random order row by row.
        with bulk_load(conn, tables=("reply_target",), new_rows=new_rows, existing_rows=existing):
            if self.open_rows:
                conn.exec_driver_sql(
                    f"INSERT INTO reply_target ({cols}) VALUES ({', '.join([mark] * 5)}, 'open')",
                    self.open_rows,
                )
            if self.met_rows:
                conn.exec_driver_sql(
                    f"INSERT INTO reply_target ({cols}, met_at, met_by_contact_id) "
                    f"VALUES ({', '.join([mark] * 5)}, 'met', {mark}, {mark})",
                    self.met_rows,
                )
        if self.met_stored:
            session.execute(
                update(_T)
                .where(_T.c.id == bindparam("b_id"))
                .values(
                    state="met",
                    met_at=bindparam("b_at"),
                    met_by_contact_id=bindparam("b_by"),
                    met_note=None,
                ),
                self.met_stored,
            )
            for obj in list(session.identity_map.values()):
                if isinstance(obj, ReplyTarget):
                    session.expire(obj)
        report.met += len(self.met_rows) + len(self.met_stored)
        report.created += len(self.open_rows) + len(self.met_rows)
        return report


def apply_new_calls(*, session: Session, config: Config, calls: NewCalls) -> BulkReport:
    """Create the reply targets new call contacts owe and meet targets with the replies
    among them, as `apply_contacts` would (see the module docstring). Call after the
    contacts are inserted; flushes, does not commit."""
    plan = NewCallReplies(config, calls)
    plan.read(session)
    plan.compute()
    return plan.write(session)


def _stored_targets(
    session: Session,
    ruleset: RuleSet,
    numbers: set[str],
    first: dt.datetime,
    last: dt.datetime,
    batch_ids: Container[int],
) -> list[tuple[Any, ...]]:
    """Stored reply-rule targets of contacts with these counterparts (outside the batch)
    that a reply between `first` and `last` may meet: (id, contact, received, state,
    met_at, counterpart), times naive UTC."""
    t, c = _T.c, _C.c
    out: list[tuple[Any, ...]] = []
    for clause in in_values(session, c.counterpart, numbers):
        rows = session.execute(
            select(
                t.id,
                t.contact_id,
                tables.raw_time(t.received_at),
                t.state,
                tables.raw_time(t.met_at),
                c.counterpart,
            )
            .select_from(_T.join(_C, c.id == t.contact_id))
            .where(
                clause,
                t.rule.in_(sorted(ruleset.reply_rule_names)),
                t.received_at < last.replace(tzinfo=dt.UTC),
                or_(
                    t.state == "open",
                    and_(t.state == "met", t.met_at > first.replace(tzinfo=dt.UTC)),
                ),
            )
        ).all()
        for tid, owner, received, state, met_at, cp in rows:
            if owner in batch_ids:
                continue
            out.append(
                (
                    tid,
                    owner,
                    naive(received),
                    state,
                    naive(met_at) if met_at is not None else None,
                    cp,
                )
            )
    return out
