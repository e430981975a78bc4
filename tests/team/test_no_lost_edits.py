"""No lost edits, with processes (as desks are): writers edit one case from versions they
read, and triage the same contacts at once. On PostgreSQL and on SQLite."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp

import pytest
from sqlalchemy import select
from sqlmodel import col

from store.cases import update_case
from store.concurrency import TRIAGE, ContactTaken, StaleEdit
from store.contacts import dismiss_contact, link_contacts
from store.db import make_engine, session_scope, write_scope
from store.models import AuditLog, Case, CaseUpdate, Contact

WRITERS = 4
EDITS = 1000
CONTACTS = 100
WHEN = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


def _edit(url: str, case_id: int, writer: int, n: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    engine = make_engine(url)
    saved, refused = [], []
    for i in range(n):
        with session_scope(engine) as s:
            case = s.get(Case, case_id)
            assert case is not None
            version = case.version
        title = f"w{writer}-{i}"
        try:
            with write_scope(engine) as s:
                update_case(
                    session=s, case_id=case_id, changes=CaseUpdate(title=title), version=version
                )
            saved.append(title)
        except StaleEdit as e:
            assert e.code == "stale_case" and e.params["who"] not in ("", "?"), e
            refused.append(title)
    engine.dispose()
    out.put((saved, refused))


def test_concurrent_edits_lose_nothing_and_every_refusal_is_reported(url: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as s:
        case = Case(ref="2026-001", opened_on=WHEN.date())
        s.add(case)
        s.flush()
        case_id = int(case.id or 0)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_edit, args=(url, case_id, w, EDITS // WRITERS, out))
        for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    saved = [t for s_, _ in results for t in s_]
    refused = [t for _, r in results for t in r]
    assert len(saved) + len(refused) == EDITS
    assert refused, "the writers never conflicted: the test proves nothing"
    with session_scope(engine) as s:
        final = s.get(Case, case_id)
        assert final is not None
        entries = (
            s.execute(
                select(AuditLog)
                .where(
                    col(AuditLog.entity) == "case",
                    col(AuditLog.entity_id) == "2026-001",
                    col(AuditLog.action) == "edit_case",
                )
                .order_by(col(AuditLog.id))
            )
            .scalars()
            .all()
        )
    engine.dispose()
    # Every saved edit is one version and one audit entry; the last entry is the state.
    assert final.version == 1 + len(saved)
    news = [json.loads(e.detail or "{}")["new"] for e in entries]
    assert sorted(news) == sorted(saved)
    assert news[-1] == final.title


def _triage(url: str, case_id: int | None, ids: list[int], out: mp.Queue) -> None:  # type: ignore[type-arg]
    engine = make_engine(url)
    won, lost = [], []
    for cid in ids:
        try:
            with write_scope(engine) as s:
                if case_id is None:
                    dismiss_contact(session=s, contact_id=cid, reason="spam")
                else:
                    link_contacts(session=s, contact_ids=[cid], case_id=case_id, seen={cid: TRIAGE})
            won.append(cid)
        except ContactTaken as e:
            assert e.params["who"] not in ("", "?") and e.params["contact_id"] == cid
            lost.append(cid)
    engine.dispose()
    out.put((case_id, won, lost))


def test_two_desks_triaging_the_same_mail_exactly_one_wins(url: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as s:
        case = Case(ref="2026-002", opened_on=WHEN.date())
        contacts = [
            Contact(channel="email", direction="in", occurred_at=WHEN, occurred_on=WHEN.date())
            for _ in range(CONTACTS)
        ]
        s.add_all([case, *contacts])
        s.flush()
        case_id = int(case.id or 0)
        ids = [int(c.id or 0) for c in contacts]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_triage, args=(url, who, ids, out)) for who in (case_id, None)]
    for p in procs:
        p.start()
    results = {r[0]: r[1:] for r in (out.get(timeout=600) for _ in procs)}
    for p in procs:
        p.join(timeout=60)
    (linked, link_lost), (dismissed, dismiss_lost) = results[case_id], results[None]
    assert sorted(linked + dismissed) == ids  # each contact won exactly once
    assert sorted(link_lost + dismiss_lost) == ids  # and the other desk was told
    with session_scope(engine) as s:
        rows = s.execute(select(Contact).where(col(Contact.id).in_(ids))).scalars().all()
    engine.dispose()
    assert sorted(c.id for c in rows if c.case_id == case_id and not c.dismissed) == sorted(linked)
    assert sorted(c.id for c in rows if c.dismissed and c.case_id is None) == sorted(dismissed)
