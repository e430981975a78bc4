"""The `sealed` flag: each row of the whistleblower compartment says so itself, so that a
policy is `NOT sealed` on the row and needs no function that lists the compartment.

A row belongs to the compartment through other tables (a contact through its case, a
message through its contact, a party when it is known only through whistleblower cases).
`sealed` denormalises that: triggers set it on every insert and update of the row, from
the rows it hangs off, and carry a change on to the rows below when a case becomes or stops
being a whistleblower case, a contact moves in or out of one, a party gains or loses its
last general link, or a row is deleted (merging parties, erasure). The triggers are
SECURITY DEFINER (the schema owner is not subject to the policies, or they could not see
what they must decide on); PostgreSQL calls trigger functions only as triggers, never from
SQL, and their helpers are not executable by desk roles.

The column is added by `team init`, not by a migration: it only means something with
these triggers and the policies, SQLite has no roles, and the models (store.models) stay
the migrated schema. The flag is no part of an audit entry's content: the audit log's
append-only guard lets it (and nothing else) change.

Foreign keys: PostgreSQL checks them without row-level security, so "insert a note on case
17" would succeed, fail on the policy, or fail on the key, telling a desk role whether case
17 is in the compartment. A guard trigger with the caller's rights refuses a link to a row
the caller cannot see with the very error the key gives for a row that does not exist.
"""

from __future__ import annotations

WB = "'whistleblower'"
# The officer's read log (store.team.compartment): sealed for good, as it says that the
# row read was in the compartment, even after the row has left it.
READ_ACTION = "compartment.read"


def _case_wb(col: str) -> str:
    return f"EXISTS (SELECT 1 FROM case_ k WHERE k.id = NEW.{col} AND k.kind = {WB})"


def _parent(table: str, col: str) -> str:
    return f"(SELECT p.sealed FROM {table} p WHERE p.id = NEW.{col})"


# table -> SQL over the row NEW (run with the owner's rights): true for a compartment row.
# Parents before children: the back-fill runs in this order.
RULES: dict[str, str] = {
    "contact": _case_wb("case_id"),
    "case_note": _case_wb("case_id"),
    "case_history": _case_wb("case_id"),
    "presence": _case_wb("case_id"),
    "email_message": _parent("contact", "contact_id"),
    "call_record": _parent("contact", "contact_id"),
    "reply_target": _parent("contact", "contact_id"),
    "reply_outbox": f"{_case_wb('case_id')} OR {_parent('contact', 'contact_id')}",
    "mail_location": _parent("email_message", "email_id"),
    "alert": _parent("reply_target", "target_id"),
    # A party known only through whistleblower cases: its existence would reveal a report.
    "party": "borgerdesk_party_sealed(NEW.id)",
    "party_email": _parent("party", "party_id"),
    "party_phone": _parent("party", "party_id"),
    # Audit entries about a compartment case (by id or reference), contact or party, and
    # the read log.
    "audit_log": f"NEW.action = '{READ_ACTION}' "
    "OR borgerdesk_audit_sealed(NEW.entity, NEW.entity_id)",
}

# parent -> the tables (and their link column) whose rows follow its flag.
CHILDREN: dict[str, list[tuple[str, str]]] = {
    "case_": [
        ("contact", "case_id"),
        ("case_note", "case_id"),
        ("case_history", "case_id"),
        ("presence", "case_id"),
        ("reply_outbox", "case_id"),
    ],
    "contact": [
        ("email_message", "contact_id"),
        ("call_record", "contact_id"),
        ("reply_target", "contact_id"),
        ("reply_outbox", "contact_id"),
    ],
    "email_message": [("mail_location", "email_id")],
    "reply_target": [("alert", "target_id")],
    "party": [("party_email", "party_id"), ("party_phone", "party_id")],
}
AUDITED = {"case_": "case", "contact": "contact", "party": "party"}

# table -> its links to compartment tables, guarded against probing (see the docstring).
LINKS: dict[str, list[tuple[str, str]]] = {
    "case_": [("party_id", "party")],
    "contact": [("case_id", "case_"), ("party_id", "party")],
    "case_note": [("case_id", "case_")],
    "case_history": [("case_id", "case_")],
    "presence": [("case_id", "case_")],
    "email_message": [("contact_id", "contact")],
    "call_record": [("contact_id", "contact")],
    "reply_target": [("contact_id", "contact")],
    "reply_outbox": [("case_id", "case_"), ("contact_id", "contact")],
    "mail_location": [("email_id", "email_message")],
    "alert": [("target_id", "reply_target")],
    "party_email": [("party_id", "party")],
    "party_phone": [("party_id", "party")],
}

