"""Retention purge: personal data of expired cases goes, every report stays the same."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from store.config import Config, load_config_text, preset_text
from store.db import session_scope
from store.models import (
    AuditLog,
    AuditPurgePermit,
    CallRecord,
    Case,
    CaseHistory,
    CaseNote,
    Contact,
    EmailMessage,
    Party,
    PartyEmail,
    PartyPhone,
    ReplyTarget,
    WhistleblowerReporter,
)
from store.privacy.anonymise import flush_to_disk
from store.privacy.purge import purge
from store.privacy.retention import years_before
from tests.store.privacy_world import all_text, build_world, every_report

NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
RETENTION = """
[retention]
citizen_years = 5
consultancy_years = 3
whistleblower_years = 2
unlinked_years = 2
"""


def config_with(extra: str) -> Config:
    return load_config_text(preset_text("odsherred") + extra, "test")


@pytest.fixture
def cfg() -> Config:
    return config_with(RETENTION)


def _n(session: Session, model: type, *where: object) -> int:
    return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def test_purge_keeps_every_report_over_a_multi_year_store(engine: Engine, cfg: Config) -> None:
    with session_scope(engine) as s:
        world = build_world(s, cfg, n_parties=60, n_cases=160)
    with session_scope(engine) as s:
        before = every_report(s, years=range(2014, 2027))
    # The reports are not trivially empty: real numbers in many cells.
    assert sum(v[3] for v in before.values()) > 10_000
    assert len(before) > 800
    with session_scope(engine) as s:
        report = purge(session=s, config=cfg, now=NOW, dry_run=False)
    r = report.removed
    assert r.cases > 40 and r.contacts > 150 and r.messages > 20 and r.calls > 20
    assert r.parties_anonymised > 0
    # Several kinds and several years were purged.
    assert {c.kind for c in report.cases} == {"citizen", "consultancy", "whistleblower"}
    assert len({c.closed_on.year for c in report.cases}) >= 4
    with session_scope(engine) as s:  # a fresh session: what was committed
        after = every_report(s, years=range(2014, 2027))
    assert after.keys() == before.keys()
    changed = [q for q in before if before[q] != after[q]]
    assert not changed, f"{len(changed)} reports changed, e.g. {changed[:1]}"
    assert world.parties  # keep the world alive for debugging


def test_purge_removes_the_personal_data_and_only_that(engine: Engine, cfg: Config) -> None:
    with session_scope(engine) as s:
        world = build_world(s, cfg, n_parties=30, n_cases=70, seed=11)
    with session_scope(engine) as s:
        report = purge(session=s, config=cfg, now=NOW, dry_run=False)
    expired = {c.id for c in report.cases}
    assert expired
    with session_scope(engine) as s:
        for cid in expired:
            case = s.get(Case, cid)
            assert case is not None and case.purged_at is not None
            assert case.title is None and case.excluded_reason is None
            # classification kept
            assert case.kind == world.case_kind[cid]
            assert case.closed_on == world.case_closed[cid]
            assert _n(s, CaseNote, CaseNote.case_id == cid) == 0
            assert _n(s, WhistleblowerReporter, WhistleblowerReporter.case_id == cid) == 0
            assert _n(s, CaseHistory, CaseHistory.case_id == cid, CaseHistory.field == "title") == 0
            # the rest of the history stays (closing is always there for an expired case)
            assert (
                _n(s, CaseHistory, CaseHistory.case_id == cid, CaseHistory.field == "closed_on")
                == 1
            )
        contacts = s.scalars(select(Contact).where(Contact.case_id.in_(expired))).all()
        assert contacts
        for c in contacts:
            assert c.purged_at is not None
            assert c.summary is None and c.counterpart is None and c.dismissed_reason is None
            assert c.source_ref is None or not c.source_ref.startswith("call:")
            assert c.channel and c.direction and c.occurred_on  # count facts stay
        ids = [c.id for c in contacts]
        msgs = s.scalars(select(EmailMessage).where(EmailMessage.contact_id.in_(ids))).all()
        assert msgs
        for m in msgs:
            assert m.raw is None and m.text is None and m.subject is None
            assert m.from_addr is None and m.attachments is None and m.headers is None
            assert m.content_hash  # tombstone for re-sync dedupe
        assert _n(s, CallRecord, CallRecord.contact_id.in_(ids)) == 0
        assert _n(s, Contact, Contact.id.in_(ids), Contact.call_status.is_not(None)) == 0
        assert _n(s, Contact, Contact.id.in_(ids), Contact.call_raw_number.is_not(None)) == 0
        for t in s.scalars(select(ReplyTarget).where(ReplyTarget.contact_id.in_(ids))):
            assert t.met_note is None and t.state == "met"
        # Live cases keep everything.
        live = [cid for cid, closed in world.case_closed.items() if cid not in expired]
        assert live
        assert _n(s, CaseNote, CaseNote.case_id.in_(live)) == len(live)
        assert _n(s, Case, Case.id.in_(live), Case.title.is_not(None)) == len(live)

        # Parties: anonymised ones keep their kind and lose everything else; the purged
        # parties' marker strings are gone from every table.
        anonymised = s.scalars(select(Party).where(Party.anonymised_at.is_not(None))).all()
        assert len(anonymised) == report.removed.parties_anonymised > 0
        text = all_text(s)
        for p in anonymised:
            assert p.name is None and p.ref is None and p.kind
            assert _n(s, PartyEmail, PartyEmail.party_id == p.id) == 0
            assert _n(s, PartyPhone, PartyPhone.party_id == p.id) == 0
            secret = world.parties[p.id]["secret"]
            assert secret not in text, f"party {p.id}'s data survived the purge"
            assert world.parties[p.id]["phone"] not in text
        # ... while a party with a live case keeps its name and addresses.
        live_parties = {world.case_party[c] for c in live} - {None}
        for pid in live_parties:
            party = s.get(Party, pid)
            assert party is not None and party.anonymised_at is None and party.name
            assert world.parties[pid]["secret"] in text
        assert _n(s, AuditPurgePermit) == 0


def test_purged_text_is_gone_from_the_sqlite_file(engine: Engine, cfg: Config) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("inspects the SQLite file's bytes")

    # Many SQLite builds (python.org, macOS) leave secure_delete off (Debian's has it on):
    # store.db turns it on for every connection, so edits before the purge (old titles)
    # leave no garbage in free pages either.
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    with session_scope(engine) as s:
        world = build_world(s, cfg, n_parties=30, n_cases=60, seed=5)
    with session_scope(engine) as s:
        purge(session=s, config=cfg, now=NOW, dry_run=False)
    flush_to_disk(engine)
    engine.dispose()
    path = engine.url.database
    assert path
    with open(path, "rb") as f:
        data = f.read()
    with session_scope(engine) as s:
        gone = [p.id for p in s.scalars(select(Party).where(Party.anonymised_at.is_not(None)))]
    assert gone
    for pid in gone:
        assert world.parties[pid]["secret"].encode() not in data, "purged text in free pages"


def test_dry_run_lists_and_changes_nothing(engine: Engine, cfg: Config) -> None:
    with session_scope(engine) as s:
        build_world(s, cfg, n_parties=20, n_cases=50, seed=3)
    with session_scope(engine) as s:
        snapshot = all_text(s)
        dry = purge(session=s, config=cfg, now=NOW, dry_run=True)
    with session_scope(engine) as s:
        assert all_text(s) == snapshot
        real = purge(session=s, config=cfg, now=NOW, dry_run=False)
    assert dry.cases and [c.id for c in dry.cases] == [c.id for c in real.cases]
    assert dry.removed == real.removed
    # A second purge finds nothing and writes no audit entry.
    with session_scope(engine) as s:
        audits = _n(s, AuditLog)
        again = purge(session=s, config=cfg, now=NOW, dry_run=False)
    assert not again.removed.any() and not again.cases
    with session_scope(engine) as s:
        assert _n(s, AuditLog) == audits


def test_off_until_configured(engine: Engine) -> None:
    cfg = config_with("")
    with session_scope(engine) as s:
        build_world(s, cfg, n_parties=5, n_cases=10, seed=2)
    with session_scope(engine) as s:
        snapshot = all_text(s)
        report = purge(session=s, config=cfg, now=NOW, dry_run=False)
    assert not report.configured and not report.cases
    with session_scope(engine) as s:
        assert all_text(s) == snapshot


@pytest.mark.parametrize(
    ("day", "years", "cutoff"),
    [
        (dt.date(2026, 6, 1), 5, dt.date(2021, 6, 1)),
        (dt.date(2028, 2, 29), 1, dt.date(2027, 2, 28)),
        (dt.date(2026, 6, 1), 0.5, dt.date(2026, 6, 1) - dt.timedelta(days=183)),
    ],
)
def test_cutoff_dates(day: dt.date, years: float, cutoff: dt.date) -> None:
    assert years_before(day, years) == cutoff


def test_boundary_closed_exactly_five_years_ago(engine: Engine) -> None:
    cfg = config_with("\n[retention]\ncitizen_years = 5\n")
    from store.cases import create_case
    from store.models import CaseCreate

    with session_scope(engine) as s:
        for ref, closed in (("A", dt.date(2021, 6, 1)), ("B", dt.date(2021, 6, 2))):
            create_case(
                session=s,
                case_in=CaseCreate(
                    ref=ref, title="t", opened_on=dt.date(2021, 1, 1), closed_on=closed
                ),
            )
    # 2026-06-01 12:00 Copenhagen: case A closed five years ago today, B tomorrow.
    with session_scope(engine) as s:
        report = purge(session=s, config=cfg, now=NOW, dry_run=True)
    assert [c.ref for c in report.cases] == ["A"]


def test_purge_audits_itself_and_removes_free_text_audit_entries(
    engine: Engine, cfg: Config
) -> None:
    with session_scope(engine) as s:
        build_world(s, cfg, n_parties=20, n_cases=40, seed=9)
    with session_scope(engine) as s:
        report = purge(session=s, config=cfg, now=NOW, dry_run=False)
    refs = [c.ref for c in report.cases]
    with session_scope(engine) as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "purge")).one()
        assert entry.os_user and entry.at
        assert f'"cases": {len(refs)}' in (entry.detail or "")
        # edit_case entries (which quote the old and new title) about purged cases: gone.
        assert _n(s, AuditLog, AuditLog.action == "edit_case", AuditLog.entity_id.in_(refs)) == 0
        # classification entries stay: who classified what is no personal data.
        assert _n(s, AuditLog, AuditLog.action == "classify", AuditLog.entity_id.in_(refs)) > 0
        # dismissal reasons of purged unlinked contacts: gone; of kept ones: still there.
        purged = [
            str(i)
            for i in s.scalars(
                select(Contact.id).where(Contact.case_id.is_(None), Contact.purged_at.is_not(None))
            )
        ]
        kept = [
            str(i)
            for i in s.scalars(
                select(Contact.id).where(
                    Contact.case_id.is_(None), Contact.purged_at.is_(None), Contact.dismissed
                )
            )
        ]
        assert purged and kept
        assert _n(s, AuditLog, AuditLog.action == "dismiss", AuditLog.entity_id.in_(purged)) == 0
        assert _n(s, AuditLog, AuditLog.action == "dismiss", AuditLog.entity_id.in_(kept)) == len(
            kept
        )


def test_audit_retention_deletes_old_entries_through_the_permit(engine: Engine) -> None:
    cfg = config_with("\n[retention]\naudit_years = 2\n")
    with session_scope(engine) as s:
        for year in (2020, 2023, 2025):
            s.add(
                AuditLog(
                    at=dt.datetime(year, 1, 1, tzinfo=dt.UTC),
                    os_user="u",
                    action="classify",
                    entity="case",
                    entity_id=str(year),
                )
            )
    with session_scope(engine) as s:
        report = purge(session=s, config=cfg, now=NOW, dry_run=False)
    assert report.removed.audit_entries == 2
    with session_scope(engine) as s:
        left = sorted((a.action, a.entity_id) for a in s.scalars(select(AuditLog)))
        assert left == [("classify", "2025"), ("purge", None)]
        assert _n(s, AuditPurgePermit) == 0


def test_purge_blanks_the_values_in_old_import_logs(engine: Engine, cfg: Config) -> None:
    """A phone export's skipped rows are logged with the bad cell ("value"): often a
    phone number. Once the file is older than unlinked_years, the purge blanks the values
    and keeps line, column and reason (what was wrong with the file)."""
    import json

    from store.models import ImportedFile

    detail = [
        {
            "line": 7,
            "column": "Nummer",
            "value": "+45 22 33 44 55x",
            "reason": "not a phone number",
        },
        {"line": 9, "column": "Tidspunkt", "value": "31-02-2023 10:00", "reason": "no such date"},
    ]
    with session_scope(engine) as s:
        old = ImportedFile(
            sha256="a" * 64,
            kind="calls",
            name="jan.csv",
            rows=10,
            skipped=2,
            imported_at=NOW - dt.timedelta(days=800),
            skipped_detail=json.dumps(detail),
        )
        new = ImportedFile(
            sha256="b" * 64,
            kind="calls",
            name="may.csv",
            rows=10,
            skipped=2,
            imported_at=NOW - dt.timedelta(days=30),
            skipped_detail=json.dumps(detail),
        )
        clean = ImportedFile(
            sha256="c" * 64,
            kind="calls",
            name="feb.csv",
            rows=10,
            imported_at=NOW - dt.timedelta(days=900),
        )
        s.add_all([old, new, clean])
        s.flush()
        ids = old.id, new.id, clean.id
    with session_scope(engine) as s:
        dry = purge(session=s, config=cfg, now=NOW, dry_run=True)
    assert dry.removed.import_logs == 1
    with session_scope(engine) as s:
        assert s.get(ImportedFile, ids[0]).skipped_detail == json.dumps(detail)  # type: ignore[union-attr]
        report = purge(session=s, config=cfg, now=NOW, dry_run=False)
    assert report.removed.import_logs == 1
    with session_scope(engine) as s:
        got = [s.get(ImportedFile, i) for i in ids]
        assert json.loads(got[0].skipped_detail) == [  # type: ignore[union-attr, arg-type]
            {**d, "value": None} for d in detail
        ]
        assert json.loads(got[1].skipped_detail) == detail  # type: ignore[union-attr, arg-type]
        assert got[2].skipped_detail is None  # type: ignore[union-attr]
        entry = s.execute(select(AuditLog).where(AuditLog.action == "purge")).scalars().all()
        assert json.loads(entry[-1].detail or "{}")["removed"]["import_logs"] == 1
    with session_scope(engine) as s:  # nothing left to do the second time
        assert purge(session=s, config=cfg, now=NOW, dry_run=True).removed.import_logs == 0
