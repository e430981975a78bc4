"""Importing into a real (migrated SQLite) database: exactly once, whole or not at all,
linking like `add_contact`, reply targets in the same transaction."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlmodel import Session

from borgerdesk.commands.calls import report_line
from ingest.phone import importer
from ingest.phone.bulk import row_key
from ingest.phone.importer import PhoneImportError, import_bytes
from store.cases import create_case
from store.contacts import add_contact
from store.models import (
    AuditLog,
    CallRecord,
    CaseCreate,
    Contact,
    ContactCreate,
    ImportedFile,
    PartyCreate,
    ReplyTarget,
)
from store.parties import create_party
from tests.ingest.phone.samples import (
    ADVISOR_NUMBER,
    ADVISOR_UPN,
    COLLEAGUE_UPN,
    DK_HEADER,
    TEAMS_HEADER,
    csv_bytes,
    dk_rows,
    make_config,
    table_counts,
    teams_row,
)

UTC = dt.UTC
NOW = dt.datetime(2024, 10, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def config():
    return make_config()


def run(engine, config, data, name="uge40.csv", **kw):
    return import_bytes(data, name, engine=engine, config=config, now=NOW, **kw)


def test_rows_become_one_contact_each_with_the_call_details(engine, config):
    rep = run(engine, config, csv_bytes(DK_HEADER, dk_rows(), sep_line=True))
    assert (rep.status, rep.imported, rep.profile) == ("imported", 6, "dk-generic")
    with Session(engine) as s:
        contacts = s.execute(select(Contact).order_by(Contact.occurred_at)).scalars().all()
        f = s.execute(select(ImportedFile)).scalar_one()
        audit = s.execute(select(AuditLog).where(AuditLog.action == "import")).scalar_one()
        assert s.execute(select(CallRecord)).first() is None  # legacy table, not written
    assert len(contacts) == 6
    first = contacts[0]
    # Read back through the ORM types: aware UTC, Copenhagen local date.
    assert first.occurred_at == dt.datetime(2024, 10, 1, 7, 15, tzinfo=UTC)
    assert first.occurred_on == dt.date(2024, 10, 1)
    assert (first.channel, first.direction, first.counterpart) == ("phone", "in", "+4522334455")
    key = row_key(first.occurred_at, "+4522334455", "in", 125)
    assert key == "2024-10-01T07:15:00Z|+4522334455|in|125"
    assert first.source_ref == "call:" + key
    assert [c.call_status for c in contacts] == [
        "answered",
        "missed",
        "answered",
        "voicemail",
        "answered",
        "missed",
    ]
    assert first.call_duration_s == 125 and first.call_raw_number == "22 33 44 55"
    assert all(c.call_file_id == f.id for c in contacts)
    hidden = [k for k in contacts if k.counterpart is None]
    assert len(hidden) == 1 and hidden[0].party_id is None
    assert (f.kind, f.rows, f.skipped, f.name) == ("calls", 6, 0, "uge40.csv")
    assert json.loads(audit.detail)["rows"] == 6
    # The bulk-written times compare correctly in ORM queries (same stored format).
    with Session(engine) as s:
        n = s.execute(
            select(Contact.id).where(
                Contact.occurred_at >= dt.datetime(2024, 10, 2, 6, 1, tzinfo=UTC),
                Contact.occurred_on <= dt.date(2024, 10, 2),
            )
        ).all()
    assert len(n) == 2


def test_the_same_file_twice_imports_once(engine, config):
    data = csv_bytes(DK_HEADER, dk_rows())
    run(engine, config, data)
    before = table_counts(engine)
    rep = run(engine, config, data)
    assert rep.status == "already-imported"
    assert table_counts(engine) == before


def test_overlapping_exports_import_each_call_once(engine, config):
    rows = dk_rows()
    run(engine, config, csv_bytes(DK_HEADER, rows[:4]), "uge40a.csv")
    rep = run(engine, config, csv_bytes(DK_HEADER, rows[2:]), "uge40b.csv")
    assert (rep.imported, rep.duplicates) == (2, 2)
    # The same calls re-exported in another encoding and delimiter: new bytes, no new calls.
    rep = run(
        engine,
        config,
        csv_bytes(DK_HEADER, rows, encoding="utf-8", bom=True, delimiter="\t"),
        "igen.csv",
    )
    assert (rep.imported, rep.duplicates) == (0, 6)
    counts = table_counts(engine)
    assert (counts["contact"], counts["call_record"], counts["imported_file"]) == (6, 0, 3)


def test_calls_of_a_purged_period_do_not_come_back(engine):
    """A purged call's row key goes with its number, so an overlapping or re-sent export
    would bring the call back (and count it twice: the purged call's anonymous count fact
    stays). Calls from before the last purge's cut-off are left out, and said so."""
    from store.privacy.purge import purge

    config = make_config("[retention]\nunlinked_years = 1\n")
    rows = dk_rows()  # 1-3 Oct 2024
    run(engine, config, csv_bytes(DK_HEADER, rows[:4]), "uge40.csv")
    with Session(engine) as s:
        report = purge(
            session=s, config=config, now=dt.datetime(2025, 10, 2, 12, tzinfo=UTC), dry_run=False
        )
        s.commit()
    assert report.removed.contacts == 4  # 1-2 Oct 2024: before the cut-off 2 Oct 2024 12:00
    before = table_counts(engine)
    later = [["06-10-2025", "10:00:00", "Indgående", "22 33 44 55", "30", "Besvaret"]]
    # The same calls again (other bytes), the rest of that week, and a new call.
    rep = import_bytes(
        csv_bytes(DK_HEADER, rows + later, delimiter="\t"),
        "igen.csv",
        engine=engine,
        config=config,
        now=dt.datetime(2025, 10, 7, tzinfo=UTC),
    )
    # The four purged calls (1 Oct, 2 Oct 08:01) are known by their numberless keys;
    # cut-off 2 Oct 2024 12:00 UTC: 2 Oct 13:30 local (11:30 UTC), never imported, is
    # from the purged period; 3 Oct and 2025 come in.
    assert (rep.imported, rep.purged_calls, rep.purged_period) == (2, 4, 1)
    line = report_line(rep, "en")
    assert "4 call(s) left out (purged or erased before)" in line
    assert "1 call(s) from before 2024-10-02 left out (that period was purged" in line
    assert "1 opkald fra før 02-10-2024 udeladt" in report_line(rep, "da")
    assert table_counts(engine)["contact"] == before["contact"] + 2
    with Session(engine) as s:
        numbers = {c.counterpart for c in s.execute(select(Contact)).scalars()}
    assert "+4522334455" in numbers  # the 2025 call
    assert numbers - {None, "+4522334455", "+46812345678"} == set(), numbers


