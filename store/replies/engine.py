"""Creating reply targets for new contacts and meeting them with replies.

`apply_contacts` runs inside the ingesting transaction, right after contacts are added
(mail sync, phone import, manual registration, triage linking). It is idempotent: running
it again for the same contacts changes nothing, and running it after a contact was
linked to a case re-evaluates which rules apply (e.g. a whistleblower report).

Arrival order does not matter. A reply ingested before the mail it answers (the Sent
folder synced first) is found when the target is created; a reply ingested after the mail
meets the open targets it answers. Either way the earliest reply wins.

A reply reaches a party (its party id, or the party of any address it went to), every
address and number of that party, the raw counterpart (for contacts still in triage), and
for mail, the messages named in its In-Reply-To/References.

The work is batched: a few chunked queries per call, whatever the number of contacts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, or_, select, update
from sqlmodel import Session

from store.config import Config
from store.config.replies import ReplyRule
from store.models import ReplyTarget
from store.replies import tables
from store.replies.due import due_times_utc_naive_many
from store.replies.facts import ContactFacts, id_clauses, load_facts
from store.replies.reach import Key, Reach, Resolver, TimeIndex, chunks
from store.replies.rules import RuleSet

# How far after a mail an in-thread reply to another address (or a reply to the address
# among several recipients) is looked for when the reply was stored first. Replies to
# the party, its addresses or the counterpart have no limit.
THREAD_WINDOW = dt.timedelta(days=31)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # a placeholder, every slot is filled


@dataclass
class ApplyReport:
    created: int = 0
    dropped: int = 0
    met: int = 0
    target_ids: list[int] = field(default_factory=list)


@dataclass(eq=False)
class Target:
    """A reply_target row as plain data; written back with Core statements (the ORM's
    per-object cost dominated batches of thousands)."""

    id: int | None
    contact_id: int
    rule: str
    received_at: dt.datetime
    due_at: dt.datetime
    due_soon_at: dt.datetime
    state: str = "open"
    met_at: dt.datetime | None = None
    met_by_contact_id: int | None = None
    met_note: str | None = None
    dirty: bool = False


_T = tables.reply_target
_TARGET_COLUMNS = (
    _T.c.id,
    _T.c.contact_id,
    _T.c.rule,
    _T.c.received_at,
    _T.c.due_at,
    _T.c.due_soon_at,
    _T.c.state,
    _T.c.met_at,
    _T.c.met_by_contact_id,
    _T.c.met_note,
)


_INSERT_COLUMNS = (
    "contact_id",
    "rule",
    "received_at",
    "due_at",
    "due_soon_at",
    "state",
    "met_at",
    "met_by_contact_id",
    "met_note",
)


class Targets:
    """The batch's targets, one object per row however it was found."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_id: dict[int, Target] = {}
        self.new: list[Target] = []
        self.deleted: set[int] = set()

    def _load(self, stmt: Select[Any]) -> list[Target]:
        out = []
        for r in self.session.execute(stmt):
            t = self.by_id.get(r.id)
            if t is None:
                t = self.by_id[r.id] = Target(*r)
            if t.id not in self.deleted:
                out.append(t)
        return out

    def of_contacts(self, ids: Iterable[int]) -> dict[int, dict[str, Target]]:
        out: dict[int, dict[str, Target]] = {}
        for clause in id_clauses(_T.c.contact_id, ids):
            for t in self._load(select(*_TARGET_COLUMNS).where(clause)):
                out.setdefault(t.contact_id, {})[t.rule] = t
        return out

    def reached(
        self,
        *,
        parties: Iterable[int],
        addresses: Iterable[str],
        contact_ids: Iterable[int],
        rules: Iterable[str],
        before: dt.datetime,
        met_after: dt.datetime,
    ) -> list[Target]:
        """Open targets (or met after `met_after`) of `rules` received before `before`,
        whose contact has one of the parties, addresses or ids."""
        rule_names = sorted(set(rules))
        if not rule_names:
            return []
        c = tables.contact.c
        base = [
            _T.c.rule.in_(rule_names),
            _T.c.received_at < before,
            or_(_T.c.state == "open", and_(_T.c.state == "met", _T.c.met_at > met_after)),
        ]
        found: dict[int, Target] = {}
        for column, values in (
            (c.party_id, parties),
            (c.counterpart, addresses),
            (c.id, contact_ids),
        ):
            for chunk in chunks(values):
                stmt = (
                    select(*_TARGET_COLUMNS)
                    .select_from(_T.join(tables.contact, c.id == _T.c.contact_id))
                    .where(column.in_(chunk), *base)
                )
                for t in self._load(stmt):
                    if t.id is not None:
                        found[t.id] = t
        return sorted(found.values(), key=lambda t: t.id or 0)

    def add(self, t: Target) -> None:
        self.new.append(t)

    def delete(self, t: Target) -> None:
        if t.id is not None:
            self.deleted.add(t.id)

    def write(self) -> list[int]:
        """Delete, insert and update with Core executemany; returns the new ids."""
        s = self.session
        for chunk in chunks(self.deleted):
            s.execute(delete(_T).where(_T.c.id.in_(chunk)))
        new_ids: list[int] = []
        if self.new:
            # Driver executemany of tuples in the backend's stored form (as the phone
            # bulk insert does): SQLAlchemy's per-row parameter processing of four
            # times per target cost more than the insert on a big import.
            conn = s.connection()
            sqlite = conn.dialect.name == "sqlite"

            def stored(v: dt.datetime | None) -> object:
                if v is None:
                    return None
                naive = v.astimezone(dt.UTC).replace(tzinfo=None)
                # SQLAlchemy's SQLite DATETIME text: "YYYY-MM-DD HH:MM:SS.ffffff".
                return naive.isoformat(" ", "microseconds") if sqlite else naive

            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            conn.exec_driver_sql(
                f"INSERT INTO reply_target ({', '.join(_INSERT_COLUMNS)}) "
                f"VALUES ({', '.join([mark] * len(_INSERT_COLUMNS))})",
                [
                    (
                        t.contact_id,
                        t.rule,
                        stored(t.received_at),
                        stored(t.due_at),
                        stored(t.due_soon_at),
                        t.state,
                        stored(t.met_at),
                        t.met_by_contact_id,
                        t.met_note,
                    )
                    for t in self.new
                ],
            )
            # The ids are read back by (contact, rule).
            ids: dict[tuple[int, str], int] = {}
            for clause in id_clauses(_T.c.contact_id, {t.contact_id for t in self.new}):
                for tid, cid, rule in s.execute(
                    select(_T.c.id, _T.c.contact_id, _T.c.rule).where(clause)
                ):
                    ids[(cid, rule)] = tid
            for t in self.new:
                t.id = ids[(t.contact_id, t.rule)]
            new_ids = [i for t in self.new if (i := t.id) is not None]
        changed = [
            {
                "b_id": t.id,
                "b_state": t.state,
                "b_met_at": t.met_at,
                "b_by": t.met_by_contact_id,
                "b_note": t.met_note,
            }
            for t in self.by_id.values()
            if t.dirty and t.id not in self.deleted
        ]
        if changed:
            s.execute(
                update(_T)
                .where(_T.c.id == bindparam("b_id"))
                .values(
                    state=bindparam("b_state"),
                    met_at=bindparam("b_met_at"),
                    met_by_contact_id=bindparam("b_by"),
                    met_note=bindparam("b_note"),
                ),
                changed,
            )
        # ORM copies of rows changed behind the ORM's back must reload.
        for obj in list(s.identity_map.values()):
            if isinstance(obj, ReplyTarget):
                s.expire(obj)
        return new_ids


