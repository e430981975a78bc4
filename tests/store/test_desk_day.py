"""The advisor's day through `store.desk.Desk` on a real SQLite file (issue 16): new
cases dated by their first contact, contacts registered by hand, corrections, party
merges, the closed-case guard, the suggestions after a link and the header's figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from store.cases import CaseClosed
from store.config import Config, load_config_text, preset_text
from store.contacts import add_contact, link_contacts
from store.counts import CountQuery, count
from store.db import session_scope
from store.desk import Desk
from store.desk.rows import (
    CaseFilter,
    CaseSort,
    Classification,
    FileTo,
    IfClosed,
    NewCaseRequest,
    NewContactRequest,
    NewParty,
    PartyEdit,
    TriageFilter,
)
from store.errors import UserError
from store.models import (
    AuditLog,
    Case,
    CaseHistory,
    Contact,
    ContactCreate,
    EmailMessage,
    Party,
    PartyCreate,
    ReplyTarget,
    SyncState,
)
from store.parties import create_party
from store.register.importer import import_register
from store.replies import apply_contacts
from store.samples import write_register_csv
from store.timeutil import CPH

# Monday 5 January 2026, 10:00 in Copenhagen.
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def desk(engine: Engine, odsherred_config: Config) -> Desk:
    return Desk(engine, odsherred_config, clock=lambda: NOW)


def _with(desk: Desk, toml: str) -> Desk:
    """The same desk with more configuration (configs are frozen)."""
    return Desk(
        desk.engine, load_config_text(preset_text("odsherred") + toml, "test"), clock=lambda: NOW
    )


def _mail(
    desk: Desk,
    *,
    at: dt.datetime,
    sender: str,
    ref: str,
    subject: str = "Hej",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    case_id: int | None = None,
) -> int:
    with session_scope(desk.engine) as s:
        c = add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="email",
                direction="in",
                occurred_at=at,
                counterpart=sender,
                summary=subject,
                source_ref=f"mail:{ref}",
                case_id=case_id,
            ),
        )
        assert c.id is not None
        s.add(
            EmailMessage(
                contact_id=c.id,
                header_hash=ref,
                content_hash=ref,
                subject=subject,
                from_addr=sender,
                sent_at=at,
                message_id=message_id,
                in_reply_to=in_reply_to,
            )
        )
        s.flush()
        apply_contacts(session=s, config=desk.config, contact_ids=[c.id])
        return c.id


def _n(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(model).where(*where)).one())


def _snapshot(engine: Engine) -> tuple[int, ...]:
    return tuple(_n(engine, m) for m in (Case, Contact, Party, AuditLog, ReplyTarget))


# ----------------------------------------------------------------- new case date


def test_a_new_case_opens_on_its_first_contacts_day_like_the_register_import(
    desk: Desk, tmp_path: Path, db_url: str
) -> None:
    # New Year's Eve 23:30 in Copenhagen is 22:30 UTC on the 31st; 00:30 on 1 January is
    # 23:30 UTC on the 31st: the local day decides.
    late = dt.datetime(2025, 12, 31, 23, 30, tzinfo=CPH)
    after = dt.datetime(2026, 1, 1, 0, 30, tzinfo=CPH)
    ids = (
        _mail(desk, at=after, sender="a@example.dk", ref="a1"),
        _mail(desk, at=late, sender="a@example.dk", ref="a2"),
    )
    case_id, ref = desk.new_case(NewCaseRequest(contact_ids=ids, party_name="Anna"))
    with Session(desk.engine) as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert case.opened_on == dt.date(2025, 12, 31)
    # The ref is of the year the case opened in.
    assert ref == "2025-0001"
    # The register import dates a case without case_opened the same way.
    path = write_register_csv(
        [
            {
                "case_ref": "R-1",
                "party_name": "Anna",
                "contact_at": "01-01-2026 00:30",
                "channel": "email",
                "direction": "in",
            },
            {
                "case_ref": "R-1",
                "contact_at": "31-12-2025 23:30",
                "channel": "email",
                "direction": "in",
            },
        ],
        tmp_path / "reg.csv",
    )
    import_register(engine=desk.engine, config=desk.config, path=path)
    with Session(desk.engine) as s:
        imported = s.exec(select(Case).where(Case.ref == "R-1")).one()
    assert imported.opened_on == case.opened_on
    # ... and the "cases" unit counts it in December, with its contacts.
    with Session(desk.engine) as s:
        res = count(
            session=s,
            query=CountQuery(
                unit="cases",
                start=dt.date(2025, 12, 1),
                end=dt.date(2025, 12, 31),
                rows="department",
            ),
        )
    assert res.total == 2


def test_the_opening_date_can_be_given_and_a_case_without_contacts_opens_today(desk: Desk) -> None:
    cid = _mail(desk, at=dt.datetime(2025, 12, 20, 9, tzinfo=CPH), sender="b@example.dk", ref="b1")
    case_id, _ = desk.new_case(NewCaseRequest(contact_ids=(cid,), opened_on=dt.date(2026, 1, 2)))
    empty_id, _ = desk.new_case(NewCaseRequest(party_name="Walk-in"))
    assert desk.case(case_id).opened_on == dt.date(2026, 1, 2)  # type: ignore[union-attr]
    assert desk.case(empty_id).opened_on == dt.date(2026, 1, 5)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "request_, code",
    [
        (NewCaseRequest(kind="secret"), "case_kind"),
        (NewCaseRequest(party_kind="alien"), "party_kind"),
        (NewCaseRequest(category="Nope"), "not_in_taxonomy"),
        (NewCaseRequest(contact_ids=(999999,)), "contact_gone"),
        (NewCaseRequest(party_id=424242), "no_party"),
    ],
)
def test_a_bad_new_case_request_is_refused_and_changes_nothing(
    desk: Desk, request_: NewCaseRequest, code: str
) -> None:
    before = _snapshot(desk.engine)
    with pytest.raises(UserError) as e:
        desk.new_case(request_)
    assert e.value.code == code
    assert _snapshot(desk.engine) == before


# ----------------------------------------------------------------- registering


def test_a_walk_in_is_registered_with_a_new_party_into_a_new_case(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 5, 9, 30, tzinfo=CPH)  # before the clock (NOW)
    added = desk.add_contact(
        NewContactRequest(
            channel="phone",
            occurred_at=at,
            summary="Ringede om hjemmehjælp",
            new_party=NewParty(
                name="Karen Holm", phones=("22 33 44 55",), emails=("Karen@Example.dk",)
            ),
            file_to=FileTo.new_case,
            new_case=NewCaseRequest(department="Omsorg og Sundhed", category="Klage"),
        )
    )
    assert added.case_ref == "2026-0001" and added.party_id is not None
    info = desk.party(added.party_id)
    assert info is not None
    assert info.emails == ("karen@example.dk",) and info.phones == ("+4522334455",)
    with Session(desk.engine) as s:
        c = s.get(Contact, added.contact_id)
        assert c is not None and c.case_id == added.case_id and c.party_id == added.party_id
        assert c.occurred_on == dt.date(2026, 1, 5) and c.direction == "in"
        # A call typed in was a conversation: it owes no reply (the reply rules decide,
        # as for an imported call).
        assert (
            s.exec(select(ReplyTarget).where(ReplyTarget.contact_id == added.contact_id)).first()
            is None
        )
    # Later mail from the address is recognised and auto-linked.
    later = _mail(desk, at=at + dt.timedelta(hours=2), sender="karen@example.dk", ref="k2")
    with Session(desk.engine) as s:
        assert s.get(Contact, later).case_id == added.case_id  # type: ignore[union-attr]


def test_a_contact_can_go_to_triage_or_an_existing_case(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 5, 7, tzinfo=CPH)  # before the clock (NOW)
    case_id, ref = desk.new_case(NewCaseRequest(party_name="Ole"))
    waiting = desk.add_contact(NewContactRequest(channel="letter", occurred_at=at))
    assert waiting.case_ref is None and waiting.party_id is None
    assert [r.contact_id for r in desk.triage().rows] == [waiting.contact_id]
    party_id = desk.case(case_id).party_id  # type: ignore[union-attr]
    # An e-mail typed in owes a reply like any inbound mail ...
    letter = desk.add_contact(
        NewContactRequest(
            channel="email", occurred_at=at, party_id=party_id, file_to=FileTo.case, case_id=case_id
        )
    )
    with Session(desk.engine) as s:
        target = s.exec(
            select(ReplyTarget).where(ReplyTarget.contact_id == letter.contact_id)
        ).one()
    assert target.state == "open"
    # ... and the home visit registered by hand afterwards is the reply that meets it.
    filed = desk.add_contact(
        NewContactRequest(
            channel="home_visit",
            direction="out",
            occurred_at=at + dt.timedelta(hours=1),
            party_id=party_id,
            file_to=FileTo.case,
            case_id=case_id,
        )
    )
    assert filed.case_ref == ref
    detail = desk.case(case_id)
    assert detail is not None
    assert [(t.channel, t.direction) for t in detail.timeline] == [
        ("home_visit", "out"),
        ("email", "in"),
    ]
    with Session(desk.engine) as s:
        target = s.exec(
            select(ReplyTarget).where(ReplyTarget.contact_id == letter.contact_id)
        ).one()
    assert (target.state, target.met_by_contact_id) == ("met", filed.contact_id)


@pytest.mark.parametrize(
    "req, code",
    [
        (NewContactRequest(channel="fax", occurred_at=NOW), "channel"),
        (NewContactRequest(channel="letter", direction="sideways", occurred_at=NOW), "direction"),
        (NewContactRequest(channel="letter", occurred_at=dt.datetime(2026, 1, 5)), "bad_moment"),
        (
            NewContactRequest(
                channel="letter", occurred_at=NOW, party_id=1, new_party=NewParty(name="x")
            ),
            "party_twice",
        ),
        (
            NewContactRequest(channel="letter", occurred_at=NOW, new_party=NewParty(name=" ")),
            "party_name_empty",
        ),
        (
            NewContactRequest(
                channel="letter", occurred_at=NOW, new_party=NewParty(name="x", phones=("abc",))
            ),
            "bad_address",
        ),
        (
            NewContactRequest(channel="letter", occurred_at=NOW, file_to=FileTo.case),
            "no_case_given",
        ),
        (
            NewContactRequest(channel="letter", occurred_at=NOW, file_to=FileTo.case, case_id=77),
            "no_case",
        ),
        (
            NewContactRequest(
                channel="letter",
                occurred_at=NOW,
                file_to=FileTo.new_case,
                new_party=NewParty(name="y"),
                new_case=NewCaseRequest(category="Nope"),
            ),
            "not_in_taxonomy",
        ),
    ],
)
def test_a_bad_contact_is_refused_and_changes_nothing(
    desk: Desk, req: NewContactRequest, code: str
) -> None:
    before = _snapshot(desk.engine)
    with pytest.raises(UserError) as e:
        desk.add_contact(req)
    assert e.value.code == code
    assert _snapshot(desk.engine) == before


def test_the_manual_contact_in_a_case_takes_its_time_and_direction(desk: Desk) -> None:
    case_id, _ = desk.new_case(NewCaseRequest(party_name="Ib"))
    at = dt.datetime(2026, 1, 2, 14, 15, tzinfo=CPH)
    cid = desk.add_manual_contact(case_id, "call", "Ringede tilbage", direction="out", at=at)
    with Session(desk.engine) as s:
        c = s.get(Contact, cid)
        assert c is not None
    assert (c.occurred_at, c.direction, c.channel) == (at, "out", "phone")


# ----------------------------------------------------------------- corrections


def test_move_unlink_and_undismiss_are_audited_and_re_evaluate_replies(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    a, b = (
        _mail(desk, at=at, sender="m@example.dk", ref="m1"),
        _mail(desk, at=at, sender="n@example.dk", ref="n1"),
    )
    c1, r1 = desk.new_case(NewCaseRequest(contact_ids=(a,)))
    c2, r2 = desk.new_case(NewCaseRequest(party_name="Other"))
    assert desk.move_contact(a, c2) == r2
    assert desk.case(c1).timeline_total == 0  # type: ignore[union-attr]
    assert desk.case(c2).timeline_total == 1  # type: ignore[union-attr]
    kinds1 = [e.kind for e in desk.case(c1).events]  # type: ignore[union-attr]
    kinds2 = [(e.kind, e.other_ref) for e in desk.case(c2).events]  # type: ignore[union-attr]
    assert kinds1 == ["moved_out", "linked", "created"]
    assert kinds2[0] == ("moved_in", r1) and kinds2[-1] == ("created", None)
    assert desk.unlink_contact(a) == r2
    assert a in {r.contact_id for r in desk.triage().rows}
    assert desk.case(c2).events[0].kind == "unlinked"  # type: ignore[union-attr]
    desk.dismiss([b], "spam")
    assert [r.contact_id for r in desk.dismissed().rows] == [b]
    assert any(h.dismissed and h.id == b for h in desk.search("n@example.dk"))
    desk.undismiss([b])
    assert desk.dismissed().total == 0
    assert b in {r.contact_id for r in desk.triage().rows}
    with Session(desk.engine) as s:
        actions = set(
            s.exec(select(AuditLog.action).where(col(AuditLog.entity) == "contact")).all()
        )
    assert {"move", "unlink", "undismiss", "dismiss", "link"} <= actions
    # Errors: one line, nothing changed.
    before = _snapshot(desk.engine)
    for call, code in (
        (lambda: desk.unlink_contact(a), "contact_not_linked"),
        (lambda: desk.move_contact(a, c1), "contact_not_linked"),
        (lambda: desk.undismiss([a]), "contact_not_dismissed"),
        (lambda: desk.move_contact(10**6, c1), "contact_gone"),
    ):
        with pytest.raises(UserError) as e:
            call()
        assert e.value.code == code
    assert _snapshot(desk.engine) == before


def test_not_a_case_counts_nowhere_and_owes_no_reply(desk: Desk) -> None:
    """'Not a case' is for triage only: a contact in a case is refused (it would count in
    the council's figures while marked not a case), a dismissed mail leaves the reply
    queue, undismiss brings its target back, and linking a dismissed contact found by
    search makes it a case's contact again. Checked against a naive recount."""
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    a, b = (
        _mail(desk, at=at, sender="m@example.dk", ref="m1"),
        _mail(desk, at=at, sender="n@example.dk", ref="n1"),
    )
    case_id, _ = desk.new_case(
        NewCaseRequest(contact_ids=(a,), department="Organisation", category="Vejledning")
    )

    def open_targets(cid: int) -> int:
        with Session(desk.engine) as s:
            return len(
                s.exec(
                    select(ReplyTarget).where(
                        ReplyTarget.contact_id == cid, ReplyTarget.state == "open"
                    )
                ).all()
            )

    def contacts_counted() -> tuple[int, int]:
        """The report's contact total and a naive recount (contacts on a case, not
        dismissed)."""
        q = CountQuery(
            unit="contacts", rows="department", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
        with Session(desk.engine) as s:
            reported = count(session=s, query=q).total
            naive = s.exec(
                select(func.count())
                .select_from(Contact)
                .where(col(Contact.case_id).is_not(None), col(Contact.dismissed).is_(False))
            ).one()
        return reported, naive

    before = _snapshot(desk.engine)
    with pytest.raises(UserError) as e:
        desk.dismiss([a], "spam")
    assert e.value.code == "contact_taken"  # names who linked it, and when
    assert _snapshot(desk.engine) == before
    assert contacts_counted() == (1, 1)

    assert open_targets(b) == 1 and b in {r.contact_id for r in desk.followups().rows}
    desk.dismiss([b], "nyhedsbrev")
    assert open_targets(b) == 0 and b not in {r.contact_id for r in desk.followups().rows}
    desk.undismiss([b])
    assert open_targets(b) == 1

    desk.dismiss([b], "nyhedsbrev")
    desk.link([b], case_id, IfClosed.ask)
    with Session(desk.engine) as s:
        c = s.get(Contact, b)
        assert c is not None and not c.dismissed and c.dismissed_reason is None
    assert open_targets(b) == 1
    assert contacts_counted() == (2, 2)


def test_moving_out_of_a_whistleblower_case_gives_the_citizen_rule(desk: Desk) -> None:
    desk = _with(desk, "\n[ui]\nwhistleblower_register = true\n")
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    m = _mail(desk, at=at, sender="w@example.dk", ref="w1")
    desk.new_case(NewCaseRequest(contact_ids=(m,), kind="whistleblower"))
    citizen, _ = desk.new_case(NewCaseRequest(party_name="C"))

    def rules() -> set[str]:
        with Session(desk.engine) as s:
            return set(s.exec(select(ReplyTarget.rule).where(ReplyTarget.contact_id == m)).all())

    assert "whistleblower-kvittering" in rules()
    desk.move_contact(m, citizen)
    assert rules() == {"dag-til-dag"}
    # The citizen case's history does not name the whistleblower case.
    moved = desk.case(citizen).events[0]  # type: ignore[union-attr]
    assert (moved.kind, moved.contact_id, moved.other_ref) == ("moved_in", m, None)


def test_linking_to_a_closed_case_asks_first(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    case_id, ref = desk.new_case(NewCaseRequest(party_name="Luk"))
    desk.set_closed(case_id, True)
    m = _mail(desk, at=at, sender="late@example.dk", ref="l1")
    before = _snapshot(desk.engine)
    with pytest.raises(CaseClosed) as e:
        desk.link([m], case_id)
    assert (e.value.ref, e.value.closed_on, e.value.code) == (
        ref,
        dt.date(2026, 1, 5),
        "case_closed",
    )
    assert _snapshot(desk.engine) == before
    res = desk.link([m], case_id, if_closed=IfClosed.link)
    assert not res.reopened and desk.case(case_id).closed_on is not None  # type: ignore[union-attr]
    # The address is new to the case's party: offered, and once added, later mail from
    # it is recognised and auto-linked.
    assert res.new_addresses == ("late@example.dk",)
    desk.unlink_contact(m)
    res = desk.link([m], case_id, if_closed=IfClosed.reopen)
    assert res.reopened and desk.case(case_id).closed_on is None  # type: ignore[union-attr]
    party_id = desk.case(case_id).party_id  # type: ignore[union-attr]
    assert party_id is not None
    desk.add_party_address(party_id, res.new_addresses[0])
    later = _mail(desk, at=NOW + dt.timedelta(hours=1), sender="late@example.dk", ref="l2")
    with Session(desk.engine) as s:
        assert s.get(Contact, later).case_id == case_id  # type: ignore[union-attr]


def test_related_offers_the_senders_other_mail_and_the_thread(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    first = _mail(desk, at=at, sender="t@example.dk", ref="t1", message_id="<1@x>")
    same = _mail(desk, at=at + dt.timedelta(hours=1), sender="t@example.dk", ref="t2")
    reply = _mail(
        desk,
        at=at + dt.timedelta(hours=2),
        sender="other@example.dk",
        ref="t3",
        message_id="<2@x>",
        in_reply_to="<1@x>",
    )
    _mail(desk, at=at, sender="stranger@example.dk", ref="t4")
    desk.new_case(NewCaseRequest(contact_ids=(first,)))
    rel = desk.related(first)
    assert [r.contact_id for r in rel.same_sender] == [same]
    assert [r.contact_id for r in rel.thread] == [reply]


# ----------------------------------------------------------------- parties


def test_party_edit_and_merge(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    with session_scope(desk.engine) as s:
        keep = create_party(
            session=s, party_in=PartyCreate(name="Ida  Berg", emails=["ida@example.dk"])
        )
        other = create_party(
            session=s, party_in=PartyCreate(name="ida berg", ref="P-9", phones=["40404040"])
        )
        keep_id, other_id = keep.id, other.id
    assert keep_id is not None and other_id is not None
    a = _mail(desk, at=at, sender="ida@example.dk", ref="i1")
    desk.new_case(NewCaseRequest(contact_ids=(a,)))
    other_case, _ = desk.new_case(NewCaseRequest(party_id=other_id))
    assert [(d.party_id, d.reason) for d in desk.duplicate_parties(keep_id)] == [(other_id, "name")]
    desk.edit_party(
        other_id,
        PartyEdit(
            name="Ida Berg", kind="citizen", emails=(), phones=("40 40 40 40", "+46 8 123 456 78")
        ),
    )
    assert desk.party(other_id).phones == ("+4540404040", "+46812345678")  # type: ignore[union-attr]
    with pytest.raises(UserError) as e:
        desk.edit_party(
            other_id, PartyEdit(name="x", kind="citizen", emails=("ida@example.dk",), phones=())
        )
    assert e.value.code == "address_taken"
    res = desk.merge_parties(keep_id, other_id)
    assert (res.addresses, res.cases) == (2, 1)
    info = desk.party(keep_id)
    assert info is not None and info.ref == "P-9" and info.cases == 2
    assert set(info.phones) == {"+4540404040", "+46812345678"}
    assert desk.party(other_id) is None
    assert desk.case(other_case).party_id == keep_id  # type: ignore[union-attr]
    assert desk.case(other_case).events[0].kind == "party_merged"  # type: ignore[union-attr]
    # A call from the merged party's number now reaches the kept one.
    with session_scope(desk.engine) as s:
        call = add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="phone", direction="in", occurred_at=NOW, counterpart="+4540404040"
            ),
        )
        assert call.party_id == keep_id
    with Session(desk.engine) as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "merge")).one().entity_id == str(
            keep_id
        )
    for args, code in (((keep_id, keep_id), "merge_self"), ((keep_id, other_id), "no_party")):
        with pytest.raises(UserError) as e:
            desk.merge_parties(*args)
        assert e.value.code == code


def test_an_anonymised_party_is_not_merged(desk: Desk) -> None:
    with session_scope(desk.engine) as s:
        a = create_party(session=s, party_in=PartyCreate(name="A"))
        b = create_party(session=s, party_in=PartyCreate(name="B"))
        b.anonymised_at, b.name = NOW, None
        s.add(b)
        ids = (a.id, b.id)
    before = _snapshot(desk.engine)
    with pytest.raises(UserError) as e:
        desk.merge_parties(*ids)  # type: ignore[arg-type]
    assert e.value.code == "party_anonymised"
    assert _snapshot(desk.engine) == before


# ----------------------------------------------------------------- cases and header


def test_classification_is_set_together_with_one_history_entry(
    engine: Engine, haderslev_config: Config
) -> None:
    desk = Desk(engine, haderslev_config, clock=lambda: NOW)
    case_id, _ = desk.new_case(NewCaseRequest(party_name="K", category="Anden henvendelse"))
    desk.classify(case_id, "action", "Vejledning")
    # An outcome of a Klage action, with a Klage action: valid only together.
    with pytest.raises(UserError) as e:
        desk.classify(case_id, "outcome", "Henstilling")
    assert e.value.code == "outcome_not_allowed"
    assert desk.set_classification(case_id, Classification("Klage", "Undersøgt", "Henstilling"))
    with Session(engine) as s:
        hist = s.exec(
            select(CaseHistory).where(CaseHistory.case_id == case_id).order_by(col(CaseHistory.id))
        ).all()
    assert hist[-1].field == "classification" and len(hist) == 2
    assert hist[-1].new_value == "category=Klage; action=Undersøgt; outcome=Henstilling"
    ev = desk.case(case_id).events[0]  # type: ignore[union-attr]
    assert ev.kind == "classified" and ("outcome", None, "Henstilling") in ev.changes
    with pytest.raises(UserError) as e:
        desk.set_classification(case_id, Classification("Anden henvendelse", "Undersøgt", None))
    assert e.value.code == "action_not_for_category"
    assert not desk.set_classification(case_id, Classification("Klage", "Undersøgt", "Henstilling"))


def test_sager_sorts_by_deadline_and_activity(desk: Desk) -> None:
    early = dt.datetime(2025, 12, 29, 9, tzinfo=CPH)  # due long before NOW: overdue
    c_old, _ = desk.new_case(
        NewCaseRequest(contact_ids=(_mail(desk, at=early, sender="o@example.dk", ref="o1"),))
    )
    c_new, _ = desk.new_case(
        NewCaseRequest(
            contact_ids=(
                _mail(desk, at=NOW - dt.timedelta(hours=1), sender="p@example.dk", ref="p1"),
            )
        )
    )
    c_none, _ = desk.new_case(NewCaseRequest(party_name="Tom"))
    rows = desk.cases(CaseFilter(sort=CaseSort.next_due, descending=False)).rows
    assert [r.case_id for r in rows] == [c_old, c_new, c_none]
    assert [r.overdue for r in rows] == [True, False, False]
    assert rows[2].next_due is None and rows[2].last_activity is None
    rows = desk.cases(CaseFilter(sort=CaseSort.last_activity)).rows
    assert [r.case_id for r in rows] == [c_new, c_old, c_none]
    assert rows[0].last_activity == NOW - dt.timedelta(hours=1)


def test_the_indbakke_filter(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    owes = _mail(desk, at=at, sender="q@example.dk", ref="q1")
    with session_scope(desk.engine) as s:
        out = add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="email",
                direction="out",
                occurred_at=at,
                counterpart="z@example.dk",
                source_ref="mail:out",
            ),
        )
        answered = add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="phone",
                direction="in",
                occurred_at=at,
                counterpart="+4530303030",
                source_ref="call:x",
            ),
        )
        answered.call_status = "answered"
        ids = (out.id, answered.id)
    every = {r.contact_id for r in desk.triage().rows}
    assert {owes, *ids} <= every
    assert owes in {r.contact_id for r in desk.triage(filt=TriageFilter.owes_reply).rows}
    assert out.id not in {r.contact_id for r in desk.triage(filt=TriageFilter.owes_reply).rows}
    hidden = {r.contact_id for r in desk.triage(filt=TriageFilter.hide_outbound_answered).rows}
    assert owes in hidden and not set(ids) & hidden