def test_calls_of_a_purged_case_do_not_come_back_without_unlinked_retention(engine):
    """Only case retention configured: the calls of an expired case are purged with it,
    and a re-sent or overlapping export must not bring them back as new contacts. The
    purge keeps each call's row key without its number; the number is gone."""
    from store.privacy.purge import purge

    config = make_config("[retention]\ncitizen_years = 1\n")
    rows = dk_rows()  # 1-3 Oct 2024
    run(engine, config, csv_bytes(DK_HEADER, rows[:3]), "uge40.csv")
    with Session(engine) as s:
        case = create_case(
            session=s,
            case_in=CaseCreate(
                ref="2024-0001",
                kind="citizen",
                opened_on=dt.date(2024, 10, 1),
                closed_on=dt.date(2024, 10, 4),
            ),
        )
        for c in s.execute(select(Contact)).scalars():
            c.case_id = case.id
        s.commit()
    with Session(engine) as s:
        report = purge(
            session=s, config=config, now=dt.datetime(2025, 11, 1, 12, tzinfo=UTC), dry_run=False
        )
        s.commit()
    assert report.removed.contacts == 3
    with Session(engine) as s:
        refs = sorted(c.source_ref for c in s.execute(select(Contact)).scalars())
    assert refs == [
        "purged-call:2024-10-01T07:15:00Z|in|125",
        "purged-call:2024-10-01T07:40:00Z|in|0",
        "purged-call:2024-10-01T08:05:10Z|out|125",
    ]
    before = table_counts(engine)
    # The same export again, with the rest of the week: the three purged calls stay out,
    # the others come in. The same second, direction and length with another length
    # would be another call: it comes in.
    other = ["01-10-2024", "09:15:00", "Indgående", "22 33 44 55", "126", "Besvaret"]
    rep = import_bytes(
        csv_bytes(DK_HEADER, [*rows, other], delimiter="\t"),
        "igen.csv",
        engine=engine,
        config=config,
        now=dt.datetime(2025, 11, 2, tzinfo=UTC),
    )
    assert (rep.imported, rep.purged_calls, rep.duplicates) == (4, 3, 0)
    assert "3 call(s) left out (purged or erased before)" in report_line(rep, "en")
    assert table_counts(engine)["contact"] == before["contact"] + 4


