"""The follow-up queue, the advisor's marks, recompute and compliance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from store.config import Config
from store.db import session_scope
from store.errors import UserError
from store.models import AuditLog, Contact
from store.replies import (
    ack,
    count_followups,
    list_followups,
    no_reply,
    recompute,
)
from store.replies.compliance import compliance
from store.replies.followups import explain
from tests.store._replies_support import call, cph, mail, target, targets


@pytest.fixture
def s(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def cfg() -> Config:
    return Config()


def statuses(s: Session, cfg: Config, now: dt.datetime, status: str = "all") -> dict[int, str]:
    return {
        f.contact_id: f.status
        for f in list_followups(session=s, now=now, status=status, config=cfg)
    }


def test_status_derives_from_now(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 26, 15))  # due Tue 2 Apr 15:00, due soon from 07:00
    cid = m.id
    assert statuses(s, cfg, cph(2024, 3, 27, 9)) == {cid: "pending"}
    assert statuses(s, cfg, cph(2024, 4, 2, 6, 59)) == {cid: "pending"}
    assert statuses(s, cfg, cph(2024, 4, 2, 7)) == {cid: "due_soon"}
    assert statuses(s, cfg, cph(2024, 4, 2, 15)) == {cid: "due_soon"}
    assert statuses(s, cfg, cph(2024, 4, 2, 15, 1)) == {cid: "overdue"}


def test_filters_and_counts(s: Session, cfg: Config) -> None:
    now = cph(2024, 3, 13, 12)
    pending = mail(s, cfg, at=cph(2024, 3, 13, 9), addr="p@x.dk")  # due Fri 15 09:00
    soon = mail(s, cfg, at=cph(2024, 3, 11, 14), addr="s@x.dk")  # due Wed 13 14:00
    overdue = mail(s, cfg, at=cph(2024, 3, 8, 9), addr="o@x.dk")  # due Tue 12 09:00
    met = mail(s, cfg, at=cph(2024, 3, 4, 9), addr="m@x.dk")
    mail(s, cfg, at=cph(2024, 3, 4, 12), direction="out", addr="m@x.dk")
    late = mail(s, cfg, at=cph(2024, 3, 4, 9), addr="l@x.dk")
    mail(s, cfg, at=cph(2024, 3, 8, 12), direction="out", addr="l@x.dk")
    waived = mail(s, cfg, at=cph(2024, 3, 4, 9), addr="w@x.dk")
    no_reply(session=s, config=cfg, contact_id=waived.id, reason="newsletter")  # type: ignore[arg-type]
    expect = {
        "pending": [pending.id],
        "due_soon": [soon.id],
        "overdue": [overdue.id],
        "met": [met.id],
        "met_late": [late.id],
        "waived": [waived.id],
        "open": [overdue.id, soon.id, pending.id],
    }
    for status, ids in expect.items():
        got = [f.contact_id for f in list_followups(session=s, now=now, status=status, config=cfg)]
        assert got == ids, status
    assert len(statuses(s, cfg, now)) == 6
    assert count_followups(session=s, now=now) == {"pending": 1, "due_soon": 1, "overdue": 1}
    page = list_followups(session=s, now=now, status="all", limit=2, offset=1, config=cfg)
    assert len(page) == 2
    with pytest.raises(ValueError):
        list_followups(session=s, now=now, status="late", config=cfg)


def test_row_contents_json_and_explanation(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 26, 15))
    [f] = list_followups(session=s, now=cph(2024, 3, 27, 9), config=cfg)
    assert f.explanation == (
        "due Tue 2 Apr 15:00: 48 working hours from Tue 26 Mar 15:00; "
        "28 Mar–1 Apr are Easter holidays"
    )
    data = json.loads(json.dumps(f.to_json()))
    assert data == {
        "contact_id": m.id,
        "case_ref": None,
        "party": "knud@example.dk",
        "channel": "email",
        "received_at": "2024-03-26T15:00:00+01:00",
        "due_at": "2024-04-02T15:00:00+02:00",
        "status": "pending",
        "rule": "dag-til-dag",
        "explanation": f.explanation,
    }
    assert explain(session=s, config=cfg, target_id=f.target_id, now=cph(2024, 4, 3)) == (
        "overdue since Tue 2 Apr 15:00: 48 working hours from Tue 26 Mar 15:00; "
        "28 Mar–1 Apr are Easter holidays"
    )


def test_saturday_mail_explains_tuesday_24(s: Session, cfg: Config) -> None:
    mail(s, cfg, at=cph(2024, 3, 23, 10))
    [f] = list_followups(session=s, now=cph(2024, 3, 23, 11), config=cfg)
    assert f.explanation == (
        "due Tue 26 Mar 24:00: 48 working hours from Sat 23 Mar 10:00; "
        "weekend 23–24 Mar not counted"
    )


def test_met_explanations(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 8, 15))
    r = call(
        s, cfg, at=cph(2024, 3, 11, 10), direction="out", number="+4522334455", status="answered"
    )
    assert targets(s, m)["dag-til-dag"].state == "open"  # another party's number
    out = mail(s, cfg, at=cph(2024, 3, 13, 9), direction="out")
    [f] = list_followups(session=s, now=cph(2024, 3, 20), status="all", config=cfg)
    assert f.status == "met_late"
    assert f.explanation.startswith(
        f"met late Wed 13 Mar 09:00 by outbound e-mail #{out.id}; due Tue 12 Mar 15:00"
    )
    assert r.id != out.id


def test_explanations_in_danish_for_the_desk(s: Session, cfg: Config) -> None:
    """The desk's UI is Danish: day and month names, allowance, holidays by the
    `holidays` package's own Danish names, and the status phrases."""
    easter = mail(s, cfg, at=cph(2024, 3, 26, 15), addr="a@x.dk")
    saturday = mail(s, cfg, at=cph(2024, 3, 23, 10), addr="b@x.dk")
    ascension = mail(s, cfg, at=cph(2024, 5, 8, 15), addr="c@x.dk")  # 9 May: Kr. himmelfart
    prayer = mail(s, cfg, at=cph(2023, 5, 4, 12), addr="d@x.dk")  # 5 May 2023: Store bededag
    xmas = mail(s, cfg, at=cph(2024, 12, 20, 9), addr="e@x.dk")  # 24–26 Dec, 31 Dec, 1 Jan
    da = {
        f.contact_id: f.explanation
        for f in list_followups(session=s, now=cph(2023, 1, 2), config=cfg, lang="da")
    }
    assert da[easter.id] == (
        "frist tir. 2. apr. 15:00: 48 arbejdstimer fra tir. 26. mar. 15:00; "
        "28. mar.–1. apr. er påskehelligdage"
    )
    assert da[saturday.id] == (
        "frist tir. 26. mar. 24:00: 48 arbejdstimer fra lør. 23. mar. 10:00; "
        "weekenden 23.–24. mar. tæller ikke"
    )
    assert da[ascension.id] == (
        "frist man. 13. maj 15:00: 48 arbejdstimer fra ons. 8. maj 15:00; "
        "9. maj er Kristi himmelfartsdag; weekenden 11.–12. maj tæller ikke"
    )
    assert da[prayer.id].endswith("; 5.–7. maj lukket (Store bededag, weekend)")
    assert da[xmas.id].startswith("frist fre. 27. dec. 09:00: 48 arbejdstimer fra fre. 20. dec.")
    assert "24.–26. dec. er juledage" in da[xmas.id]
    # English stays the default (the command line's documented JSON).
    en = {
        f.contact_id: f.explanation
        for f in list_followups(session=s, now=cph(2023, 1, 2), config=cfg)
    }
    assert "9 May is Ascension Day" in en[ascension.id]
    assert en[prayer.id].endswith("; 5–7 May closed (Store bededag, weekend)")
    # Overdue, met and waived phrases.
    [f] = list_followups(
        session=s,
        now=cph(2024, 4, 3),
        status="overdue",
        config=cfg,
        lang="da",
        target_ids=[target(s, easter, "dag-til-dag").id],
    )
    assert f.explanation.startswith("overskredet siden tir. 2. apr. 15:00: 48 arbejdstimer")
    no_reply(session=s, config=cfg, contact_id=saturday.id, reason="spam")
    out = mail(s, cfg, at=cph(2024, 5, 10, 9), direction="out", addr="c@x.dk")
    rows = {
        f.contact_id: f.explanation
        for f in list_followups(session=s, now=cph(2024, 6, 1), status="all", config=cfg, lang="da")
    }
    assert rows[saturday.id] == "frafaldet: intet svar nødvendigt (spam)"
    assert rows[ascension.id].startswith(
        f"besvaret fre. 10. maj 09:00 med udgående e-mail #{out.id}; frist man. 13. maj"
    )