def _whistleblower_reports(session: Session, facts: list[ContactFacts]) -> set[int]:
    """Contact ids that are the first inbound contact of their whistleblower case."""
    case_ids = {f.case_id for f in facts if f.case_kind == "whistleblower" and f.case_id}
    out: set[int] = set()
    c = tables.contact.c
    for case_id in sorted(case_ids):
        first = session.execute(
            select(c.id)
            .where(c.case_id == case_id, c.direction == "in")
            .order_by(c.occurred_at, c.id)
            .limit(1)
        ).scalar()
        if first is not None:
            out.add(first)
    return out


def _reconcile(
    store: Targets,
    ruleset: RuleSet,
    facts: list[ContactFacts],
    wb_reports: set[int],
    report: ApplyReport,
) -> list[tuple[Target, ContactFacts]]:
    """Make each contact's targets match the rules; returns the newly created ones."""
    existing = store.of_contacts([f.contact_id for f in facts])
    configured = {r.name for r in ruleset.rules}
    owed_new: list[tuple[ReplyRule, ContactFacts]] = []
    for f in facts:
        owed = ruleset.owed_rules(f, is_whistleblower_report=f.contact_id in wb_reports)
        owed_names = {r.name for r in owed}
        mine = existing.get(f.contact_id, {})
        # A target nobody acted on whose rule no longer applies (the contact was linked
        # to a whistleblower case, say) was never owed: drop it. Met and waived ones are
        # history and stay.
        for name, t in mine.items():
            if name not in owed_names and name in configured and t.state == "open":
                store.delete(t)
                report.dropped += 1
        owed_new.extend((rule, f) for rule in owed if rule.name not in mine)
    # Due times per rule in one pass (naive UTC with the calendar's cached zone offsets,
    # equal to due_times, tested): a first sync creates thousands at once, and the
    # working-time walk of each on its own was a tenth of storing a batch.
    by_rule: dict[str, list[int]] = {}
    for i, (rule, _f) in enumerate(owed_new):
        by_rule.setdefault(rule.name, []).append(i)
    dues: list[tuple[dt.datetime, dt.datetime]] = [(_EPOCH, _EPOCH)] * len(owed_new)
    for indexes in by_rule.values():
        rule = owed_new[indexes[0]][0]
        received = [
            owed_new[i][1].occurred_at.astimezone(dt.UTC).replace(tzinfo=None) for i in indexes
        ]
        for i, (due, soon) in zip(
            indexes, due_times_utc_naive_many(rule, received, ruleset.calendar), strict=True
        ):
            dues[i] = (due.replace(tzinfo=dt.UTC), soon.replace(tzinfo=dt.UTC))
    created: list[tuple[Target, ContactFacts]] = []
    for (rule, f), (due, due_soon) in zip(owed_new, dues, strict=True):
        t = Target(None, f.contact_id, rule.name, f.occurred_at, due, due_soon)
        store.add(t)
        created.append((t, f))
    report.created += len(created)
    return created


