"""Creating reply targets for new contacts and meeting them with replies.

`apply_contacts` runs inside the ingesting transaction, right after contacts are added
(mail sync, phone import, manual registration, triage linking). It is idempotent: running
it again for the same contacts changes nothing, and running it after a contact was
linked to a case re-evaluates which rules apply (e.g. a whistleblower report).

Arrival order does not matter. A reply ingested before the mail it answers (the Sent
folder synced first) is found when the target is created; a reply ingested after the mail
meets the open targets it answers. Either way the earliest reply wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from store.config import Config
from store.models import Contact, PartyEmail, PartyPhone, ReplyTarget
from store.replies import tables
from store.replies.due import due_times
from store.replies.facts import ContactFacts, load_facts
from store.replies.rules import RuleSet

# How far after a mail an in-thread reply to another address is looked for when the
# reply was stored first (replies to the party's own address or number have no limit).
THREAD_WINDOW = dt.timedelta(days=31)


@dataclass
class ApplyReport:
    created: int = 0
    dropped: int = 0
    met: int = 0
    target_ids: list[int] = field(default_factory=list)


def _whistleblower_reports(session: Session, facts: list[ContactFacts]) -> set[int]:
    """Contact ids that are the first inbound contact of their whistleblower case."""
    case_ids = {f.case_id for f in facts if f.case_kind == "whistleblower" and f.case_id}
    out: set[int] = set()
    for case_id in case_ids:
        first = session.execute(
            select(Contact.id)  # type: ignore[call-overload]
            .where(Contact.case_id == case_id, Contact.direction == "in")
            .order_by(Contact.occurred_at, Contact.id)
            .limit(1)
        ).scalar()
        if first is not None:
            out.add(first)
    return out


def _party_addresses(session: Session, party_ids: Iterable[int]) -> set[str]:
    ids = [p for p in set(party_ids) if p is not None]
    if not ids:
        return set()
    emails = session.execute(
        select(PartyEmail.address).where(PartyEmail.party_id.in_(ids))  # type: ignore[call-overload,attr-defined]
    ).scalars()
    phones = session.execute(
        select(PartyPhone.number).where(PartyPhone.party_id.in_(ids))  # type: ignore[call-overload,attr-defined]
    ).scalars()
    return {*emails, *phones}


def _parties_of(session: Session, addresses: Iterable[str]) -> set[int]:
    addrs = list({a for a in addresses if a})
    if not addrs:
        return set()
    emails = session.execute(
        select(PartyEmail.party_id).where(PartyEmail.address.in_(addrs))  # type: ignore[call-overload,attr-defined]
    ).scalars()
    phones = session.execute(
        select(PartyPhone.party_id).where(PartyPhone.number.in_(addrs))  # type: ignore[call-overload,attr-defined]
    ).scalars()
    return {*emails, *phones}


# --------------------------------------------------------------------------- targets


def _reconcile_targets(
    session: Session, ruleset: RuleSet, f: ContactFacts, wb_reports: set[int], report: ApplyReport
) -> list[ReplyTarget]:
    """Make the contact's targets match the rules; returns the newly created ones."""
    owed = ruleset.owed_rules(f, is_whistleblower_report=f.contact_id in wb_reports)
    owed_names = {r.name for r in owed}
    existing = {
        t.rule: t
        for t in session.execute(
            select(ReplyTarget).where(ReplyTarget.contact_id == f.contact_id)  # type: ignore[arg-type]
        ).scalars()
    }
    # A target nobody acted on whose rule no longer applies (the contact was linked to a
    # whistleblower case, say) was never owed: drop it. Met and waived ones are history.
    for name, t in existing.items():
        if name not in owed_names and t.state == "open" and name in {r.name for r in ruleset.rules}:
            session.delete(t)
            report.dropped += 1
    created: list[ReplyTarget] = []
    for rule in owed:
        if rule.name in existing:
            continue
        due, due_soon = due_times(rule, f.occurred_at, ruleset.calendar)
        t = ReplyTarget(
            contact_id=f.contact_id,
            rule=rule.name,
            received_at=f.occurred_at,
            due_at=due,
            due_soon_at=due_soon,
            state="open",
        )
        session.add(t)
        created.append(t)
    report.created += len(created)
    return created


def _candidate_replies_after(
    session: Session, ruleset: RuleSet, f: ContactFacts, window_mail: list[ContactFacts]
) -> ContactFacts | None:
    """The earliest stored reply to this contact's party, address or thread after it."""
    addresses = {a for a in (f.counterpart, f.mail.from_addr if f.mail else None) if a}
    if f.party_id is not None:
        addresses |= _party_addresses(session, [f.party_id])
    conds = []
    if f.party_id is not None:
        conds.append(col(Contact.party_id) == f.party_id)
    if addresses:
        conds.append(col(Contact.counterpart).in_(sorted(addresses)))
    best: ContactFacts | None = None
    if conds:
        ids = (
            session.execute(
                select(Contact.id)  # type: ignore[call-overload]
                .where(
                    or_(*conds),
                    col(Contact.occurred_at) > f.occurred_at,
                    col(Contact.id) != f.contact_id,
                )
                .order_by(Contact.occurred_at, Contact.id)
                .limit(200)
            )
            .scalars()
            .all()
        )
        for c in load_facts(session, ids):
            if ruleset.is_reply(c):
                best = c
                break
    # In-thread or to the address among other recipients: outbound mail in the window.
    mid = f.mail.message_id if f.mail else None
    for c in window_mail:
        if best is not None and c.occurred_at >= best.occurred_at:
            break
        if c.occurred_at <= f.occurred_at or c.occurred_at > f.occurred_at + THREAD_WINDOW:
            continue
        m = c.mail
        if m is None or not ruleset.is_reply(c):
            continue
        if (mid and mid in m.thread_ids) or addresses.intersection(m.recipients):
            best = c
            break
    return best