# Indexes the propagation needs that the schema lacks.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_alert_target_id ON alert (target_id)",
    "CREATE INDEX IF NOT EXISTS ix_reply_outbox_case_id ON reply_outbox (case_id)",
    "CREATE INDEX IF NOT EXISTS ix_audit_log_entity ON audit_log (entity, entity_id)",
]

_DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp"

# Helpers of the trigger functions: the owner's alone (EXECUTE revoked from PUBLIC).
HELPERS = {
    "borgerdesk_party_sealed(integer)": f"""
CREATE OR REPLACE FUNCTION borgerdesk_party_sealed(pid integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT (EXISTS (SELECT 1 FROM case_ k WHERE k.party_id = pid AND k.kind = {WB})
          OR EXISTS (SELECT 1 FROM contact c WHERE c.party_id = pid AND c.sealed))
     AND NOT EXISTS (SELECT 1 FROM case_ k WHERE k.party_id = pid AND k.kind <> {WB})
     AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.party_id = pid AND NOT c.sealed)
$$""",
    "borgerdesk_party_reseal(integer)": """
CREATE OR REPLACE FUNCTION borgerdesk_party_reseal(pid integer) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE s boolean;
BEGIN
  IF pid IS NOT NULL THEN
    s := borgerdesk_party_sealed(pid);
    UPDATE party SET sealed = s WHERE id = pid AND sealed <> s;
  END IF;
END $$""",
    "borgerdesk_audit_sealed(text, text)": f"""
CREATE OR REPLACE FUNCTION borgerdesk_audit_sealed(what text, row_id text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE n integer;
BEGIN
  IF what = 'case' AND EXISTS (SELECT 1 FROM case_ WHERE ref = row_id AND kind = {WB}) THEN
    RETURN true;  -- most entries about a case name it by its reference
  END IF;
  IF what NOT IN ('case', 'contact', 'party') OR row_id IS NULL
     OR row_id !~ '^[0-9]{{1,9}}$' THEN
    RETURN false;
  END IF;
  n := row_id::integer;
  IF what = 'case' THEN
    RETURN EXISTS (SELECT 1 FROM case_ WHERE id = n AND kind = {WB});
  ELSIF what = 'contact' THEN
    RETURN EXISTS (SELECT 1 FROM contact WHERE id = n AND sealed);
  END IF;
  RETURN EXISTS (SELECT 1 FROM party WHERE id = n AND sealed);
END $$""",
}

# A merge of two general parties, finished with the owner's rights: the desk moves what
# the person merging can see (and counts it), then this moves what she cannot - a
# whistleblower contact of the same person - and deletes the merged party. Done with her
# rights alone, deleting the party would unlink those contacts (ON DELETE SET NULL): the
# report would lose its reporter. Refused, identically, for a missing or sealed party.
MERGE_FUNCTION = "borgerdesk_merge_party(integer, integer)"
MERGE = """
CREATE OR REPLACE FUNCTION borgerdesk_merge_party(keep integer, other integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF keep = other OR (SELECT count(*) FROM party WHERE id IN (keep, other) AND NOT sealed) < 2
  THEN
    RAISE EXCEPTION 'no such parties to merge' USING ERRCODE = 'foreign_key_violation';
  END IF;
  UPDATE party_email SET party_id = keep WHERE party_id = other;
  UPDATE party_phone SET party_id = keep WHERE party_id = other;
  UPDATE contact SET party_id = keep WHERE party_id = other;
  UPDATE case_ SET party_id = keep WHERE party_id = other;
  DELETE FROM party WHERE id = other;
END $$"""

APPEND_ONLY_GUARD = """
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_purge_permit) THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'sealed') = (to_jsonb(OLD) - 'sealed') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql"""


def _decides(table: str) -> str:
    """The columns whose update can change the row's flag (or, for a case, its rows'):
    other updates (an assignment, an edited title) fire no trigger of the seal."""
    if table == "case_":
        return "kind, party_id"
    if table == "audit_log":
        return "sealed, action, entity, entity_id"
    return ", ".join(["sealed", *(col for col, _ in LINKS.get(table, []))])