def test_acknowledge_says_when_there_was_no_deadline(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    m = _mail(desk, at=at, sender="r@example.dk", ref="r1")
    letter = desk.add_contact(NewContactRequest(channel="letter", occurred_at=at)).contact_id
    when = dt.datetime(2026, 1, 2, 15, tzinfo=CPH)
    res = desk.acknowledge([m, letter], note="Ringet op", at=when)
    assert (res.met, res.no_deadline) == (1, (letter,))
    with Session(desk.engine) as s:
        t = s.exec(select(ReplyTarget).where(ReplyTarget.contact_id == m)).one()
    assert t.state == "met" and t.met_at == when


def test_the_header_counts_overdue_from_the_store_and_sees_a_late_daemon(
    desk: Desk, tmp_path: Path
) -> None:
    _mail(desk, at=dt.datetime(2025, 12, 29, 9, tzinfo=CPH), sender="s@example.dk", ref="s1")
    st = desk.status()
    assert st.overdue == 1 and st.open_alerts == 0
    # No source configured: nothing for a daemon to do, so it is not late.
    assert not st.daemon_late
    desk = _with(desk, f"\n[phone]\ninbox = '{tmp_path}'\n")
    assert desk.status().daemon_late  # never ran
    with session_scope(desk.engine) as s:
        s.add(SyncState(kind="phone", name="inbox", last_success=NOW - dt.timedelta(minutes=1)))
    assert not desk.status().daemon_late
    with session_scope(desk.engine) as s:
        row = s.exec(select(SyncState)).one()
        row.last_success = NOW - dt.timedelta(hours=1)
    assert desk.status().daemon_late


def test_link_contacts_raises_user_errors(engine: Engine) -> None:
    """Issue 22: store.contacts raised LookupError where the rest raise UserError."""
    with session_scope(engine) as s:
        with pytest.raises(UserError) as e:
            link_contacts(session=s, contact_ids=[1], case_id=5)
        assert e.value.code == "no_case"


def test_an_erasure_after_a_merge_reaches_the_merged_partys_calls(desk: Desk) -> None:
    """Merge, then erase the kept party: the merged party's imported call is erased
    too, and its row key stays as a tombstone, so the next phone export that covers it
    does not bring the number back."""
    from store.privacy.erase import erase_party, plan_erase
    from store.privacy.tombstones import purged_calls

    key = "2026-01-02T08:00:00Z|+4560606060|in|0"
    with session_scope(desk.engine) as s:
        keep = create_party(session=s, party_in=PartyCreate(name="Bo"))
        other = create_party(session=s, party_in=PartyCreate(name="Bo", phones=["60606060"]))
        call = add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="phone",
                direction="in",
                counterpart="+4560606060",
                occurred_at=dt.datetime(2026, 1, 2, 8, tzinfo=dt.UTC),
                source_ref="call:" + key,
            ),
        )
        call.call_status = "missed"
        ids = (keep.id, other.id, call.id)
    assert call.party_id == ids[1]
    desk.merge_parties(ids[0], ids[1])  # type: ignore[arg-type]
    with session_scope(desk.engine) as s:
        erase_party(session=s, plan=plan_erase(session=s, party_id=ids[0]), now=NOW)  # type: ignore[arg-type]
    with Session(desk.engine) as s:
        c = s.get(Contact, ids[2])
        assert c is not None and c.party_id == ids[0] and c.purged_at is not None
        assert c.counterpart is None and "+4560606060" not in (c.source_ref or "")
        assert purged_calls(s, [key]) == {key}
    # The erased party is anonymised: it cannot be merged into a named one again.
    with session_scope(desk.engine) as s:
        fresh = create_party(session=s, party_in=PartyCreate(name="Ny"))
        fresh_id = fresh.id
    with pytest.raises(UserError) as e:
        desk.merge_parties(fresh_id, ids[0])  # type: ignore[arg-type]
    assert e.value.code == "party_anonymised"