def test_an_erased_partys_calls_do_not_come_back(engine, config):
    """The right to erasure: a later export covering the same days must not bring the
    erased person's calls (and number) back."""
    from store.privacy.erase import erase_party, plan_erase

    rows = dk_rows()
    run(engine, config, csv_bytes(DK_HEADER, rows), "uge40.csv")
    with Session(engine) as s:
        mine = [c for c in s.execute(select(Contact)).scalars() if c.counterpart == "+4522334455"]
        party = create_party(session=s, party_in=PartyCreate(name="Knud", kind="citizen"))
        for c in mine:
            c.party_id = party.id
        s.commit()
        assert len(mine) == 3
        plan = plan_erase(session=s, party_id=party.id)
        erase_party(session=s, plan=plan, now=dt.datetime(2024, 10, 8, tzinfo=UTC))
        s.commit()
    before = table_counts(engine)
    later = [["08-10-2024", "10:00:00", "Indgående", "44 55 66 77", "30", "Besvaret"]]
    rep = import_bytes(
        csv_bytes(DK_HEADER, rows + later, delimiter=";"),
        "uge40-41.csv",
        engine=engine,
        config=config,
        now=dt.datetime(2024, 10, 9, tzinfo=UTC),
    )
    assert (rep.imported, rep.purged_calls, rep.duplicates) == (1, 3, 3)
    assert table_counts(engine)["contact"] == before["contact"] + 1
    with Session(engine) as s:
        numbers = {c.counterpart for c in s.execute(select(Contact)).scalars()}
    assert "+4522334455" not in numbers, numbers


def test_a_call_repeated_within_one_file_counts_once(engine, config):
    rows = dk_rows()
    rep = run(engine, config, csv_bytes(DK_HEADER, [*rows, rows[0]]))
    assert (rep.imported, rep.duplicates) == (6, 1)


def test_bad_rows_import_nothing_and_list_every_row(engine, config):
    run(engine, config, csv_bytes(DK_HEADER, dk_rows()[:1]), "first.csv")
    before = table_counts(engine)
    rows = dk_rows()
    rows[1][4] = "abc"
    rows[4][1] = "25:99"
    with pytest.raises(PhoneImportError) as e:
        run(engine, config, csv_bytes(DK_HEADER, rows))
    msg = str(e.value)
    assert "\n" not in msg
    assert "2 bad row(s), nothing imported: line 3, column 'Varighed', value 'abc'" in msg
    assert "--skip-bad-rows" in msg
    assert e.value.report.splitlines()[1:] == [
        "line 3, column 'Varighed', value 'abc': not a duration (seconds or mm:ss)",
        "line 6, column 'Tidspunkt', value '25:99': no such time of day",
    ]
    assert table_counts(engine) == before