# --------------------------------------------------------------------------- marks


def audit(s: Session, action: str) -> list[dict[str, object]]:
    return [
        json.loads(a.detail or "{}")
        for a in s.exec(select(AuditLog).where(AuditLog.action == action))
    ]


def test_ack_meets_own_and_earlier_targets_with_audit(s: Session, cfg: Config) -> None:
    first = mail(s, cfg, at=cph(2024, 3, 4, 9))
    second = call(s, cfg, at=cph(2024, 3, 4, 10), number="+4522334455")
    later = mail(s, cfg, at=cph(2024, 3, 6, 9))
    res = ack(
        session=s,
        config=cfg,
        contact_id=first.id,
        note="ringede tilbage",  # type: ignore[arg-type]
        at=cph(2024, 3, 5, 10),
    )
    assert res.rules == ("dag-til-dag",)
    t = target(s, first)
    assert (t.state, t.met_at, t.met_note, t.met_by_contact_id) == (
        "met",
        cph(2024, 3, 5, 10),
        "ringede tilbage",
        None,
    )
    assert target(s, second).state == "open"  # another address, other party
    assert target(s, later).state == "open"  # came after the acknowledged contact
    ack(session=s, config=cfg, contact_id=later.id, at=cph(2024, 3, 6, 10))  # type: ignore[arg-type]
    [entry, _] = audit(s, "reply-ack")
    assert entry["note"] == "ringede tilbage" and entry["targets"] == [t.id]


