"""The group roles and their least grants, as SQL (run by the schema owner).

- advisor: reads and edits the general desk; appends to the audit log; never deletes
  audit rows, never sees the whistleblower compartment (row-level security).
- whistleblower officer: an advisor who also reads and writes the compartment.
- administrator: an advisor who may also delete (purge, erase, merge), never the
  compartment unless also an officer.
- daemon: reads what it must to deduplicate and link, inserts what it ingests, updates
  only its own bookkeeping (sync state, reply targets, alerts, links of new contacts).
"""

from __future__ import annotations

ADVISOR = "borgerdesk_advisor"
OFFICER = "borgerdesk_whistleblower"
ADMIN = "borgerdesk_admin"
DAEMON = "borgerdesk_daemon"

# `team add-user --role` -> group role.
GROUPS: dict[str, str] = {
    "advisor": ADVISOR,
    "whistleblower": OFFICER,
    "admin": ADMIN,
    "daemon": DAEMON,
}

# Tables an advisor's ordinary work deletes from (party edits and merges, recomputed
# reply targets, closing a case view).
ADVISOR_DELETES = ("party", "party_email", "party_phone", "reply_target", "presence")
AUDIT = "audit_log"
PURGE_PERMIT = "audit_purge_permit"

DAEMON_INSERTS = (
    "contact",
    "email_message",
    "mail_location",
    "call_record",
    "imported_file",
    "party",
    "party_email",
    "party_phone",
    "sync_state",
    "reply_target",
    "alert",
    "reply_rules_state",
    AUDIT,
)
DAEMON_UPDATES = (
    "contact",
    "email_message",
    "mail_location",
    "sync_state",
    "reply_target",
    "alert",
    "reply_rules_state",
    "reply_outbox",
)
DAEMON_DELETES = ("mail_location", "sync_state", "reply_target")


def create_groups() -> list[str]:
    """Group roles are cluster-wide: create each once, never as a login role. Two team
    databases set up at once (a second office on the same server) both see a group
    missing and both create it (or grant it): the loser's duplicate is what it wanted.
    tests/team run on several pytest-xdist workers at once, each setting up a database."""
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{g}') THEN "
        f"CREATE ROLE {g} NOLOGIN; END IF; "
        f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        for g in (ADVISOR, OFFICER, ADMIN, DAEMON)
    ] + [
        f"DO $$ BEGIN IF NOT pg_has_role('{member}', '{ADVISOR}', 'MEMBER') THEN "
        f"GRANT {ADVISOR} TO {member}; END IF; "
        f"EXCEPTION WHEN unique_violation THEN NULL; END $$"
        for member in (OFFICER, ADMIN)
    ]


def grants(tables: list[str]) -> list[str]:
    general = [t for t in tables if t not in (AUDIT, PURGE_PERMIT, "alembic_version")]
    everyone = f"{ADVISOR}, {DAEMON}"
    out = [
        f"GRANT USAGE ON SCHEMA public TO {everyone}",
        f"GRANT SELECT ON alembic_version TO {everyone}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {everyone}",
        f"GRANT SELECT, INSERT ON {AUDIT} TO {ADVISOR}",
        f"GRANT SELECT, INSERT, UPDATE ON {', '.join(general)} TO {ADVISOR}",
        f"GRANT DELETE ON {', '.join(ADVISOR_DELETES)} TO {ADVISOR}",
        f"GRANT DELETE ON {', '.join(general)} TO {ADMIN}",
        f"GRANT SELECT, INSERT, DELETE ON {PURGE_PERMIT} TO {ADMIN}",
        # The audit log's append-only trigger lets a purge permit's holder delete.
        f"GRANT DELETE ON {AUDIT} TO {ADMIN}",
        f"GRANT SELECT ON {', '.join([*general, AUDIT])} TO {DAEMON}",
        f"GRANT INSERT ON {', '.join(DAEMON_INSERTS)} TO {DAEMON}",
        f"GRANT UPDATE ON {', '.join(DAEMON_UPDATES)} TO {DAEMON}",
        f"GRANT DELETE ON {', '.join(DAEMON_DELETES)} TO {DAEMON}",
    ]
    return out