def _outbound_mail_window(
    session: Session, start: dt.datetime, end: dt.datetime
) -> list[ContactFacts]:
    """Outbound mail in (start, end + window], with thread headers, ordered by time."""
    stop = end + THREAD_WINDOW
    ids = (
        session.execute(
            select(Contact.id).where(  # type: ignore[call-overload]
                Contact.direction == "out",
                Contact.channel == "email",
                # occurred_on first: it leads the contact count index.
                Contact.occurred_on >= (start - dt.timedelta(days=1)).date(),
                Contact.occurred_on <= (stop + dt.timedelta(days=1)).date(),
                Contact.occurred_at > start,
                Contact.occurred_at <= stop,
            )
        )
        .scalars()
        .all()
    )
    return load_facts(session, ids)


def _meet(t: ReplyTarget, reply: ContactFacts) -> bool:
    """Mark `t` met by `reply` if that is earlier than what met it so far."""
    if t.state == "waived" or reply.occurred_at <= t.received_at:
        return False
    if t.state == "met" and t.met_at is not None and t.met_at <= reply.occurred_at:
        return False
    t.state = "met"
    t.met_at = reply.occurred_at
    t.met_by_contact_id = reply.contact_id
    return True


@dataclass(frozen=True)
class Reach:
    """Whom a reply reaches: parties, their addresses and numbers, and mail threads."""

    parties: frozenset[int]
    addresses: frozenset[str]
    thread_contacts: frozenset[int]


def reach_of(
    session: Session,
    *,
    party_id: int | None,
    addresses: Iterable[str | None],
    thread_ids: Iterable[str] = (),
) -> Reach:
    addrs = {a for a in addresses if a}
    parties = _parties_of(session, addrs)
    if party_id is not None:
        parties.add(party_id)
    addrs |= _party_addresses(session, parties)
    mids = list(dict.fromkeys(thread_ids))
    thread: set[int] = set()
    if mids:
        m = tables.email_message
        thread = {
            c
            for c in session.execute(
                select(m.c.contact_id).where(m.c.message_id.in_(mids))
            ).scalars()
            if c is not None
        }
    return Reach(frozenset(parties), frozenset(addrs), frozenset(thread))


def answerable_targets(
    session: Session, *, reach: Reach, rules: Iterable[str], before: dt.datetime
) -> list[ReplyTarget]:
    """Targets of `rules` received before `before` that a reply at `before` meets: open
    ones, and met ones whose recorded reply came later (the earliest reply wins)."""
    conds = []
    if reach.parties:
        conds.append(col(Contact.party_id).in_(sorted(reach.parties)))
    if reach.addresses:
        conds.append(col(Contact.counterpart).in_(sorted(reach.addresses)))
    if reach.thread_contacts:
        conds.append(col(Contact.id).in_(sorted(reach.thread_contacts)))
    rule_names = sorted(rules)
    if not conds or not rule_names:
        return []
    return list(
        session.execute(
            select(ReplyTarget)
            .join(Contact, col(Contact.id) == col(ReplyTarget.contact_id))
            .where(
                or_(*conds),
                col(ReplyTarget.rule).in_(rule_names),
                col(ReplyTarget.received_at) < before,
                or_(
                    col(ReplyTarget.state) == "open",
                    and_(col(ReplyTarget.state) == "met", col(ReplyTarget.met_at) > before),
                ),
            )
        ).scalars()
    )


def _meet_earlier_targets(
    session: Session, ruleset: RuleSet, reply: ContactFacts, report: ApplyReport
) -> None:
    """Meet the open (or later-met) targets this reply answers."""
    mail = reply.mail
    reach = reach_of(
        session,
        party_id=reply.party_id,
        addresses=(reply.counterpart, *(mail.recipients if mail else ())),
        thread_ids=mail.thread_ids if mail else (),
    )
    for t in answerable_targets(
        session, reach=reach, rules=ruleset.reply_rule_names, before=reply.occurred_at
    ):
        if t.contact_id != reply.contact_id and _meet(t, reply):
            report.met += 1


def apply_contacts(*, session: Session, config: Config, contact_ids: Iterable[int]) -> ApplyReport:
    """Create the reply targets the given (newly stored or re-linked) contacts owe, and
    meet earlier targets with those that are replies. Call in the same transaction that
    inserted the contacts; flushes, does not commit."""
    ruleset = RuleSet.from_config(config)
    report = ApplyReport()
    facts = load_facts(session, contact_ids)
    if not facts:
        return report
    session.flush()
    wb_reports = _whistleblower_reports(session, facts)
    new_targets: list[tuple[ReplyTarget, ContactFacts]] = []
    for f in facts:
        for t in _reconcile_targets(session, ruleset, f, wb_reports, report):
            new_targets.append((t, f))
    session.flush()
    reply_rules = ruleset.reply_rule_names
    pending = [(t, f) for t, f in new_targets if t.rule in reply_rules]
    if pending:
        window = _outbound_mail_window(
            session,
            min(f.occurred_at for _, f in pending),
            max(f.occurred_at for _, f in pending),
        )
        found: dict[int, ContactFacts | None] = {}
        for t, f in pending:
            if f.contact_id not in found:
                found[f.contact_id] = _candidate_replies_after(session, ruleset, f, window)
            reply = found[f.contact_id]
            if reply is not None and _meet(t, reply):
                report.met += 1
    for f in facts:
        if ruleset.is_reply(f):
            _meet_earlier_targets(session, ruleset, f, report)
    session.flush()
    report.target_ids = [t.id for t, _ in new_targets if t.id is not None]
    return report