def _meet(t: Target, reply: ContactFacts) -> bool:
    """Mark `t` met by `reply` if that is earlier than what met it so far."""
    if t.state == "waived" or reply.occurred_at <= t.received_at:
        return False
    if t.state == "met" and t.met_at is not None and t.met_at <= reply.occurred_at:
        return False
    t.state = "met"
    t.met_at = reply.occurred_at
    t.met_by_contact_id = reply.contact_id
    t.met_note = None
    t.dirty = True
    return True


def _own_reach(f: ContactFacts, res: Resolver) -> Reach:
    """How a target's contact is reached: its party, its addresses."""
    return res.reach(
        party_id=f.party_id,
        addresses=(f.counterpart, f.mail.from_addr if f.mail else None),
    )


def _own_keys(f: ContactFacts, res: Resolver) -> list[Key]:
    return [*_own_reach(f, res).keys(), ("c", f.contact_id)]


def _reply_reach(f: ContactFacts, res: Resolver) -> Reach:
    """Whom a reply reaches (see the module docstring)."""
    mail = f.mail
    return res.reach(
        party_id=f.party_id,
        addresses=(f.counterpart, *(mail.recipients if mail else ())),
        thread_ids=mail.thread_ids if mail else (),
    )


def _stored_replies_after(
    session: Session,
    ruleset: RuleSet,
    res: Resolver,
    reaches: list[Reach],
    since: dt.datetime,
    known: dict[int, ContactFacts],
) -> TimeIndex:
    """Stored replies after `since` to any of the parties or addresses in `reaches`."""
    c = tables.contact.c
    parties = {p for r in reaches for p in r.parties}
    addrs = {a for r in reaches for a in r.addresses}
    ids: set[int] = set()
    # Inbound mail is never a reply: leave it out in SQL.
    not_inbound_mail = ~((c.direction == "in") & (c.channel == "email"))
    for column, values in ((c.party_id, parties), (c.counterpart, addrs)):
        for chunk in chunks(values):
            ids.update(
                session.execute(
                    select(c.id).where(column.in_(chunk), c.occurred_at > since, not_inbound_mail)
                ).scalars()
            )
    index = TimeIndex()
    candidates = [f for f in load_facts(session, ids, known) if ruleset.is_reply(f)]
    res.prime(
        (a for f in candidates for a in (f.counterpart, *(f.mail.recipients if f.mail else ()))),
        (f.party_id for f in candidates),
    )
    for f in candidates:
        index.add(_reply_reach(f, res).keys(), f)
    return index.freeze()


def _thread_window(
    session: Session,
    ruleset: RuleSet,
    start: dt.datetime,
    end: dt.datetime,
    known: dict[int, ContactFacts],
) -> TimeIndex:
    """Outbound mail in (start, end + window], by the message-ids it answers ("m", id)
    and by every recipient ("a", address)."""
    c = tables.contact.c
    stop = end + THREAD_WINDOW
    ids = session.execute(
        select(c.id).where(
            c.direction == "out",
            c.channel == "email",
            # occurred_on first: it leads the contact count index.
            c.occurred_on >= (start - dt.timedelta(days=1)).date(),
            c.occurred_on <= (stop + dt.timedelta(days=1)).date(),
            c.occurred_at > start,
            c.occurred_at <= stop,
        )
    ).scalars()
    index = TimeIndex()
    for f in load_facts(session, ids, known):
        if f.mail is None or not ruleset.is_reply(f):
            continue
        index.add(
            [*(("m", m) for m in f.mail.thread_ids), *(("a", a) for a in f.mail.recipients)], f
        )
    return index.freeze()