def test_ack_errors(s: Session, cfg: Config) -> None:
    with pytest.raises(UserError, match="contact 999: no such contact"):
        ack(session=s, config=cfg, contact_id=999)
    out = mail(s, cfg, at=cph(2024, 3, 4, 9), direction="out")
    with pytest.raises(UserError, match="no open reply target"):
        ack(session=s, config=cfg, contact_id=out.id)  # type: ignore[arg-type]
    m = mail(s, cfg, at=cph(2024, 3, 4, 10))
    with pytest.raises(UserError, match="no such reply rule"):
        ack(session=s, config=cfg, contact_id=m.id, rule="nope")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="UTC offset"):
        ack(session=s, config=cfg, contact_id=m.id, at=dt.datetime(2024, 3, 5))  # type: ignore[arg-type]


def test_ack_time_must_lie_between_receipt_and_now(s: Session, cfg: Config) -> None:
    """A time before the contact came, or in the future, would count the target as met
    in time; only a few minutes' clock skew are let through."""
    m = mail(s, cfg, at=cph(2024, 3, 4, 9))
    with pytest.raises(UserError) as e:
        ack(session=s, config=cfg, contact_id=m.id, at=cph(2024, 3, 1, 10))  # type: ignore[arg-type]
    assert str(e.value) == (
        f"contact {m.id}: acknowledgement time 2024-03-01 10:00 (Copenhagen time) is before "
        "the contact was received (2024-03-04 09:00); give a time at or after that"
    )
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with pytest.raises(UserError, match=f"contact {m.id}: .* is in the future"):
        ack(session=s, config=cfg, contact_id=m.id, at=future)  # type: ignore[arg-type]
    assert target(s, m).state == "open" and audit(s, "reply-ack") == []
    ack(session=s, config=cfg, contact_id=m.id, at=cph(2024, 3, 4, 8, 58))  # type: ignore[arg-type]
    assert target(s, m).met_at == cph(2024, 3, 4, 9)  # skew: met at arrival, not before

    # No time given means now, which is always a true answer time: a mail whose Date
    # header runs hours ahead of the clocks (kept as its receipt time) can be answered.
    ahead = mail(s, cfg, at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=6))
    ack(session=s, config=cfg, contact_id=ahead.id)  # type: ignore[arg-type]
    assert target(s, ahead).state == "met"


def test_ack_a_manual_rule_by_name(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 25, 10), access_request=True)
    res = ack(
        session=s,
        config=cfg,
        contact_id=m.id,
        rule="aktindsigt",  # type: ignore[arg-type]
        note="afgørelse sendt",
        at=cph(2024, 4, 5, 10),
    )
    assert res.rules == ("aktindsigt",)
    ts = targets(s, m)
    assert ts["aktindsigt"].state == "met" and ts["dag-til-dag"].state == "open"


