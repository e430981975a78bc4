"""apply_contacts: which contacts owe a reply, and which replies meet them.

Real rows in a real database (SQLite here; PostgreSQL in CI's second pass), created
through the store's own CRUD functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from store.cases import create_case
from store.config import Config
from store.contacts import link_contacts
from store.db import session_scope
from store.models import CaseCreate, PartyCreate, ReplyTarget
from store.parties import create_party
from store.replies import apply_contacts
from tests.store._replies_support import call, cph, mail, other, target, targets


@pytest.fixture
def s(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def cfg() -> Config:
    return Config.model_validate(
        {
            "replies": {
                "internal_domains": ["kommune.dk"],
                "ignore_senders": ["noreply@skat.dk", "@nyhedsbrev.dk", "70 12 34 56"],
            },
            "mail": {
                "accounts": [
                    {
                        "name": "br",
                        "host": "imap.example.dk",
                        "username": "br",
                        "internal_domains": ["region.dk"],
                    }
                ]
            },
        }
    )


def all_targets(s: Session) -> list[ReplyTarget]:
    return list(s.exec(select(ReplyTarget).order_by(ReplyTarget.id)))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- who owes


def test_inbound_mail_gets_a_target_due_in_48_working_hours(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 22, 15))  # Friday
    t = target(s, m)
    assert (t.state, t.rule) == ("open", "dag-til-dag")
    assert t.due_at == cph(2024, 3, 26, 15)
    assert t.due_soon_at == cph(2024, 3, 26, 7)
    assert t.received_at == cph(2024, 3, 22, 15)


@pytest.mark.parametrize(
    ("headers", "is_auto", "owes"),
    [
        ({"Auto-Submitted": "auto-replied"}, False, False),
        ({"Auto-Submitted": "auto-generated; foo"}, False, False),
        ({"Auto-Submitted": "no"}, False, True),
        ({"Precedence": "bulk"}, False, False),
        ({"Precedence": "list"}, False, False),
        ({"Precedence": "junk"}, False, False),
        ({"Precedence": "first-class"}, False, True),
        ({"X-Autoreply": "yes"}, False, False),
        ({"X-Autorespond": "Out of office"}, False, False),
        ({"Return-Path": "<>"}, False, False),
        ({"Return-Path": "<knud@example.dk>"}, False, True),
        (None, True, False),
        (None, False, True),
    ],
)
def test_auto_generated_mail_owes_nothing(
    s: Session, cfg: Config, headers: dict[str, str] | None, is_auto: bool, owes: bool
) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 5, 10), headers=headers, is_auto=is_auto)
    assert bool(targets(s, m)) is owes


def test_headers_as_a_list_of_pairs_are_read_too(s: Session, cfg: Config) -> None:
    import json

    from store.models import EmailMessage

    m = mail(s, cfg, at=cph(2024, 3, 5, 10), apply=False)
    em = s.exec(select(EmailMessage).where(EmailMessage.contact_id == m.id)).one()
    em.headers = json.dumps([["auto-submitted", "auto-replied"]])
    s.add(em)
    s.flush()
    apply_contacts(session=s, config=cfg, contact_ids=[m.id])  # type: ignore[list-item]
    assert targets(s, m) == {}


@pytest.mark.parametrize(
    ("addr", "owes"),
    [
        ("kollega@kommune.dk", False),  # replies.internal_domains
        ("kollega@mail.kommune.dk", False),  # a subdomain
        ("sagsbehandler@region.dk", False),  # the mail account's internal_domains
        ("noreply@skat.dk", False),  # ignore list, address
        ("info@nyhedsbrev.dk", False),  # ignore list, @domain
        ("borger@notkommune.dk", True),  # not a subdomain
        ("knud@example.dk", True),
    ],
)
def test_internal_and_ignored_senders(s: Session, cfg: Config, addr: str, owes: bool) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 5, 10), addr=addr)
    assert bool(targets(s, m)) is owes


@pytest.mark.parametrize(
    ("status", "owes"), [("missed", True), ("voicemail", True), ("answered", False)]
)
def test_calls_owe_unless_answered(s: Session, cfg: Config, status: str, owes: bool) -> None:
    c = call(s, cfg, at=cph(2024, 3, 5, 10), status=status)
    assert bool(targets(s, c)) is owes


def test_ignored_number_and_hidden_number_owe_nothing(s: Session, cfg: Config) -> None:
    assert targets(s, call(s, cfg, at=cph(2024, 3, 5, 10), number="+4570123456")) == {}
    hidden = call(s, cfg, at=cph(2024, 3, 5, 11), number=None)  # type: ignore[arg-type]
    assert targets(s, hidden) == {}


def test_track_from_skips_older_contacts(s: Session) -> None:
    cfg = Config.model_validate({"replies": {"track_from": "2024-03-01"}})
    assert targets(s, mail(s, cfg, at=cph(2024, 2, 29, 10))) == {}
    assert targets(s, mail(s, cfg, at=cph(2024, 3, 1, 10)))


def test_apply_is_idempotent(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 5, 10))
    rep = apply_contacts(session=s, config=cfg, contact_ids=[m.id, m.id])  # type: ignore[list-item]
    assert (rep.created, rep.dropped, rep.met) == (0, 0, 0)
    assert len(all_targets(s)) == 1


# --------------------------------------------------------------------------- what meets


def test_reply_before_due_is_met_after_due_is_met_late(s: Session, cfg: Config) -> None:
    early = mail(s, cfg, at=cph(2024, 3, 26, 15), addr="a@example.dk")
    late = mail(s, cfg, at=cph(2024, 3, 26, 15), addr="b@example.dk")
    r1 = mail(s, cfg, at=cph(2024, 4, 2, 14, 59), direction="out", addr="a@example.dk")
    r2 = mail(s, cfg, at=cph(2024, 4, 2, 15, 1), direction="out", addr="b@example.dk")
    t1, t2 = target(s, early), target(s, late)
    assert (t1.state, t1.met_by_contact_id, t1.met_at) == ("met", r1.id, cph(2024, 4, 2, 14, 59))
    assert t1.met_at is not None and t1.met_at <= t1.due_at
    assert (t2.state, t2.met_by_contact_id) == ("met", r2.id)
    assert t2.met_at is not None and t2.met_at > t2.due_at


def test_one_reply_meets_three_pending_mails_but_not_a_later_one(s: Session, cfg: Config) -> None:
    mails = [mail(s, cfg, at=cph(2024, 3, 4, h)) for h in (9, 10, 11)]
    after = mail(s, cfg, at=cph(2024, 3, 4, 15))
    out = mail(s, cfg, at=cph(2024, 3, 4, 14, 30), direction="out")
    for m in mails:
        t = target(s, m)
        assert (t.state, t.met_by_contact_id, t.met_at) == ("met", out.id, cph(2024, 3, 4, 14, 30))
    assert target(s, after).state == "open"


def test_target_and_reply_in_the_same_batch(s: Session, cfg: Config) -> None:
    # A phone export holds the missed call and the call back: one apply_contacts call.
    missed = call(s, cfg, at=cph(2024, 3, 4, 9), apply=False)
    back = call(s, cfg, at=cph(2024, 3, 4, 13), direction="out", status="answered", apply=False)
    later = call(s, cfg, at=cph(2024, 3, 4, 16), apply=False)
    rep = apply_contacts(session=s, config=cfg, contact_ids=[later.id, back.id, missed.id])  # type: ignore[list-item]
    assert (rep.created, rep.met) == (2, 1)
    assert target(s, missed).met_by_contact_id == back.id
    assert target(s, later).state == "open"


def test_a_reply_stored_first_is_found_when_the_mail_arrives(s: Session, cfg: Config) -> None:
    # Sent folder synced before INBOX; the reply goes to another address, in-thread.
    reply = mail(
        s,
        cfg,
        at=cph(2024, 3, 25, 9),
        direction="out",
        in_reply_to="<first@x>",
        addr="someone-else@example.dk",
    )
    m = mail(s, cfg, at=cph(2024, 3, 22, 15), message_id="<first@x>")
    t = target(s, m)
    assert (t.state, t.met_by_contact_id, t.met_at) == ("met", reply.id, cph(2024, 3, 25, 9))


def test_in_thread_by_references_meets(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 4, 9), message_id="<q1@x>")
    reply = mail(
        s,
        cfg,
        at=cph(2024, 3, 4, 12),
        direction="out",
        addr="sagsbehandler@other.dk",
        references="<q0@x> <q1@x>",
        in_reply_to="<q9@x>",
    )
    assert target(s, m).met_by_contact_id == reply.id


def test_reply_to_the_address_among_other_recipients_stored_first(s: Session, cfg: Config) -> None:
    reply = mail(
        s,
        cfg,
        at=cph(2024, 3, 5, 9),
        direction="out",
        addr="x@other.dk",
        to="x@other.dk, knud@example.dk",
    )
    m = mail(s, cfg, at=cph(2024, 3, 4, 9))
    assert target(s, m).met_by_contact_id == reply.id


def test_the_earliest_reply_wins_whatever_the_order(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 4, 9))
    later = mail(s, cfg, at=cph(2024, 3, 6, 9), direction="out")
    assert target(s, m).met_by_contact_id == later.id
    earlier = mail(s, cfg, at=cph(2024, 3, 5, 9), direction="out")
    t = target(s, m)
    assert (t.met_by_contact_id, t.met_at) == (earlier.id, cph(2024, 3, 5, 9))


def test_a_reply_before_the_mail_does_not_meet_it(s: Session, cfg: Config) -> None:
    mail(s, cfg, at=cph(2024, 3, 4, 9), direction="out")
    m = mail(s, cfg, at=cph(2024, 3, 4, 10))
    assert target(s, m).state == "open"


def test_an_outbound_auto_reply_does_not_meet(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 4, 9))
    mail(
        s,
        cfg,
        at=cph(2024, 3, 4, 9, 1),
        direction="out",
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert target(s, m).state == "open"


@pytest.mark.parametrize(
    ("channel", "direction"),
    [("letter", "out"), ("meeting", "out"), ("meeting", "in"), ("home_visit", "out")],
)
def test_letters_and_meetings_meet(s: Session, cfg: Config, channel: str, direction: str) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 4, 9))
    r = other(s, cfg, at=cph(2024, 3, 5, 9), channel=channel, direction=direction)
    assert target(s, m).met_by_contact_id == r.id


def test_calls_meet_by_number_in_triage(s: Session, cfg: Config) -> None:
    missed = call(s, cfg, at=cph(2024, 3, 4, 9), status="missed")
    other_number = call(s, cfg, at=cph(2024, 3, 4, 9), number="+4511112222")
    answered = call(s, cfg, at=cph(2024, 3, 4, 11), status="answered")
    assert (target(s, missed).state, target(s, missed).met_by_contact_id) == ("met", answered.id)
    assert target(s, other_number).state == "open"
    back = call(
        s, cfg, at=cph(2024, 3, 4, 12), direction="out", number="+4511112222", status="missed"
    )
    assert target(s, other_number).met_by_contact_id == back.id  # issue: any outbound call


def test_outbound_call_statuses_are_configurable(s: Session) -> None:
    cfg = Config.model_validate({"replies": {"outbound_call_statuses": ["answered"]}})
    m = call(s, cfg, at=cph(2024, 3, 4, 9))
    call(s, cfg, at=cph(2024, 3, 4, 10), direction="out", status="missed")
    assert target(s, m).state == "open"


def test_a_reply_to_any_address_of_the_party_meets(s: Session, cfg: Config) -> None:
    create_party(
        session=s,
        party_in=PartyCreate(
            name="Knud", emails=["knud@example.dk", "knud@work.dk"], phones=["22 33 44 55"]
        ),
    )
    m = mail(s, cfg, at=cph(2024, 3, 4, 9))
    c = call(s, cfg, at=cph(2024, 3, 4, 9, 30))
    assert m.party_id is not None and c.party_id == m.party_id
    r = mail(s, cfg, at=cph(2024, 3, 4, 12), direction="out", addr="knud@work.dk")
    assert target(s, m).met_by_contact_id == r.id
    assert target(s, c).met_by_contact_id == r.id


def test_a_triage_mail_is_met_when_the_party_is_only_known_later(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 4, 9), addr="ny@borger.dk")
    assert m.party_id is None
    create_party(
        session=s, party_in=PartyCreate(name="Ny", emails=["ny@borger.dk"], phones=["+4533445566"])
    )
    r = call(
        s, cfg, at=cph(2024, 3, 4, 10), direction="out", number="+4533445566", status="answered"
    )
    assert target(s, m).met_by_contact_id == r.id


# --------------------------------------------------------------------------- other rules


def test_whistleblower_report_gets_ack_and_feedback_targets(s: Session, cfg: Config) -> None:
    case = create_case(
        session=s,
        case_in=CaseCreate(ref="WB-1", kind="whistleblower", opened_on=dt.date(2024, 3, 4)),
    )
    m = mail(s, cfg, at=cph(2024, 3, 4, 10), addr="kollega@kommune.dk", apply=False)
    apply_contacts(session=s, config=cfg, contact_ids=[m.id])  # type: ignore[list-item]
    assert targets(s, m) == {}  # internal sender, no case yet
    link_contacts(session=s, contact_ids=[m.id], case_id=case.id)  # type: ignore[list-item,arg-type]
    apply_contacts(session=s, config=cfg, contact_ids=[m.id])  # type: ignore[list-item]
    ts = targets(s, m)
    assert set(ts) == {"whistleblower-kvittering", "whistleblower-feedback"}
    assert ts["whistleblower-kvittering"].due_at == cph(2024, 3, 11, 10)
    assert ts["whistleblower-feedback"].due_at == cph(2024, 6, 4, 10)
    r = mail(s, cfg, at=cph(2024, 3, 5, 9), direction="out", addr="kollega@kommune.dk")
    ts = targets(s, m)
    assert ts["whistleblower-kvittering"].met_by_contact_id == r.id
    assert ts["whistleblower-feedback"].state == "open"  # only an explicit ack meets it


def test_linking_a_triage_mail_to_a_whistleblower_case_replaces_the_48h_target(
    s: Session, cfg: Config
) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 4, 10))
    assert set(targets(s, m)) == {"dag-til-dag"}
    case = create_case(
        session=s,
        case_in=CaseCreate(ref="WB-2", kind="whistleblower", opened_on=dt.date(2024, 3, 4)),
    )
    link_contacts(session=s, contact_ids=[m.id], case_id=case.id)  # type: ignore[list-item,arg-type]
    rep = apply_contacts(session=s, config=cfg, contact_ids=[m.id])  # type: ignore[list-item]
    assert rep.dropped == 1
    assert set(targets(s, m)) == {"whistleblower-kvittering", "whistleblower-feedback"}
    # A later mail in the same case is a day-to-day inquiry again.
    m2 = mail(s, cfg, at=cph(2024, 3, 6, 10), apply=False)
    link_contacts(session=s, contact_ids=[m2.id], case_id=case.id)  # type: ignore[list-item,arg-type]
    apply_contacts(session=s, config=cfg, contact_ids=[m2.id])  # type: ignore[list-item]
    assert set(targets(s, m2)) == {"dag-til-dag"}


def test_access_request_gets_seven_working_days(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 25, 10), access_request=True)
    ts = targets(s, m)
    assert set(ts) == {"dag-til-dag", "aktindsigt"}
    assert ts["aktindsigt"].due_at == cph(2024, 4, 8, 10)
    mail(s, cfg, at=cph(2024, 3, 25, 12), direction="out")
    ts = targets(s, m)
    assert ts["dag-til-dag"].state == "met"
    assert ts["aktindsigt"].state == "open"  # a decision or status is marked explicitly


def test_a_municipality_adds_its_own_rule(s: Session) -> None:
    cfg = Config.model_validate(
        {
            "replies": {
                "rules": [
                    {"name": "dag-til-dag"},
                    {
                        "name": "brev-10",
                        "applies_to": "day_to_day",
                        "hours": None,
                        "days": 10,
                        "channels": ["letter"],
                    },
                ]
            }
        }
    )
    letter = other(s, cfg, at=cph(2024, 3, 4, 10), channel="letter", direction="in")
    assert set(targets(s, letter)) == {"brev-10"}
    assert target(s, letter, "brev-10").due_at == cph(2024, 3, 18, 10)
