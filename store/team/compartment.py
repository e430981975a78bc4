"""The whistleblower compartment in the database: row-level security on every table that
holds whistleblower data, the database's own audit of reads, and counts-only access.

The rule is the one in store/privacy/whistleblower.py (a case of kind 'whistleblower',
everything hanging off it, and a party known only through such cases), written as SQL so
that no client can get around it. Each row carries a `sealed` flag kept by triggers
(store.team.compartment_seal), so a policy reads the row itself: no function a desk role may
call answers "which rows are in the compartment?".
"""

from __future__ import annotations

from store.team import compartment_seal
from store.team.compartment_seal import READ_ACTION as READ_ACTION  # the desk's import
from store.team.roles_sql import ADVISOR, DAEMON, OFFICER

WB = "'whistleblower'"
_MET = "t.state = 'met' AND t.met_at IS NOT NULL AND t.met_at <= t.due_at"

# table -> (SQL true for a compartment row, the audit entity and id logged when the
# officer reads the row, or None when reading that table is not logged on its own).
# Rows carry their own `sealed` flag (store.team.compartment_seal keeps it), so no policy
# asks another table, and no function lists the compartment for a desk role to call.
SEALED: dict[str, tuple[str, tuple[str, str] | None]] = {
    "case_": (f"kind = {WB}", ("case", "id")),
    "contact": ("sealed", ("contact", "id")),
    "case_note": ("sealed", ("case", "case_id")),
    "case_history": ("sealed", None),
    "whistleblower_reporter": ("true", ("case", "case_id")),
    "whistleblower_facts": ("true", None),
    "email_message": ("sealed", ("contact", "contact_id")),
    "call_record": ("sealed", None),
    "mail_location": ("sealed", None),
    "reply_target": ("sealed", None),
    "alert": ("sealed", None),
    "party": ("sealed", None),
    # A sealed party's addresses and numbers would name the reporter.
    "party_email": ("sealed", None),
    "party_phone": ("sealed", None),
    "presence": ("sealed", None),
    # A reply written to a whistleblower case's contact.
    "reply_outbox": ("sealed", None),
    # Audit entries about compartment rows (the compartment's own read log included).
    "audit_log": ("sealed", None),
}

# The functions older versions of `team init` made for the policies: they returned the
# compartment's ids with the owner's rights, to any advisor who called them.
_OLD_ID_FUNCTIONS = (
    "borgerdesk_wb_parties",
    "borgerdesk_wb_targets",
    "borgerdesk_wb_emails",
    "borgerdesk_wb_contacts",
    "borgerdesk_wb_cases",
)


# The read log: one audit row per reader, entity and transaction. SECURITY INVOKER, so
# the row names the reader (the audit trigger stamps current_user); a client cannot skip
# it because the policy calls it. The dedupe looks for this transaction's row (`at` is
# the transaction's start), so a client cannot fake "already logged" either.
NOTE_READ = f"""
CREATE OR REPLACE FUNCTION borgerdesk_note_read(what text, row_id integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  ts timestamp := (transaction_timestamp() AT TIME ZONE 'UTC');
BEGIN
  IF row_id IS NULL THEN
    RETURN true;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM audit_log WHERE at = ts AND action = '{READ_ACTION}'
                 AND entity = what AND entity_id = row_id::text AND os_user = current_user) THEN
    INSERT INTO audit_log (at, os_user, action, entity, entity_id)
    VALUES (ts, current_user, '{READ_ACTION}', what, row_id::text);
  END IF;
  RETURN true;
END $$"""