def test_no_reply_waives_with_reason_in_audit(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 4, 9))
    with pytest.raises(UserError, match="needs a reason"):
        no_reply(session=s, config=cfg, contact_id=m.id, reason="  ")  # type: ignore[arg-type]
    # A misspelt rule is named as such, word for word as ack says it; not "no open target".
    with pytest.raises(UserError) as by_ack:
        ack(session=s, config=cfg, contact_id=m.id, rule="nope")  # type: ignore[arg-type]
    with pytest.raises(UserError) as by_no_reply:
        no_reply(session=s, config=cfg, contact_id=m.id, reason="x", rule="nope")  # type: ignore[arg-type]
    assert str(by_no_reply.value) == str(by_ack.value)
    assert str(by_ack.value).startswith("--rule 'nope': no such reply rule; configured: ")
    no_reply(session=s, config=cfg, contact_id=m.id, reason="Tak-mail")  # type: ignore[arg-type]
    t = target(s, m)
    assert (t.state, t.waived_reason) == ("waived", "Tak-mail")
    assert audit(s, "reply-waive")[0]["reason"] == "Tak-mail"
    with pytest.raises(UserError, match="nothing to waive"):
        no_reply(session=s, config=cfg, contact_id=m.id, reason="again")  # type: ignore[arg-type]
    # A later reply does not turn a waived target into a met one.
    mail(s, cfg, at=cph(2024, 3, 5, 9), direction="out")
    assert target(s, m).state == "waived"
    [f] = list_followups(session=s, now=cph(2024, 3, 6), status="waived", config=cfg)
    assert f.explanation == "waived: no reply needed (Tak-mail)"


# --------------------------------------------------------------------------- recompute


def test_recompute_after_closed_days_change(s: Session, cfg: Config) -> None:
    open_ = mail(s, cfg, at=cph(2024, 5, 8, 15), addr="a@x.dk")  # due Mon 13 May 15:00
    met = mail(s, cfg, at=cph(2024, 5, 8, 15), addr="b@x.dk")
    mail(s, cfg, at=cph(2024, 5, 14, 12), direction="out", addr="b@x.dk")
    other = mail(s, cfg, at=cph(2024, 3, 4, 9), addr="c@x.dk")
    before_other = target(s, other).due_at
    assert target(s, open_).due_at == cph(2024, 5, 13, 15)
    assert statuses(s, cfg, cph(2024, 5, 20), "met_late") == {met.id: "met_late"}

    closed = Config.model_validate({"replies": {"closed_dates": ["2024-05-10"]}})
    rep = recompute(session=s, config=closed, batch_size=2)
    assert (rep.scanned, rep.changed, rep.orphaned) == (3, 2, {})
    s.expire_all()
    assert target(s, open_).due_at == cph(2024, 5, 14, 15)
    assert target(s, open_).due_soon_at == cph(2024, 5, 14, 7)
    assert target(s, other).due_at == before_other
    # The met target is now in time: status follows the stored due time.
    assert statuses(s, closed, cph(2024, 5, 20), "met") == {met.id: "met"}
    # Running it again changes nothing.
    assert recompute(session=s, config=closed).changed == 0


def test_recompute_after_rule_change_and_orphans(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 8, 15))
    faster = Config.model_validate({"replies": {"rules": [{"name": "dag-til-dag", "hours": 24}]}})
    recompute(session=s, config=faster)
    s.expire_all()
    assert target(s, m).due_at == cph(2024, 3, 11, 15)
    renamed = Config.model_validate({"replies": {"rules": [{"name": "other"}]}})
    rep = recompute(session=s, config=renamed)
    assert rep.orphaned == {"dag-til-dag": 1} and rep.changed == 0


def test_changed_rules_are_noticed_and_recomputed_in_batches(engine: Engine) -> None:
    """recompute_if_stale: unrecorded rules are adopted as they are; a config with other
    closed days makes the due times stale, and they are recomputed in short transactions
    (a batch at a time) and recorded; then nothing is stale."""
    from store.replies.recompute import (
        due_times_stale,
        recompute_if_stale,
        recorded_fingerprint,
        rules_fingerprint,
    )

    cfg = Config()
    with session_scope(engine) as s:
        ids = [mail(s, cfg, at=cph(2024, 5, 8, 15), addr=f"{i}@x.dk").id for i in range(5)]
        assert recorded_fingerprint(s) is None
        assert not due_times_stale(session=s, config=cfg)
    assert recompute_if_stale(engine, cfg) is None  # adopted, nothing rewritten
    with session_scope(engine) as s:
        assert recorded_fingerprint(s) == rules_fingerprint(cfg)
    closed = Config.model_validate({"replies": {"closed_dates": ["2024-05-10"]}})
    assert rules_fingerprint(closed) != rules_fingerprint(cfg)
    with session_scope(engine) as s:
        assert due_times_stale(session=s, config=closed)
    rep = recompute_if_stale(engine, closed, batch_size=2)
    assert rep is not None and (rep.scanned, rep.changed) == (5, 5)
    with session_scope(engine) as s:
        assert {target(s, s.get(Contact, i)).due_at for i in ids} == {  # type: ignore[arg-type]
            cph(2024, 5, 14, 15)
        }
        assert not due_times_stale(session=s, config=closed)
        assert due_times_stale(session=s, config=cfg)  # going back is a change too
    assert recompute_if_stale(engine, closed) is None
    # The command-line recompute records the rules as well.
    with session_scope(engine) as s:
        recompute(session=s, config=cfg)
    with session_scope(engine) as s:
        assert recorded_fingerprint(s) == rules_fingerprint(cfg)
        assert target(s, s.get(Contact, ids[0])).due_at == cph(2024, 5, 13, 15)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- compliance


