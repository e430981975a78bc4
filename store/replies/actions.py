"""The advisor's own marks: "acknowledged" (ack) and "no reply needed" (waive).

Both write an audit entry in the same transaction. Unknown contacts and missing reasons
are `UserError`s (one line; the CLI exits 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from store.audit import record
from store.config import Config
from store.errors import UserError
from store.models import Contact, ReplyTarget
from store.plaintext import typed_text
from store.replies.reach import answerable_targets, reach_of
from store.replies.rules import RuleSet
from store.timeutil import show


@dataclass(frozen=True)
class MarkResult:
    contact_id: int
    target_ids: tuple[int, ...]
    rules: tuple[str, ...]


def _contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise UserError(
            f"contact {contact_id}: no such contact; see 'borgerdesk followups --status all'",
            code="contact_gone",
        )
    return contact


def _own_targets(
    session: Session, contact_id: int, rule: str | None, states: tuple[str, ...]
) -> list[ReplyTarget]:
    stmt = select(ReplyTarget).where(
        ReplyTarget.contact_id == contact_id, col(ReplyTarget.state).in_(states)
    )
    if rule is not None:
        stmt = stmt.where(ReplyTarget.rule == rule)
    return list(session.exec(stmt.order_by(col(ReplyTarget.id))))


def _ruleset_with(config: Config, rule: str | None) -> RuleSet:
    """The configured rules, refusing a `rule` name that is not one of them (else a
    misspelt name reads as "no open target under it", as if the contact were done)."""
    ruleset = RuleSet.from_config(config)
    if rule is not None and ruleset.rule(rule) is None:
        names = ", ".join(r.name for r in ruleset.rules)
        raise UserError(f"--rule {rule!r}: no such reply rule; configured: {names}")
    return ruleset


def _aware(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise UserError("the time must carry a UTC offset, e.g. 2024-04-02T15:00+02:00")
    return at


# How far an acknowledgement time may lie after this machine's clock, or before the
# contact's recorded arrival: clocks (the mail server's, the phone system's, this PC's)
# disagree by a little, and "now" from one of them must not be refused for that.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _check_ack_time(contact: Contact, when: dt.datetime) -> None:
    """An acknowledgement before the contact arrived, or in the future, would count a
    target as met in time that was not (these counts go to the council): refuse it.
    No `code`: until tui/i18n.py has a Danish text for it, the desk shows this line."""
    received = contact.occurred_at
    if received.tzinfo is None:  # SQLite hands back naive UTC
        received = received.replace(tzinfo=dt.UTC)
    shown = f"{show(when)} (Copenhagen time)"
    if when < received - CLOCK_SKEW:
        raise UserError(
            f"contact {contact.id}: acknowledgement time {shown} is before the contact was "
            f"received ({show(received)}); give a time at or after that"
        )
    now = dt.datetime.now(dt.UTC)
    if when > now + CLOCK_SKEW:
        raise UserError(
            f"contact {contact.id}: acknowledgement time {shown} is in the future (now "
            f"{show(now)}; received {show(received)}); give when it happened, or no time "
            "for now"
        )


def ack(
    *,
    session: Session,
    config: Config,
    contact_id: int,
    note: str | None = None,
    rule: str | None = None,
    at: dt.datetime | None = None,
) -> MarkResult:
    """Mark a contact's open targets met by a manual acknowledgement at `at` (now).

    Like any reply, it also meets the party's earlier open targets under reply-met rules
    ("one reply meets every earlier pending target of that party"). Targets of
    manual-only rules (whistleblower feedback, access request) are met only when this
    contact is acked under them: with `rule`, or without `rule` for all of its own.
    """
    note = typed_text(note, "the note", lines=True) or None if note is not None else None
    when = _aware(at)
    contact = _contact(session, contact_id)
    if at is not None:
        # Only a time someone typed is checked. "Now" is always a true answer time, even
        # for a mail whose Date header runs ahead of the clocks (up to a day is kept as
        # its receipt time): the advisor has it in hand, so refusing now would be wrong.
        _check_ack_time(contact, when)
    ruleset = _ruleset_with(config, rule)
    own = _own_targets(session, contact_id, rule, ("open",))
    if not own:
        which = f" under rule {rule!r}" if rule else ""
        raise UserError(
            f"contact {contact_id} has no open reply target{which}; nothing to acknowledge"
        )
    met = list(own)
    if rule is None or rule in ruleset.reply_rule_names:
        reach = reach_of(session, party_id=contact.party_id, addresses=[contact.counterpart])
        earlier = answerable_targets(
            session,
            reach=reach,
            rules=ruleset.reply_rule_names if rule is None else [rule],
            before=contact.occurred_at,
        )
        met += [t for t in earlier if t.state == "open" and t.id not in {o.id for o in own}]
    for t in met:
        t.state = "met"
        # Only within CLOCK_SKEW of the arrival can `when` still be before it.
        t.met_at = max(when, t.received_at)
        t.met_by_contact_id = None
        t.met_note = note
        session.add(t)
    result = MarkResult(
        contact_id=contact_id,
        target_ids=tuple(t.id for t in met if t.id is not None),
        rules=tuple(dict.fromkeys(t.rule for t in met)),
    )
    record(
        session,
        action="reply-ack",
        entity="contact",
        entity_id=contact_id,
        detail={
            "note": note,
            "at": when.isoformat(),
            "targets": list(result.target_ids),
            "rules": list(result.rules),
        },
    )
    session.flush()
    return result


def no_reply(
    *, session: Session, config: Config, contact_id: int, reason: str, rule: str | None = None
) -> MarkResult:
    """Mark a contact "no reply needed" with a reason: its open targets are waived."""
    reason = typed_text(reason or "", "the reason", lines=True)
    if not reason:
        raise UserError("no-reply needs a reason: --reason TEXT (it goes into the audit log)")
    _contact(session, contact_id)
    _ruleset_with(config, rule)
    own = _own_targets(session, contact_id, rule, ("open",))
    if not own:
        which = f" under rule {rule!r}" if rule else ""
        raise UserError(f"contact {contact_id} has no open reply target{which}; nothing to waive")
    for t in own:
        t.state = "waived"
        t.waived_reason = reason
        session.add(t)
    result = MarkResult(
        contact_id=contact_id,
        target_ids=tuple(t.id for t in own if t.id is not None),
        rules=tuple(t.rule for t in own),
    )
    record(
        session,
        action="reply-waive",
        entity="contact",
        entity_id=contact_id,
        detail={
            "reason": reason,
            "targets": list(result.target_ids),
            "rules": list(result.rules),
        },
    )
    session.flush()
    return result


def acknowledge(
    *,
    session: Session,
    config: Config,
    contact_ids: list[int],
    at: dt.datetime | None = None,
    note: str | None = None,
) -> int:
    """Bulk `ack` for the UI: acknowledges each contact that has open targets and skips
    those without. Returns how many targets were met."""
    n = 0
    for cid in contact_ids:
        _contact(session, cid)
        if _own_targets(session, cid, None, ("open",)):
            done = ack(session=session, config=config, contact_id=cid, note=note, at=at)
            n += len(done.target_ids)
    return n


def waive(*, session: Session, target_id: int, reason: str, at: dt.datetime | None = None) -> None:
    """Waive one target by id ("no reply needed"), with a reason and an audit entry."""
    reason = typed_text(reason or "", "the reason", lines=True)
    if not reason:
        raise UserError("no-reply needs a reason: --reason TEXT (it goes into the audit log)")
    t = session.get(ReplyTarget, target_id)
    if t is None:
        raise UserError(f"reply target {target_id}: no such target", code="target_gone")
    if t.state != "open":
        raise UserError(
            f"reply target {target_id} is already {t.state}; nothing to waive", code="target_done"
        )
    t.state = "waived"
    t.waived_reason = reason
    session.add(t)
    record(
        session,
        action="reply-waive",
        entity="contact",
        entity_id=t.contact_id,
        detail={
            "reason": reason,
            "targets": [target_id],
            "rules": [t.rule],
            "at": _aware(at).isoformat(),
        },
    )
    session.flush()