# Anonymous counts for the annual report's whistleblower section: counts only, for any
# borgerdesk role, computed with the owner's rights (an advisor producing the report sees
# none of the rows). The same counts as store.annual.figures' own query (SQLite, or a
# PostgreSQL store without a team): cases opened in [first_day, last_day] and their facts;
# reply targets of the acknowledgement and feedback rules received in [lo, hi), and those
# met by their due time.
COUNTS_SIGNATURE = (
    "borgerdesk_whistleblower_counts(date, date, timestamp, timestamp, text[], text[])"
)
COUNTS = f"""
CREATE OR REPLACE FUNCTION borgerdesk_whistleblower_counts(
  first_day date, last_day date, lo timestamp, hi timestamp, ack_rules text[],
  feedback_rules text[])
RETURNS TABLE (received bigint, within_scope bigint, outside_scope bigint, forwarded bigint,
               examined bigint, dismissed bigint, criticism bigint, police bigint,
               ack_targets bigint, ack_in_time bigint, feedback_targets bigint,
               feedback_in_time bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH reports AS (
    SELECT count(*) AS received,
           count(*) FILTER (WHERE f.in_scope IS TRUE) AS within_scope,
           count(*) FILTER (WHERE f.in_scope IS FALSE) AS outside_scope,
           count(*) FILTER (WHERE f.forwarded) AS forwarded,
           count(*) FILTER (WHERE f.examined) AS examined,
           count(*) FILTER (WHERE f.outcome = 'dismissed') AS dismissed,
           count(*) FILTER (WHERE f.outcome = 'criticism') AS criticism,
           count(*) FILTER (WHERE f.outcome = 'police') AS police
    FROM case_ k LEFT JOIN whistleblower_facts f ON f.case_id = k.id
    WHERE k.kind = {WB} AND k.opened_on BETWEEN first_day AND last_day),
  targets AS (
    SELECT count(*) FILTER (WHERE t.rule = ANY (ack_rules)) AS ack_targets,
           count(*) FILTER (WHERE t.rule = ANY (ack_rules) AND {_MET}) AS ack_in_time,
           count(*) FILTER (WHERE t.rule = ANY (feedback_rules)) AS feedback_targets,
           count(*) FILTER (WHERE t.rule = ANY (feedback_rules) AND {_MET})
             AS feedback_in_time
    FROM reply_target t
    WHERE t.received_at >= lo AND t.received_at < hi)
  SELECT * FROM reports, targets
$$"""
# Counts from earlier versions of the function, dropped when the team is initialised again.
OLD_COUNTS = ("borgerdesk_whistleblower_counts(date, date)",)

# The audit log names the database role, not the OS user of a shared server.
AUDIT_ROLE = [
    """CREATE OR REPLACE FUNCTION borgerdesk_audit_role() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN NEW.os_user := current_user; RETURN NEW; END $$""",
    "DROP TRIGGER IF EXISTS audit_log_role ON audit_log",
    """CREATE TRIGGER audit_log_role BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION borgerdesk_audit_role()""",
]


def statements() -> list[str]:
    """Idempotent DDL sealing the compartment (run by the schema owner)."""
    out: list[str] = [f"DROP FUNCTION IF EXISTS {old}" for old in OLD_COUNTS]
    out += [NOTE_READ, COUNTS, *AUDIT_ROLE, *compartment_seal.statements()]
    for table, (inside, logged) in SEALED.items():
        read = "true"
        if logged is not None:
            note = f"borgerdesk_note_read('{logged[0]}', {logged[1]})"
            read = f"CASE WHEN {inside} THEN {note} ELSE true END"
        out += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS borgerdesk_general ON {table}",
            f"CREATE POLICY borgerdesk_general ON {table} USING (NOT ({inside}))"
            f" WITH CHECK (NOT ({inside}))",
            f"DROP POLICY IF EXISTS borgerdesk_compartment ON {table}",
            f"CREATE POLICY borgerdesk_compartment ON {table} TO {OFFICER}, {DAEMON}"
            f" USING ({read}) WITH CHECK (true)",
        ]
    # After the policies that called them are replaced.
    out += [f"DROP FUNCTION IF EXISTS {name}()" for name in _OLD_ID_FUNCTIONS]
    return out


def function_grants(roles: list[str]) -> list[str]:
    """The anonymous counts are the only function a desk role is given that answers
    anything; the merge's completion answers nothing (store.merge)."""
    from store.team.compartment_seal import MERGE_FUNCTION

    return [
        f"REVOKE ALL ON FUNCTION {COUNTS_SIGNATURE} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {COUNTS_SIGNATURE} TO {', '.join(roles)}",
        f"REVOKE ALL ON FUNCTION {MERGE_FUNCTION} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {MERGE_FUNCTION} TO {ADVISOR}",
    ]