def test_compliance_per_rule(s: Session, cfg: Config) -> None:
    # Four mails in March 2024: met after 2 and 10 working hours, met late (50 h),
    # one still open and overdue; one waived; and one in April (outside the period).
    a = mail(s, cfg, at=cph(2024, 3, 4, 9), addr="a@x.dk")
    mail(s, cfg, at=cph(2024, 3, 4, 11), direction="out", addr="a@x.dk")
    b = mail(s, cfg, at=cph(2024, 3, 8, 20), addr="b@x.dk")
    mail(s, cfg, at=cph(2024, 3, 11, 6), direction="out", addr="b@x.dk")  # Fri 4 h + Mon 6 h
    c = mail(s, cfg, at=cph(2024, 3, 5, 9), addr="c@x.dk")
    mail(s, cfg, at=cph(2024, 3, 7, 11), direction="out", addr="c@x.dk")
    mail(s, cfg, at=cph(2024, 3, 20, 9), addr="d@x.dk")
    w = mail(s, cfg, at=cph(2024, 3, 21, 9), addr="w@x.dk")
    no_reply(session=s, config=cfg, contact_id=w.id, reason="spam")  # type: ignore[arg-type]
    mail(s, cfg, at=cph(2024, 4, 3, 9), addr="e@x.dk")
    assert {target(s, x).state for x in (a, b, c)} == {"met"}
    rows = {
        r.rule: r
        for r in compliance(
            session=s,
            config=cfg,
            start=dt.date(2024, 3, 1),
            end=dt.date(2024, 3, 31),
            now=cph(2024, 4, 10),
        )
    }
    r = rows["dag-til-dag"]
    assert (r.targets, r.met_in_time, r.met_late, r.waived, r.still_open, r.overdue_now) == (
        5,
        2,
        1,
        1,
        1,
        1,
    )
    assert r.median_hours == 10.0
    assert r.p90_hours == pytest.approx(42.0)  # inclusive method between 10 and 50
    assert r.in_time_share == pytest.approx(0.5)
    assert rows["aktindsigt"].targets == 0 and rows["aktindsigt"].median_hours is None


def test_followups_json_is_json_dumps_with_indent() -> None:
    """The CLI's fast JSON writer gives exactly json.dumps(..., indent=2)'s text: nulls,
    non-ASCII, quotes, backslashes and control characters in untrusted text included."""
    from store.replies.followups import FollowUp, followups_json

    utc = dt.UTC
    rows = [
        FollowUp(
            contact_id=7,
            case_ref=None,
            party='Søren "S" \\ Ærø\n\x1b[31m',
            channel="email",
            received_at=dt.datetime(2024, 3, 31, 0, 30, tzinfo=utc),
            due_at=dt.datetime(2024, 10, 27, 1, 0, 0, 5, tzinfo=utc),
            status="overdue",
            rule="dag-til-dag",
            explanation="overdue since Tue 2 Apr 15:00: 28 Mar–1 Apr are Easter holidays",
            target_id=1,
        ),
        FollowUp(
            contact_id=12345678901,
            case_ref="BR-2024-1",
            party=None,
            channel="phone",
            received_at=dt.datetime(2024, 1, 1, tzinfo=utc),
            due_at=dt.datetime(2024, 1, 3, tzinfo=utc),
            status="pending",
            rule="regel\u2028x",
            explanation="",
            target_id=2,
        ),
    ]
    rows.append(
        dataclasses.replace(
            rows[0],
            received_at=dt.datetime(2024, 3, 31, 1, 0, tzinfo=utc),  # summer time begins
            due_at=cph(2024, 10, 27, 2, 30),  # not UTC: the fallback path
        )
    )
    for subset in (rows, rows[:1], []):
        expected = json.dumps([r.to_json() for r in subset], ensure_ascii=False, indent=2)
        assert followups_json(subset) == expected