def test_skip_bad_rows_records_what_was_skipped(engine, config):
    rows = dk_rows()
    rows[1][4] = "abc"
    rep = run(engine, config, csv_bytes(DK_HEADER, rows), skip_bad_rows=True)
    assert rep.imported == 5 and [p.line for p in rep.skipped] == [3]
    with Session(engine) as s:
        f = s.execute(select(ImportedFile)).scalar_one()
    assert (f.rows, f.skipped) == (5, 1)
    assert json.loads(f.skipped_detail) == [
        {
            "line": 3,
            "column": "Varighed",
            "value": "abc",
            "reason": "not a duration (seconds or mm:ss)",
        }
    ]


def test_dry_run_writes_nothing(engine, config):
    run(engine, config, csv_bytes(DK_HEADER, dk_rows()[:2]), "first.csv")
    before = table_counts(engine)
    rep = run(engine, config, csv_bytes(DK_HEADER, dk_rows()), dry_run=True)
    assert (rep.status, rep.imported, rep.duplicates) == ("dry-run", 4, 2)
    assert table_counts(engine) == before


def test_a_failure_mid_write_leaves_nothing(engine, config, monkeypatch):
    """Whole or not at all: an error after the rows are inserted rolls all of them back."""
    before = table_counts(engine)

    def boom(*_a, **_kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer.NewCallReplies, "write", boom)
    with pytest.raises(RuntimeError):
        run(engine, config, csv_bytes(DK_HEADER, dk_rows()))
    assert table_counts(engine) == before


def test_only_the_advisors_line_is_imported(engine, config):
    rows = [
        teams_row(
            ADVISOR_UPN, "user_in", "+4522334455", ADVISOR_NUMBER, "2024-10-01T07:15:00Z", 125
        ),
        teams_row(
            COLLEAGUE_UPN, "user_in", "+4599887766", "+4559660000", "2024-10-01T07:16:00Z", 30
        ),
        teams_row(
            COLLEAGUE_UPN, "user_out", "+4559660000", "+4599887766", "2024-10-01T07:18:00Z", 30
        ),
    ]
    rep = run(engine, config, csv_bytes(TEAMS_HEADER, rows, delimiter=",", encoding="utf-8"))
    assert (rep.imported, rep.other_lines) == (1, 2)
    with Session(engine) as s:
        assert s.execute(select(Contact.call_line)).scalars().all() == [ADVISOR_UPN]


# --------------------------------------------------------------------------- linking


def _world(session: Session) -> dict[str, int]:
    """P1 has one open case; P2 two open cases; P3 one closed case."""
    p1 = create_party(session=session, party_in=PartyCreate(name="Knud", phones=["22334455"]))
    p2 = create_party(session=session, party_in=PartyCreate(name="Grete", phones=["33445566"]))
    p3 = create_party(session=session, party_in=PartyCreate(name="Ole", phones=["+46812345678"]))
    c1 = create_case(
        session=session,
        case_in=CaseCreate(ref="2024-0001", party_id=p1.id, opened_on=dt.date(2024, 9, 1)),
    )
    for ref in ("2024-0002", "2024-0003"):
        create_case(
            session=session,
            case_in=CaseCreate(ref=ref, party_id=p2.id, opened_on=dt.date(2024, 9, 1)),
        )
    create_case(
        session=session,
        case_in=CaseCreate(
            ref="2024-0004",
            party_id=p3.id,
            opened_on=dt.date(2024, 1, 1),
            closed_on=dt.date(2024, 2, 1),
        ),
    )
    session.commit()
    return {"p1": p1.id, "p2": p2.id, "p3": p3.id, "c1": c1.id}