def test_the_preview_names_the_sender_from_the_from_header(desk: Desk) -> None:
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    cid = _mail(desk, at=at, sender="s@example.dk", ref="sn")
    with session_scope(desk.engine) as s:
        m = s.exec(select(EmailMessage).where(EmailMessage.contact_id == cid)).one()
        m.raw = (
            b'From: "=?utf-8?q?S=C3=B8ren?= \x1b[31mHolm" <s@example.dk>\r\n'
            b"Subject: Hej\r\n\r\nFrom: Not Me <x@example.dk>\r\n"
        )
    preview = desk.preview(cid)
    assert preview is not None and preview.sender_name == "Søren [31mHolm"
    bare = _mail(desk, at=at, sender="t@example.dk", ref="sn2")
    assert desk.preview(bare).sender_name == ""  # type: ignore[union-attr]


def test_the_preview_names_the_sender_from_the_signature_when_the_header_has_none(
    desk: Desk,
) -> None:
    """A bare address in From: the name under the closing phrase prefills the party
    name; quoted text and a line that is not a name are not taken."""
    at = dt.datetime(2026, 1, 2, 9, tzinfo=CPH)
    cid = _mail(desk, at=at, sender="kh@example.dk", ref="sig")
    with session_scope(desk.engine) as s:
        m = s.exec(select(EmailMessage).where(EmailMessage.contact_id == cid)).one()
        m.raw = b"From: kh@example.dk\r\nSubject: Hej\r\n\r\nHej\r\n"
        m.text = (
            "Hej\n\nKan I hjælpe?\n\nVenlig hilsen\nKnud Hansen\nTlf. 22 33 44 55\n\n"
            "> Med venlig hilsen\n> Borgerrådgiveren\n"
        )
    assert desk.preview(cid).sender_name == "Knud Hansen"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Mvh\nAnne-Mette Ølund", "Anne-Mette Ølund"),
        ("Med venlig hilsen\n\nSøren Holm", "Søren Holm"),
        ("Kind regards,\nJane Doe", "Jane Doe"),
        ("Venlig hilsen\nfra mig", ""),  # not a name
        ("Venlig hilsen\n[bold]x[/] =1+1", ""),
        ("Ingen hilsen her\nKnud Hansen", ""),
        ("> Venlig hilsen\n> Knud Hansen", ""),  # quoted
    ],
)
def test_signature_name(body: str, name: str) -> None:
    from store.desk.signature import signature_name

    assert signature_name(body) == name


