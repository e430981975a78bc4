"""The whistleblower compartment is sealed by the database: an advisor sees none of it
by any SQL, the officer sees it and every read is logged by the database itself."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from store.db import make_engine
from store.team.compartment import READ_ACTION, SEALED
from tests.team.world import build


def _psql(url: str, sql: str) -> list[str]:
    u = make_url(url)
    env = {**os.environ, "PGPASSWORD": u.password or ""}
    out = subprocess.run(
        [
            "psql",
            "-X",
            "-At",
            "-h",
            u.host or "localhost",
            "-U",
            u.username or "",
            "-d",
            u.database or "",
            "-c",
            sql,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.splitlines()


def test_advisor_with_psql_sees_no_whistleblower_contact(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    advisor = person("advisor")
    rows = _psql(advisor, "SELECT * FROM contact")
    assert len(rows) == 1 and "mail c_general" in rows[0]
    assert not any("c_wb" in r for r in rows)
    # The owner (schema owner, not a desk person) still has both.
    assert len(_psql(pg_url, "SELECT * FROM contact")) == 2
    assert ids["c_wb"]


def test_advisor_reads_nothing_of_the_compartment_from_any_table(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    engine = make_engine(person("advisor"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM case_")).scalars().all() == [ids["general"]]
        assert conn.execute(text("SELECT id FROM party")).scalars().all() == [ids["citizen"]]
        assert conn.execute(text("SELECT count(*) FROM whistleblower_reporter")).scalar() == 0
        assert conn.execute(text("SELECT text FROM case_note")).scalars().all() == [
            "note c_general"
        ]
        assert (
            conn.execute(
                text("SELECT count(*) FROM audit_log WHERE entity = 'case' AND entity_id = :i"),
                {"i": str(ids["wb"])},
            ).scalar()
            == 0
        )
        # Every sealed table answers, and none shows a row of the whistleblower case.
        for table in SEALED:
            conn.execute(text(f"SELECT * FROM {table}")).all()
        # The anonymous counts are open to her: counts only.
        counts = conn.execute(
            text(
                "SELECT * FROM borgerdesk_whistleblower_counts('2026-01-01', '2026-12-31', "
                "'2026-01-01', '2027-01-01', '{}', '{}')"
            )
        ).one()
        assert counts.received == 1
    # Nor can she write into it: move her case into the compartment, or a contact onto
    # the whistleblower case.
    for stmt in (
        f"UPDATE case_ SET kind = 'whistleblower' WHERE id = {ids['general']}",
        f"UPDATE contact SET case_id = {ids['wb']} WHERE id = {ids['c_general']}",
        "DELETE FROM audit_log",
    ):
        with engine.connect() as conn, pytest.raises(DBAPIError):
            conn.execute(text(stmt))
    engine.dispose()


def test_the_officer_reads_the_compartment_and_the_database_logs_it(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    url = person("whistleblower")
    officer = make_url(url).username
    engine = make_engine(url)
    with engine.begin() as conn:
        assert sorted(conn.execute(text("SELECT id FROM case_")).scalars()) == sorted(
            [ids["general"], ids["wb"]]
        )
        assert conn.execute(text("SELECT name FROM whistleblower_reporter")).scalar() == (
            "Kim Kilde"
        )
        # Read twice in one transaction: logged once.
        conn.execute(text("SELECT * FROM case_")).all()
    with engine.connect() as conn:
        logged = conn.execute(
            text("SELECT os_user, entity, entity_id FROM audit_log WHERE action = :a"),
            {"a": READ_ACTION},
        ).all()
    engine.dispose()
    assert (officer, "case", str(ids["wb"])) in logged
    assert logged.count((officer, "case", str(ids["wb"]))) == 1
    # General rows are not logged as compartment reads.
    assert all(entity_id != str(ids["general"]) for _, _, entity_id in logged)
    # The officer's log is itself in the compartment: an advisor does not see it.
    advisor = make_engine(person("advisor"))
    with advisor.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM audit_log WHERE action = :a"), {"a": READ_ACTION}
            ).scalar()
            == 0
        )
    advisor.dispose()


def test_the_daemon_ingests_into_the_compartment_but_edits_no_case(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    engine = make_engine(person("daemon"))
    when = dt.datetime(2026, 3, 3, tzinfo=dt.UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contact (channel, direction, occurred_at, occurred_on, case_id, "
                "access_request, dismissed, created_at) VALUES ('email', 'in', :w, :d, :c, "
                "false, false, :w) RETURNING id"
            ),
            {"w": when, "d": when.date(), "c": ids["wb"]},
        )
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("UPDATE case_ SET title = 'x'"))
    engine.dispose()
