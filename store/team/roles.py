"""Team set-up and people: `team init`, `team add-user`, `team remove-user`.

Each runs in one transaction (role DDL is transactional in PostgreSQL), with its audit
entry, so a refused or failed command changes nothing. They run as the schema owner (the
role that ran `db upgrade`), which needs CREATEROLE; the people never own anything.
Their errors carry no `code`: only the CLI (English) meets them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from store import audit
from store.db import session_scope
from store.errors import UserError
from store.team import compartment, live
from store.team.roles_sql import ADVISOR, DAEMON, GROUPS, create_groups, grants

NAME_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
RoleChoice = Literal["advisor", "whistleblower", "admin", "daemon"]


def require_postgres(engine: Engine | str) -> None:
    """Refuse SQLite; `engine` may be a URL, so the refusal comes before any file is
    opened."""
    backend = (
        make_url(engine).get_backend_name() if isinstance(engine, str) else (engine.dialect.name)
    )
    if backend != "postgresql":
        raise UserError(
            "a team needs PostgreSQL; this desk uses a SQLite file (one advisor). Set "
            "[database] url to postgresql://… (README, 'Running a team')",
        )


def _check_name(name: str) -> None:
    if not NAME_RE.fullmatch(name) or name.startswith(("borgerdesk_", "pg_")):
        raise UserError(
            f"user {name!r}: use lowercase letters, digits and _ (at most 63, not starting "
            "with a digit, 'pg_' or 'borgerdesk_'), e.g. 'anne_m'",
        )


def _tables() -> list[str]:
    import store.models  # noqa: F401  (registers every table)

    return [t.name for t in SQLModel.metadata.sorted_tables] + ["alembic_version"]


def _ddl(conn: Connection, statements: list[str]) -> None:
    who = conn.exec_driver_sql("SELECT current_user").scalar()
    try:
        for stmt in statements:
            conn.exec_driver_sql(stmt)
    except DBAPIError as e:
        if type(e.orig).__name__ == "InsufficientPrivilege":
            raise UserError(
                f"role {who} may not set up the team (it must own the borgerdesk tables and "
                "have CREATEROLE); nothing was changed; run team commands as the role that "
                "ran 'borgerdesk db upgrade'",
            ) from None
        raise


def is_initialised(conn: Connection) -> bool:
    return bool(
        conn.exec_driver_sql(
            "SELECT relrowsecurity FROM pg_class WHERE oid = 'case_'::regclass"
        ).scalar()
    )


def init_team(engine: Engine) -> bool:
    """Group roles, grants, policies; True when it changed the database (the first run).
    Re-running re-applies every statement (tables added by later migrations get their
    grants) and is not logged again."""
    require_postgres(engine)
    with session_scope(engine) as session:
        conn = session.connection()
        first = not is_initialised(conn)
        roles = [ADVISOR, DAEMON]
        _ddl(
            conn,
            create_groups()
            + grants(_tables())
            + compartment.statements()
            + compartment.function_grants(roles)
            + live.statements(),
        )
        if first:
            audit.record(session, action="team.init", entity="team")
        return first


@dataclass(frozen=True)
class Member:
    name: str
    role: str  # a key of GROUPS


def members(engine: Engine) -> list[Member]:
    require_postgres(engine)
    with engine.connect() as conn:
        return _members(conn)


def _members(conn: Connection, name: str | None = None) -> list[Member]:
    by_group = {g: r for r, g in GROUPS.items()}
    rows = conn.execute(
        text(
            "SELECT m.rolname, g.rolname FROM pg_auth_members a "
            "JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.roleid "
            "WHERE g.rolname = ANY(:groups) AND m.rolcanlogin "
            "AND (CAST(:name AS text) IS NULL OR m.rolname = :name) ORDER BY 1, 2"
        ),
        {"groups": list(by_group), "name": name},
    ).all()
    return [Member(m, by_group[g]) for m, g in rows]


def _require_init(conn: Connection) -> None:
    if not is_initialised(conn):
        raise UserError("the team is not set up on this database; run 'borgerdesk team init' first")


def scram_verifier(password: str) -> str:
    """A SCRAM-SHA-256 verifier (RFC 5802/7677), the form PostgreSQL stores: the server
    never receives the password itself, so it is in no statement log."""
    salt, iterations = os.urandom(16), 4096
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}$"
        f"{b64(stored_key).decode()}:{b64(server_key).decode()}"
    )


def add_user(engine: Engine, name: str, role: RoleChoice, password: str | None) -> str:
    """Create login role `name` in group `role`, or move an existing member to it.
    Returns 'added', 'changed' or 'unchanged'. `password` None: no password (peer or
    certificate authentication)."""
    require_postgres(engine)
    _check_name(name)
    if role not in GROUPS:
        raise UserError(f"--role {role!r}: choose one of {', '.join(GROUPS)}")
    with session_scope(engine) as session:
        conn = session.connection()
        _require_init(conn)
        existing = conn.execute(
            text("SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = :n"),
            {"n": name},
        ).first()
        current = _members(conn, name)
        if existing is not None and not current and (existing[0] or existing[1]):
            raise UserError(
                f"user {name}: is a superuser or the schema owner, not a desk "
                "person; choose another name"
            )
        if [m.role for m in current] == [role]:
            return "unchanged"
        stmts = []
        if existing is None:
            secret = "" if password is None else f" PASSWORD '{scram_verifier(password)}'"
            stmts.append(f'CREATE ROLE "{name}" LOGIN{secret}')
        stmts += [f'REVOKE {GROUPS[m.role]} FROM "{name}"' for m in current]
        stmts.append(f'GRANT {GROUPS[role]} TO "{name}"')
        _ddl(conn, stmts)
        outcome = "added" if existing is None else "changed"
        audit.record(
            session,
            action=f"team.{outcome}",
            entity="role",
            entity_id=name,
            detail={"role": role, "was": [m.role for m in current]},
        )
        return outcome


def remove_user(engine: Engine, name: str) -> str:
    """Drop the login role `name`: 'removed', or 'unchanged' when a former member is
    already gone. An unknown name, or a role that is no desk person, is refused."""
    require_postgres(engine)
    _check_name(name)
    with session_scope(engine) as session:
        conn = session.connection()
        _require_init(conn)
        exists = (
            conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
            is not None
        )
        current = _members(conn, name)
        if not exists:
            known = conn.execute(
                text(
                    "SELECT 1 FROM audit_log WHERE action = 'team.added' AND entity = 'role' "
                    "AND entity_id = :n LIMIT 1"
                ),
                {"n": name},
            ).first()
            if known:
                return "unchanged"
            raise UserError(f"user {name}: no such desk user; see 'borgerdesk team list'")
        if not current:
            raise UserError(
                f"user {name}: this role is not a desk user (in no borgerdesk "
                "role); nothing was changed"
            )
        _ddl(conn, [f'DROP ROLE "{name}"'])
        audit.record(
            session,
            action="team.removed",
            entity="role",
            entity_id=name,
            detail={"was": [m.role for m in current]},
        )
        return "removed"
