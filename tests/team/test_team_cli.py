"""`borgerdesk team …` on a real PostgreSQL: idempotent, audited as the database role,
and bad input is one line, exit 2, nothing changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from store.db import make_engine
from tests.team.conftest import PASSWORD, as_role


def _audit(url: str) -> list[tuple[str, str, str | None]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT os_user, action, entity_id FROM audit_log WHERE action LIKE 'team.%' "
                "ORDER BY id"
            )
        ).all()
    engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def _roles(url: str, name: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT g.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
                "JOIN pg_roles g ON g.oid = a.roleid WHERE m.rolname = :n"
            ),
            {"n": name},
        )
        out = sorted(r[0] for r in rows)
    engine.dispose()
    return out


def test_team_commands_on_sqlite_say_a_team_needs_postgresql(cli, tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    for args in (
        ["init"],
        ["add-user", "anne", "--role", "advisor"],
        ["remove-user", "anne"],
        ["list"],
    ):
        r = cli("--db", f"sqlite:///{db}", "team", *args)
        assert r.code == 2, r
        assert r.err.count("\n") == 1 and "a team needs PostgreSQL" in r.err
    assert not db.exists()  # nothing written, not even an empty file


def test_add_and_remove_are_idempotent_and_audited_as_the_database_role(
    cli, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BORGERDESK_TEAM_PASSWORD", PASSWORD)
    owner = make_url(pg_url).username
    name = f"anne_{uuid.uuid4().hex[:6]}"
    try:
        assert cli("--db", pg_url, "team", "init").code == 0  # again: the fixture ran it
        r = cli("--db", pg_url, "team", "add-user", name, "--role", "advisor")
        assert r.code == 0 and "tilføjet" in r.out  # Danish: no config
        r = cli("--db", pg_url, "team", "add-user", name, "--role", "advisor")
        assert r.code == 0 and "allerede" in r.out
        assert _roles(pg_url, name) == ["borgerdesk_advisor"]
        r = cli("--db", pg_url, "team", "add-user", name, "--role", "whistleblower")
        assert r.code == 0 and _roles(pg_url, name) == ["borgerdesk_whistleblower"]
        assert f"{name}\twhistleblower" in cli("--db", pg_url, "team", "list").out
        # She can log in with the password given through the environment.
        engine = make_engine(as_role(pg_url, name))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == name
        engine.dispose()
        assert cli("--db", pg_url, "team", "remove-user", name).code == 0
        r = cli("--db", pg_url, "team", "remove-user", name)
        assert r.code == 0 and "allerede fjernet" in r.out
    finally:
        engine = make_engine(pg_url)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        engine.dispose()
    # Logged once per change, and as the PostgreSQL role that made it (not the OS user).
    assert _audit(pg_url) == [
        (owner, "team.init", None),
        (owner, "team.added", name),
        (owner, "team.changed", name),
        (owner, "team.removed", name),
    ]


def test_bad_input_is_one_line_and_changes_nothing(
    cli, pg_url: str, person: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BORGERDESK_TEAM_PASSWORD", PASSWORD)
    advisor = person("advisor")
    before = _audit(pg_url)
    cases = [
        (["team", "remove-user", "nobody_here"], "no such desk user"),
        (["team", "add-user", "Robert'); DROP", "--role", "advisor"], "lowercase letters"),
        (["team", "add-user", "bob", "--role", "boss"], "--role 'boss'"),
        (["team", "remove-user", "postgres"], "not a desk user"),
    ]
    for args, says in cases:
        r = cli("--db", pg_url, *args)
        assert r.code == 2, (args, r)
        assert r.err.count("\n") == 1 and says in r.err, (args, r.err)
    # A desk person cannot set up the team or add people.
    for args in (["team", "init"], ["team", "add-user", "bob", "--role", "admin"]):
        r = cli("--db", advisor, *args)
        assert r.code == 2 and r.err.count("\n") == 1, (args, r)
        assert "may not set up the team" in r.err, r.err
    assert _audit(pg_url) == before
    assert _roles(pg_url, "bob") == []


def test_a_desk_started_as_a_removed_role_or_a_role_without_grants_is_one_line(
    cli, pg_url: str, person: Callable[[str], str]
) -> None:
    url = person("advisor")
    name = make_url(url).username or ""
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'REVOKE borgerdesk_advisor FROM "{name}"')
    engine.dispose()
    r = cli("--db", url, "status")
    assert r.code == 2 and r.err.count("\n") == 1, r
    assert "no borgerdesk role" in r.err and "team add-user" in r.err
    assert cli("--db", pg_url, "team", "remove-user", name).code == 2  # not a member now
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP ROLE "{name}"')
    engine.dispose()
    r = cli("--db", url, "status")
    assert r.code == 2 and r.err.count("\n") == 1, r
    assert "cannot open the database" in r.err