def test_closing_asks_for_the_outcome_the_action_expects(
    engine: Engine, haderslev_config: Config
) -> None:
    desk = Desk(engine, haderslev_config, clock=lambda: NOW)
    case_id, _ = desk.new_case(NewCaseRequest(party_name="U", category="Klage"))
    assert desk.outcome_needed(case_id) == ()  # no action yet: nothing to ask
    desk.set_classification(case_id, Classification("Klage", "Undersøgt", None))
    assert desk.outcome_needed(case_id) == (
        "Genoptaget af forvaltningen",
        "Henstilling",
        "Ingen kritik",
    )
    before = _snapshot(engine)
    with pytest.raises(UserError) as e:
        desk.set_closed(case_id, True, outcome="Styrket dialog")
    assert e.value.code == "outcome_not_allowed" and _snapshot(engine) == before
    desk.set_closed(case_id, True, outcome="Ingen kritik")
    detail = desk.case(case_id)
    assert detail is not None
    assert (detail.closed_on, detail.outcome) == (dt.date(2026, 1, 5), "Ingen kritik")
    assert desk.outcome_needed(case_id) == ()
    desk.set_closed(case_id, False)
    assert [e.kind for e in desk.case(case_id).events][:3] == [  # type: ignore[union-attr]
        "reopened",
        "closed",
        "classified",
    ]