def _seal_trigger(table: str, rule: str) -> list[str]:
    fn = f"borgerdesk_seal_{table}"
    return [
        f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger {_DEFINER} AS $$
        BEGIN NEW.sealed := coalesce({rule}, false); RETURN NEW; END $$""",
        f"DROP TRIGGER IF EXISTS borgerdesk_seal ON {table}",
        f"CREATE TRIGGER borgerdesk_seal BEFORE INSERT OR UPDATE OF {_decides(table)} "
        f"ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {fn}()",
    ]


def _carry_trigger(table: str) -> list[str]:
    """AFTER a row's flag changed: the rows below it, the audit entries about it, and
    (for cases and contacts) the flag of the parties it links."""

    def flag(row: str) -> str:
        return f"coalesce({row}.kind = {WB}, false)" if table == "case_" else f"{row}.sealed"

    body = [f"s := {flag('NEW')};"]
    body += [
        f"UPDATE {child} SET sealed = s WHERE {col} = NEW.id AND sealed <> s;"
        for child, col in CHILDREN.get(table, [])
    ]
    if table in AUDITED:
        named = "IN (NEW.id::text, NEW.ref)" if table == "case_" else "= NEW.id::text"
        body.append(
            f"UPDATE audit_log SET sealed = s WHERE entity = '{AUDITED[table]}' "
            f"AND entity_id {named} AND sealed <> s;"
        )
    party = ""
    if table in ("case_", "contact"):
        moved = f"OLD.party_id IS DISTINCT FROM NEW.party_id OR {flag('OLD')} <> {flag('NEW')}"
        party = f"""
        IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ({moved})) THEN
          PERFORM borgerdesk_party_reseal(OLD.party_id);
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND ({moved})) THEN
          IF {flag("NEW")} THEN
            PERFORM borgerdesk_party_reseal(NEW.party_id);
          ELSE  -- a general link can only unseal (the common case: one primary-key probe)
            UPDATE party SET sealed = false WHERE id = NEW.party_id AND sealed;
          END IF;
        END IF;"""
    fn = f"borgerdesk_carry_{table}"
    changes = f"UPDATE OF {_decides(table)}"
    events = f"INSERT OR DELETE OR {changes}" if party else changes
    return [
        f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger {_DEFINER} AS $$
        DECLARE s boolean;
        BEGIN
          IF TG_OP = 'UPDATE' AND {flag("OLD")} <> {flag("NEW")} THEN
            {" ".join(body)}
          END IF;{party}
          RETURN NULL;
        END $$""",
        f"DROP TRIGGER IF EXISTS borgerdesk_carry ON {table}",
        f"CREATE TRIGGER borgerdesk_carry AFTER {events} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {fn}()",
    ]


def _link_guard(table: str, links: list[tuple[str, str]]) -> list[str]:
    """BEFORE a link is written, with the caller's rights: a row she cannot see is one
    that does not exist, down to the error's text."""
    checks = "".join(
        f"""
        IF NEW.{col} IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.{col} IS DISTINCT FROM OLD.{col})
           AND NOT EXISTS (SELECT 1 FROM {parent} WHERE id = NEW.{col}) THEN
          RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('insert or update on table "%s" violates foreign key '
                             'constraint "%s"', TG_TABLE_NAME,
                             (SELECT conname FROM pg_constraint WHERE conrelid = TG_RELID
                              AND contype = 'f' AND confrelid = '{parent}'::regclass
                              AND conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                WHERE attrelid = TG_RELID AND attname = '{col}')]
                              LIMIT 1)),
            DETAIL = format('Key ({col})=(%s) is not present in table "{parent}".',
                            NEW.{col});
        END IF;"""
        for col, parent in links
    )
    fn = f"borgerdesk_link_{table}"
    cols = ", ".join(col for col, _ in links)
    return [
        f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql
        SET search_path = public, pg_temp AS $$ BEGIN {checks}
        RETURN NEW; END $$""",
        f"DROP TRIGGER IF EXISTS borgerdesk_link ON {table}",
        f"CREATE TRIGGER borgerdesk_link BEFORE INSERT OR UPDATE OF {cols} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {fn}()",
    ]


def _backfill(table: str, rule: str) -> str:
    """Rows whose flag is wrong (a database sealed before, or by an older init): touch
    them, and the seal trigger sets the flag; its carry trigger moves what hangs off."""
    now = rule.replace("NEW.", "t.")
    return (
        f"UPDATE {table} AS t SET sealed = NOT t.sealed "
        f"WHERE t.sealed IS DISTINCT FROM coalesce({now}, false)"
    )


def trigger_functions() -> list[str]:
    """Every function defined here, as `name()` (for REVOKE ... FROM PUBLIC)."""
    names = [f"borgerdesk_seal_{t}()" for t in RULES] + [f"borgerdesk_link_{t}()" for t in LINKS]
    names += [f"borgerdesk_carry_{t}()" for t in CHILDREN]
    return names + list(HELPERS)


def statements() -> list[str]:
    """Idempotent DDL: the column, its triggers, the link guards, and the back-fill."""
    out = [
        f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS sealed boolean NOT NULL DEFAULT false"
        for t in RULES
    ]
    out += [*INDEXES, APPEND_ONLY_GUARD, *HELPERS.values(), MERGE]
    for table, rule in RULES.items():
        out += _seal_trigger(table, rule)
    for table in CHILDREN:
        out += _carry_trigger(table)
    for table, links in LINKS.items():
        out += _link_guard(table, links)
    out += [f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC" for f in trigger_functions()]
    out += [_backfill(table, rule) for table, rule in RULES.items()]
    return out
