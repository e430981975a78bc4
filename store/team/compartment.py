"""The whistleblower compartment in the database: row-level security on every table that
holds whistleblower data, the database's own audit of reads, and counts-only access.

The rule is the one in store/privacy/whistleblower.py (a case of kind 'whistleblower',
everything hanging off it, and a party known only through such cases), written as SQL so
that no client can get around it. The helper functions that *find* compartment rows are
SECURITY DEFINER (their owner, the schema owner, is not subject to the policies), or a
policy on `contact` asking "is its case a whistleblower case?" would itself see no
whistleblower cases and answer no.
"""

from __future__ import annotations

from store.team.roles_sql import DAEMON, OFFICER

WB = "'whistleblower'"
_MET = "t.state = 'met' AND t.met_at IS NOT NULL AND t.met_at <= t.due_at"

# Functions returning the ids inside the compartment. Called as `(SELECT f())` in the
# policies, so PostgreSQL evaluates each once per statement (an InitPlan), not per row.
_ID_FUNCTIONS = {
    "borgerdesk_wb_cases": f"SELECT id FROM case_ WHERE kind = {WB}",
    "borgerdesk_wb_contacts": (
        f"SELECT c.id FROM contact c JOIN case_ k ON k.id = c.case_id WHERE k.kind = {WB}"
    ),
    "borgerdesk_wb_emails": (
        "SELECT e.id FROM email_message e WHERE e.contact_id = ANY (borgerdesk_wb_contacts())"
    ),
    "borgerdesk_wb_targets": (
        "SELECT t.id FROM reply_target t WHERE t.contact_id = ANY (borgerdesk_wb_contacts())"
    ),
    # A party known only through whistleblower cases: its existence would reveal a report.
    "borgerdesk_wb_parties": f"""
        SELECT p.id FROM party p
        WHERE (EXISTS (SELECT 1 FROM case_ k WHERE k.party_id = p.id AND k.kind = {WB})
               OR EXISTS (SELECT 1 FROM contact c WHERE c.party_id = p.id
                          AND c.id = ANY (borgerdesk_wb_contacts())))
          AND NOT EXISTS (SELECT 1 FROM case_ k WHERE k.party_id = p.id AND k.kind <> {WB})
          AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.party_id = p.id
                          AND NOT c.id = ANY (borgerdesk_wb_contacts()))""",
}


def _in(column: str, function: str) -> str:
    return f"coalesce({column} = ANY ((SELECT {function}())::integer[]), false)"


# table -> (SQL true for a compartment row, the audit entity and id logged when the
# officer reads the row, or None when reading that table is not logged on its own).
SEALED: dict[str, tuple[str, tuple[str, str] | None]] = {
    "case_": (f"kind = {WB}", ("case", "id")),
    "contact": (_in("case_id", "borgerdesk_wb_cases"), ("contact", "id")),
    "case_note": (_in("case_id", "borgerdesk_wb_cases"), ("case", "case_id")),
    "case_history": (_in("case_id", "borgerdesk_wb_cases"), None),
    "whistleblower_reporter": ("true", ("case", "case_id")),
    "whistleblower_facts": ("true", None),
    "email_message": (_in("contact_id", "borgerdesk_wb_contacts"), ("contact", "contact_id")),
    "call_record": (_in("contact_id", "borgerdesk_wb_contacts"), None),
    "mail_location": (_in("email_id", "borgerdesk_wb_emails"), None),
    "reply_target": (_in("contact_id", "borgerdesk_wb_contacts"), None),
    "alert": (_in("target_id", "borgerdesk_wb_targets"), None),
    "party": (_in("id", "borgerdesk_wb_parties"), None),
    "presence": (_in("case_id", "borgerdesk_wb_cases"), None),
    # A reply written to a whistleblower case's contact.
    "reply_outbox": (f'{_in("case_id", "borgerdesk_wb_cases")} OR '
                     f'{_in("contact_id", "borgerdesk_wb_contacts")}', None),
    # Audit entries about compartment rows (the compartment's own read log included).
    "audit_log": (
        "(entity = 'case' AND coalesce(entity_id = ANY ((SELECT borgerdesk_wb_cases())::text[]),"
        " false)) OR (entity = 'contact' AND coalesce(entity_id = ANY"
        " ((SELECT borgerdesk_wb_contacts())::text[]), false)) OR (entity = 'party' AND"
        " coalesce(entity_id = ANY ((SELECT borgerdesk_wb_parties())::text[]), false))",
        None,
    ),
}

READ_ACTION = "compartment.read"

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
    "borgerdesk_whistleblower_counts(date, date, timestamp, timestamp, text[], text[])")
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
    out: list[str] = []
    for name, body in _ID_FUNCTIONS.items():
        out.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS integer[] LANGUAGE sql STABLE "
            f"SECURITY DEFINER SET search_path = public, pg_temp AS "
            f"$$ SELECT coalesce(array_agg(id), '{{}}') FROM ({body}) AS ids $$"
        )
    out += [f"DROP FUNCTION IF EXISTS {old}" for old in OLD_COUNTS]
    out += [NOTE_READ, COUNTS, *AUDIT_ROLE]
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
    return out


def function_grants(roles: list[str]) -> list[str]:
    names = [f"{n}()" for n in _ID_FUNCTIONS]
    names += [COUNTS_SIGNATURE]
    who = ", ".join(roles)
    return [f"REVOKE ALL ON FUNCTION {n} FROM PUBLIC" for n in names] + [
        f"GRANT EXECUTE ON FUNCTION {n} TO {who}" for n in names
    ]