def _meet_new_targets(
    session: Session,
    ruleset: RuleSet,
    res: Resolver,
    new: list[tuple[Target, ContactFacts]],
    report: ApplyReport,
    known: dict[int, ContactFacts],
) -> None:
    """For new targets, find a reply that was stored before them (the earliest)."""
    pending = [(t, f) for t, f in new if t.rule in ruleset.reply_rule_names]
    if not pending:
        return
    res.prime(
        (a for _, f in pending for a in (f.counterpart, f.mail.from_addr if f.mail else None)),
        (f.party_id for _, f in pending),
    )
    reaches = {f.contact_id: _own_reach(f, res) for _, f in pending}
    keys = {f.contact_id: _own_keys(f, res) for _, f in pending}
    since = min(f.occurred_at for _, f in pending)
    stored = _stored_replies_after(session, ruleset, res, list(reaches.values()), since, known)
    mails = [f for _, f in pending if f.mail is not None]
    window = (
        _thread_window(
            session,
            ruleset,
            min(f.occurred_at for f in mails),
            max(f.occurred_at for f in mails),
            known,
        )
        if mails
        else TimeIndex().freeze()
    )
    for t, f in pending:
        best = stored.first_after(keys[f.contact_id], f.occurred_at, exclude=f.contact_id)
        if f.mail is not None:
            wkeys: list[Key] = [("a", a) for a in reaches[f.contact_id].addresses]
            if f.mail.message_id:
                wkeys.append(("m", f.mail.message_id))
            near = window.first_after(wkeys, f.occurred_at, exclude=f.contact_id)
            if (
                near is not None
                and near.occurred_at <= f.occurred_at + THREAD_WINDOW
                and (best is None or near.occurred_at < best.occurred_at)
            ):
                best = near
        if best is not None and _meet(t, best):
            report.met += 1


def _meet_with_replies(
    session: Session,
    store: Targets,
    ruleset: RuleSet,
    res: Resolver,
    replies: list[ContactFacts],
    report: ApplyReport,
    known: dict[int, ContactFacts],
) -> None:
    """Meet the earlier open (or later-met) targets the batch's replies answer."""
    if not replies or not ruleset.reply_rule_names:
        return
    res.prime(
        (a for f in replies for a in (f.counterpart, *(f.mail.recipients if f.mail else ()))),
        (f.party_id for f in replies),
        (m for f in replies if f.mail for m in f.mail.thread_ids),
    )
    index = TimeIndex()
    reaches = [_reply_reach(f, res) for f in replies]
    for f, r in zip(replies, reaches, strict=True):
        index.add(r.keys(), f)
    index.freeze()
    targets = store.reached(
        parties={p for r in reaches for p in r.parties},
        addresses={a for r in reaches for a in r.addresses},
        contact_ids={c for r in reaches for c in r.thread_contacts},
        rules=ruleset.reply_rule_names,
        before=max(f.occurred_at for f in replies),
        met_after=min(f.occurred_at for f in replies),
    )
    if not targets:
        return
    owners = {f.contact_id: f for f in load_facts(session, {t.contact_id for t in targets}, known)}
    res.prime(
        (a for f in owners.values() for a in (f.counterpart, f.mail.from_addr if f.mail else None)),
        (f.party_id for f in owners.values()),
    )
    for t in targets:
        owner = owners.get(t.contact_id)
        if owner is None:
            continue
        reply = index.first_after(_own_keys(owner, res), t.received_at, exclude=t.contact_id)
        if reply is not None and _meet(t, reply):
            report.met += 1


def apply_contacts(*, session: Session, config: Config, contact_ids: Iterable[int]) -> ApplyReport:
    """Create the reply targets the given (newly stored or re-linked) contacts owe, and
    meet earlier targets with those that are replies. Call in the same transaction that
    inserted the contacts; flushes, does not commit. Returns counts."""
    ruleset = RuleSet.from_config(config)
    report = ApplyReport()
    session.flush()
    known: dict[int, ContactFacts] = {}
    facts = load_facts(session, contact_ids, known)
    if not facts:
        return report
    wb_reports = _whistleblower_reports(session, facts)
    store = Targets(session)
    new = _reconcile(store, ruleset, facts, wb_reports, report)
    res = Resolver(session)
    _meet_new_targets(session, ruleset, res, new, report, known)
    replies = [f for f in facts if ruleset.is_reply(f)]
    _meet_with_replies(session, store, ruleset, res, replies, report, known)
    report.target_ids = store.write()
    return report


__all__ = ["ApplyReport", "apply_contacts"]