def test_linking_follows_add_contact(engine, config):
    with Session(engine) as s:
        ids = _world(s)
    # The last call came before P1's one open case was opened (1 Sep 2024): it is P1's,
    # but it waits in triage; the export may come late, the case may be another matter.
    before = [["31-08-2024", "23:30", "Indgående", "22334455", "60", "Besvaret"]]
    run(engine, config, csv_bytes(DK_HEADER, dk_rows() + before))
    with Session(engine) as s:
        got = [
            (c.counterpart, c.direction, c.party_id, c.case_id, c.occurred_on)
            for c in s.execute(select(Contact).order_by(Contact.id)).scalars()
        ]
        # The same calls through store.contacts.add_contact, in a transaction rolled back.
        want = []
        for c in s.execute(select(Contact).order_by(Contact.id)).scalars().all():
            one = add_contact(
                session=s,
                contact_in=ContactCreate(
                    channel="phone",
                    direction=c.direction,
                    occurred_at=c.occurred_at,
                    counterpart=c.counterpart,
                    source_ref="cmp:" + (c.source_ref or ""),
                ),
            )
            want.append(
                (one.counterpart, one.direction, one.party_id, one.case_id, one.occurred_on)
            )
        s.rollback()
    assert got == want
    # And what that means:
    assert got[0][2:4] == (ids["p1"], ids["c1"])  # one open case: linked
    assert got[4][2:4] == (ids["p2"], None)  # two open cases: the party's, in triage
    assert got[5][2:4] == (ids["p3"], None)  # only a closed case: triage
    assert got[3][:4] == (None, "in", None, None)  # hidden number: unknown caller
    assert got[6][2:4] == (ids["p1"], None)  # before the case was opened: triage


def test_reply_targets_are_made_and_met_in_the_same_import(engine, config):
    """A missed call owes a reply; a later outbound call to the number meets it."""
    rows = [
        ["01-10-2024", "09:40", "Indgående", "22 33 44 55", "0", "Ubesvaret"],
        ["01-10-2024", "10:00", "Indgående", "33 44 55 66", "0", "Telefonsvarer"],
        ["01-10-2024", "11:00", "Indgående", "44 55 66 77", "30", "Besvaret"],
    ]
    run(engine, config, csv_bytes(DK_HEADER, rows), "a.csv")
    with Session(engine) as s:
        targets = s.execute(
            select(ReplyTarget, Contact.counterpart)
            .join(Contact, Contact.id == ReplyTarget.contact_id)
            .order_by(Contact.counterpart)
        ).all()
    assert [(t.state, cp) for t, cp in targets] == [
        ("open", "+4522334455"),
        ("open", "+4533445566"),
    ]
    run(
        engine,
        config,
        csv_bytes(
            DK_HEADER, [["02-10-2024", "09:00", "Udgående", "+45 22 33 44 55", "120", "Besvaret"]]
        ),
        "b.csv",
    )
    with Session(engine) as s:
        states = dict(
            s.execute(
                select(Contact.counterpart, ReplyTarget.state).join(
                    Contact, Contact.id == ReplyTarget.contact_id
                )
            ).all()
        )
    assert states == {"+4522334455": "met", "+4533445566": "open"}


def _index_sql(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('contact', 'call_record', 'reply_target')"
            ).all()
        )


def test_bulk_load_rebuilds_the_same_indexes(sqlite_url, config, monkeypatch):
    """A big first load drops and rebuilds the secondary indexes: afterwards they are
    exactly the migration's, and a failed load leaves them as they were. (SQLite: its bulk
    path and sqlite_master.)"""
    from store import bulkload
    from store.db import make_engine

    engine = make_engine(sqlite_url)

    before = _index_sql(engine)
    assert len(before) >= 7
    monkeypatch.setattr(bulkload, "REBUILD_MIN_ROWS", 1)

    def boom(*_a, **_kw):
        raise RuntimeError("disk full")

    with monkeypatch.context() as m:
        # Fails while the indexes are being rebuilt in the background.
        m.setattr(importer.NewCallReplies, "compute", boom)
        with pytest.raises(RuntimeError):
            run(engine, config, csv_bytes(DK_HEADER, dk_rows()), "a.csv")
    assert _index_sql(engine) == before
    rep = run(engine, config, csv_bytes(DK_HEADER, dk_rows()), "a.csv")
    assert rep.imported == 6
    assert _index_sql(engine) == before
    with Session(engine) as s:
        # The rebuilt indexes hold the new rows: an indexed lookup finds them.
        assert s.execute(select(Contact.id).where(Contact.counterpart == "+4522334455")).all()
    engine.dispose()
