"""`doctor` on PostgreSQL: the connecting role's grants, that row-level security seals
the compartment, that the tables notify the desks of changes, and that the database
server's clock agrees with this machine's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

from store.privacy.purge import ADMIN_PURGE
from store.team.compartment import SEALED
from store.team.live import missing_triggers
from store.team.roles import is_initialised
from store.team.roles_sql import GROUPS

# Beyond this the due times one desk shows and the server stamps disagree visibly.
CLOCK_SKEW = dt.timedelta(seconds=5)

# What each group role must be able to do (table, privilege), and must not.
NEEDS = {
    "advisor": [("case_", "UPDATE"), ("contact", "UPDATE"), ("audit_log", "INSERT")],
    "whistleblower": [("case_", "UPDATE"), ("whistleblower_reporter", "SELECT")],
    "admin": [("case_", "DELETE"), ("audit_purge_permit", "INSERT")],
    "daemon": [("contact", "INSERT"), ("email_message", "INSERT")],
}
MUST_NOT = {
    "advisor": [("audit_log", "DELETE"), ("audit_log", "UPDATE")],
    "whistleblower": [("audit_log", "DELETE")],
    "admin": [("audit_log", "UPDATE")],
    "daemon": [("case_", "UPDATE"), ("case_note", "INSERT")],
}


@dataclass(frozen=True)
class TeamCheck:
    name: str
    ok: bool | None  # None: a note
    detail: str
    # What the check found, for a caller that says it in its own language: `key`
    # ("role.ok", "rls.off", ...) and the values the sentence needs. `name` and `detail`
    # are the English line (logs, support).
    key: str = ""
    params: dict[str, object] = field(default_factory=dict)


def checks(engine: Engine, now: dt.datetime) -> list[TeamCheck]:
    with engine.connect() as conn:
        return [_role(conn), _rls(conn), _live(conn), _clock(conn, now)]


def _role(conn: Connection) -> TeamCheck:
    me, owner = conn.execute(
        text(
            "SELECT current_user, pg_get_userbyid(relowner) = current_user FROM pg_class "
            "WHERE oid = 'case_'::regclass"
        )
    ).one()
    if owner:
        return TeamCheck(
            "database role",
            True,
            f"{me} owns the tables (set-up and team commands; not a desk person)",
            "role.owner",
            {"me": me},
        )
    groups = [
        r
        for r, g in GROUPS.items()
        if conn.execute(text("SELECT pg_has_role(current_user, :g, 'MEMBER')"), {"g": g}).scalar()
    ]
    if not groups:
        return TeamCheck(
            "database role",
            False,
            f"{me} is in no borgerdesk role; ask the "
            f"administrator: borgerdesk team add-user {me} --role advisor",
            "role.none",
            {"me": me},
        )
    role = groups[-1]  # the most specific: an officer is also an advisor
    missing = [(p, t) for t, p in NEEDS[role] if not _has(conn, t, p)]
    granted = [(p, t) for t, p in MUST_NOT[role] if _has(conn, t, p)]
    wrong = [f"{p} on {t} missing" for p, t in missing]
    wrong += [f"{p} on {t} granted" for p, t in granted]
    if wrong:
        return TeamCheck(
            "database role",
            False,
            f"{me} ({role}): {'; '.join(wrong)}; run "
            "'borgerdesk team init' as the owner to re-apply the grants",
            "role.wrong",
            {"me": me, "role": role, "missing": missing, "granted": granted},
        )
    return TeamCheck(
        "database role",
        True,
        f"{me} ({', '.join(groups)}): grants as expected",
        "role.ok",
        {"me": me, "roles": ", ".join(groups)},
    )


def _has(conn: Connection, table: str, privilege: str) -> bool:
    return bool(
        conn.execute(
            text("SELECT has_table_privilege(:t, :p)"), {"t": table, "p": privilege}
        ).scalar()
    )


def _rls(conn: Connection) -> TeamCheck:
    if not is_initialised(conn):
        return TeamCheck(
            "row-level security",
            None,
            "no team set up (one PostgreSQL user); for a team run 'borgerdesk team init'",
            "rls.no_team",
        )
    off = (
        conn.execute(
            text(
                "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(:t) AND (NOT "
                "c.relrowsecurity "
                "OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid "
                "AND p.polname = 'borgerdesk_compartment')) ORDER BY 1"
            ),
            {"t": list(SEALED)},
        )
        .scalars()
        .all()
    )
    if off:
        return TeamCheck(
            "row-level security",
            False,
            f"off on {', '.join(off)}: the "
            "whistleblower compartment is open; run 'borgerdesk team init'",
            "rls.off",
            {"tables": ", ".join(off)},
        )
    return TeamCheck(
        "row-level security",
        True,
        f"on for all {len(SEALED)} tables with whistleblower data",
        "rls.ok",
        {"n": len(SEALED)},
    )


def _live(conn: Connection) -> TeamCheck:
    missing = missing_triggers(conn)
    if not missing:
        return TeamCheck("live updates", True, "every watched table notifies the desks", "live.ok")
    detail = (
        f"no change notifications from {', '.join(missing)}: the desks poll instead; "
        "run 'borgerdesk team init' as the owner"
    )
    # Without a team that is how it is set up (a note); in a team it is a fault.
    ok = False if is_initialised(conn) else None
    return TeamCheck("live updates", ok, detail, "live.off", {"tables": ", ".join(missing)})


def purge_note(retention_configured: bool) -> TeamCheck | None:
    """With retention configured, who purges on PostgreSQL (not the daemon)."""
    if not retention_configured:
        return None
    return TeamCheck("retention purge", None, ADMIN_PURGE, "purge.admin")


def _clock(conn: Connection, now: dt.datetime) -> TeamCheck:
    server = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    skew = abs(server - now)
    detail = f"database server and this machine differ by {skew.total_seconds():.1f} s"
    seconds: dict[str, object] = {"seconds": skew.total_seconds()}
    if skew > CLOCK_SKEW:
        return TeamCheck(
            "database clock", False, detail + "; set both to NTP", "clock.skew", seconds
        )
    return TeamCheck("database clock", True, detail, "clock.ok", seconds)
