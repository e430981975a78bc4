"""A fresh PostgreSQL database per test (a unique name, dropped afterwards), the team set
up on it, and login roles for people; skipped where no server is configured.

BORGERDESK_TEST_DATABASE_URL's role must own what it creates and have CREATEDB and
CREATEROLE (.ci/run creates it so)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.exc import DBAPIError

from store.db import make_engine, upgrade
from store.team.roles import add_user, init_team

PG_URL = os.environ.get("BORGERDESK_TEST_DATABASE_URL")
PASSWORD = "team-test-secret"


def _admin() -> Engine:
    if not PG_URL:
        pytest.skip("team tests need PostgreSQL (BORGERDESK_TEST_DATABASE_URL)")
    engine = make_engine(PG_URL)
    with engine.connect() as conn:
        ok = conn.execute(
            text("SELECT rolcreaterole AND rolcreatedb FROM pg_roles WHERE rolname = current_user")
        ).scalar()
    if not ok:
        engine.dispose()
        pytest.skip("the test role needs CREATEDB and CREATEROLE (see .ci/run)")
    return engine


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A migrated database of its own, team initialised; URL of the owner."""
    admin = _admin()
    name = f"bd_team_{uuid.uuid4().hex[:12]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(str(PG_URL)).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        owner = make_engine(url)
        init_team(owner)
        owner.dispose()
        yield url
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: Engine, name: str) -> None:
    """Drop the test's database. A desk process of a person's role may still be closing
    its connection, which the test role may not terminate: wait for it a little."""
    for attempt in range(20):
        try:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.5)


@pytest.fixture
def person(pg_url: str) -> Iterator[Callable[[str], str]]:
    """`person("advisor")` -> the URL of a new login role in that group (dropped after)."""
    made: list[str] = []
    owner = make_engine(pg_url)

    def make(role: str) -> str:
        name = f"t_{role[:4]}_{uuid.uuid4().hex[:8]}"
        add_user(owner, name, role, PASSWORD)  # type: ignore[arg-type]
        made.append(name)
        return as_role(pg_url, name)

    yield make
    with owner.connect() as conn:
        for name in made:
            _end_sessions(conn, name)
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        conn.commit()
    owner.dispose()


def _end_sessions(conn: Connection, name: str) -> None:
    """A desk that failed mid-test may leave a session of this person open, and neither
    the test role nor, once the role is dropped, anybody but a superuser may end it: the
    database's drop then fails too, a second error hiding the first. Wait for it a
    little, then end it as a member of the role (CREATEROLE may grant that)."""
    sessions = text("SELECT pid FROM pg_stat_activity WHERE usename = :n")
    for _ in range(10):
        found = conn.execute(sessions, {"n": name}).first()
        conn.commit()  # a transaction reads one snapshot of pg_stat_activity
        if not found:
            return
        time.sleep(0.5)
    conn.exec_driver_sql(f'GRANT "{name}" TO CURRENT_USER')
    conn.execute(
        text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"),
        {"n": name},
    )


def as_role(url: str, name: str) -> str:
    return make_url(url).set(username=name, password=PASSWORD).render_as_string(hide_password=False)
