"""The `sealed` flag follows the compartment as the desk changes it: a contact moved into
a whistleblower case, a party that gains or loses its last general link, audit entries
about such rows; `team init` back-fills it; and a link to a sealed row cannot be used to
probe for it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from store import audit
from store.db import make_engine
from store.merge import merge_parties
from store.models import EmailMessage, MailLocation, PartyEmail
from store.team.compartment_seal import READ_ACTION, RULES
from store.team.roles import init_team
from tests.team.world import build


def _add_mail(url: str, ids: dict[str, int]) -> None:
    """A message (with its server location) on each contact, the reporter's address, and
    an audit entry about each contact; as the owner."""
    engine = make_engine(url)
    with Session(engine) as s:
        for key in ("c_general", "c_wb"):
            m = EmailMessage(
                contact_id=ids[key],
                header_hash=f"h-{key}",
                content_hash=key,
                subject=f"subject {key}",
            )
            s.add(m)
            s.flush()
            ids[f"m_{key}"] = int(m.id or 0)
            s.add(
                MailLocation(
                    email_id=m.id, account="a", folder="INBOX", uidvalidity=1, uid=ids[key]
                )
            )
            audit.record(s, action="contact.seen", entity="contact", entity_id=str(ids[key]))
        s.add(PartyEmail(party_id=ids["reporter"], address="kim@kilde.dk"))
        s.commit()
    engine.dispose()


def _seen(conn: Connection, table: str, column: str = "id") -> list[int]:
    return sorted(conn.execute(text(f"SELECT {column} FROM {table}")).scalars())


def _as(engine: Engine, stmt: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(stmt))


def test_a_contact_moved_into_a_whistleblower_case_disappears_for_the_advisor(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    _add_mail(pg_url, ids)
    advisor, officer = make_engine(person("advisor")), make_engine(person("whistleblower"))
    general = ids["c_general"]
    entries = (
        f"SELECT count(*) FROM audit_log WHERE entity = 'contact' "
        f"AND entity_id = '{general}' AND action = 'contact.seen'"
    )
    read_log = (
        f"SELECT count(*) FROM audit_log WHERE entity = 'contact' "
        f"AND entity_id = '{general}' AND action = '{READ_ACTION}'"
    )
    with advisor.connect() as conn:
        assert _seen(conn, "contact") == [general]
        assert _seen(conn, "email_message") == [ids["m_c_general"]]
        assert _seen(conn, "mail_location", "email_id") == [ids["m_c_general"]]
        assert conn.execute(text(entries)).scalar() == 1
    # The officer files the general mail under the whistleblower case.
    _as(officer, f"UPDATE contact SET case_id = {ids['wb']} WHERE id = {general}")
    with advisor.connect() as conn:
        assert _seen(conn, "contact") == []
        assert _seen(conn, "email_message") == []
        assert _seen(conn, "mail_location") == []
        assert conn.execute(text(entries)).scalar() == 0
    # And back to the general case: everything is there again.
    _as(officer, f"UPDATE contact SET case_id = {ids['general']} WHERE id = {general}")
    with advisor.connect() as conn:
        assert _seen(conn, "contact") == [general]
        assert _seen(conn, "email_message") == [ids["m_c_general"]]
        assert _seen(conn, "mail_location", "email_id") == [ids["m_c_general"]]
        assert conn.execute(text(entries)).scalar() == 1
        # The officer's reads of it while it was sealed stay sealed: they say it was.
        assert conn.execute(text(read_log)).scalar() == 0
    with officer.connect() as conn:
        assert conn.execute(text(read_log)).scalar() >= 1
    # A whole case turned into a whistleblower case takes its contacts and notes along,
    # and the audit entries that name it by its reference.
    owner = make_engine(pg_url)
    with Session(owner) as s:
        audit.record(s, action="assign", entity="case", entity_id="2026-001")
        s.commit()
    by_ref = "SELECT count(*) FROM audit_log WHERE entity = 'case' AND entity_id = '2026-001'"
    with advisor.connect() as conn:
        assert conn.execute(text(by_ref)).scalar() == 1
    _as(officer, f"UPDATE case_ SET kind = 'whistleblower' WHERE id = {ids['general']}")
    with advisor.connect() as conn:
        for table in ("case_", "contact", "case_note", "email_message", "party"):
            assert _seen(conn, table) == [], table
        assert conn.execute(text(by_ref)).scalar() == 0
    owner.dispose()
    advisor.dispose()
    officer.dispose()


def test_a_party_known_only_through_the_compartment_is_hidden_until_a_general_link(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    _add_mail(pg_url, ids)
    advisor, officer = make_engine(person("advisor")), make_engine(person("whistleblower"))
    with advisor.connect() as conn:
        assert _seen(conn, "party") == [ids["citizen"]]
        assert _seen(conn, "party_email") == []
    # A general contact from the same person: she is no secret any more.
    _as(officer, f"UPDATE contact SET party_id = {ids['reporter']} WHERE id = {ids['c_general']}")
    with advisor.connect() as conn:
        assert _seen(conn, "party") == sorted([ids["citizen"], ids["reporter"]])
        assert conn.execute(text("SELECT address FROM party_email")).scalars().all() == [
            "kim@kilde.dk"
        ]
    # The link undone (say, a mistaken match): sealed again.
    _as(officer, f"UPDATE contact SET party_id = {ids['citizen']} WHERE id = {ids['c_general']}")
    with advisor.connect() as conn:
        assert _seen(conn, "party") == [ids["citizen"]]
        assert _seen(conn, "party_email") == []
    # Deleting her only general link (erasure, a merge) seals her too.
    _as(officer, f"UPDATE contact SET party_id = {ids['reporter']} WHERE id = {ids['c_general']}")
    owner = make_engine(pg_url)
    _as(owner, f"DELETE FROM contact WHERE id = {ids['c_general']}")
    with advisor.connect() as conn:
        assert _seen(conn, "party") == [ids["citizen"]]
    for e in (advisor, officer, owner):
        e.dispose()


def _error(engine: Engine, stmt: str) -> tuple[str, str]:
    with engine.connect() as conn, pytest.raises(DBAPIError) as caught:
        conn.execute(text(stmt))
    diag = caught.value.orig.diag  # type: ignore[union-attr]
    return str(diag.sqlstate), f"{diag.message_primary} / {diag.message_detail}"


@pytest.mark.parametrize(
    "template",
    [
        "INSERT INTO case_note (case_id, os_user, text, at) VALUES ({case}, 'x', 'n', now())",
        "INSERT INTO presence (desk, person, case_id, seen_at) VALUES ('d', 'p', {case}, now())",
        "UPDATE contact SET party_id = {party}",
        "INSERT INTO case_ (ref, kind, opened_on, party_id, excluded, wanted_to_complain, "
        "created_at, version) VALUES ('X-1', 'citizen', '2026-03-02', {party}, false, false, "
        "now(), 1)",
    ],
)
def test_a_sealed_row_cannot_be_probed_through_a_link(
    pg_url: str, person: Callable[[str], str], template: str
) -> None:
    """A link to a sealed row fails exactly as a link to a row that does not exist (and
    a general row may not be written into the compartment at all)."""
    ids = build(pg_url)
    advisor = make_engine(person("advisor"))
    with advisor.connect() as conn:  # a general row: the statement itself is good
        conn.execute(text(template.format(case=ids["general"], party=ids["citizen"])))
        conn.rollback()
    sealed = _error(advisor, template.format(case=ids["wb"], party=ids["reporter"]))
    missing = _error(advisor, template.format(case=ids["wb"] + 1000, party=ids["reporter"] + 1000))
    assert sealed[0] == missing[0] == "23503"  # foreign_key_violation
    assert sealed[1] == missing[1].replace(str(ids["wb"] + 1000), str(ids["wb"])).replace(
        str(ids["reporter"] + 1000), str(ids["reporter"])
    ), (sealed, missing)
    advisor.dispose()


def test_team_init_is_idempotent_and_back_fills_the_flag(
    pg_url: str, person: Callable[[str], str]
) -> None:
    ids = build(pg_url)
    _add_mail(pg_url, ids)
    owner = make_engine(pg_url)
    with Session(owner) as s:
        audit.record(s, action="assign", entity="case", entity_id="WB-2026-001")
        s.commit()
    # A database whose flags are all wrong (rows from before the flag existed).
    with owner.begin() as conn:
        for table in RULES:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            conn.execute(text(f"UPDATE {table} SET sealed = false"))
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    advisor = make_engine(person("advisor"))
    with advisor.connect() as conn:
        assert ids["c_wb"] in _seen(conn, "contact")  # the gap the back-fill closes
    assert init_team(owner) is False
    assert init_team(owner) is False
    with advisor.connect() as conn:
        assert _seen(conn, "contact") == [ids["c_general"]]
        assert _seen(conn, "email_message") == [ids["m_c_general"]]
        assert _seen(conn, "party") == [ids["citizen"]]
        assert _seen(conn, "party_email") == []
        assert (
            conn.execute(
                text(
                    f"SELECT count(*) FROM audit_log WHERE entity = 'contact' "
                    f"AND entity_id = '{ids['c_wb']}'"
                )
            ).scalar()
            == 0
        )
        # An entry naming the whistleblower case by its reference, as most do.
        assert (
            conn.execute(
                text("SELECT count(*) FROM audit_log WHERE entity_id = 'WB-2026-001'")
            ).scalar()
            == 0
        )
    advisor.dispose()
    owner.dispose()


def test_an_admin_merges_general_parties_under_the_triggers(
    pg_url: str, person: Callable[[str], str]
) -> None:
    """Merging (contacts and addresses move, a party is deleted) runs through the link
    guards and the flag's triggers as an admin, and the reporter stays sealed."""
    ids = build(pg_url)
    owner = make_engine(pg_url)
    with owner.begin() as conn:
        other = conn.execute(
            text(
                "INSERT INTO party (name, kind, created_at, version) VALUES ('Anna B.', 'citizen', "
                "now(), 1) RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(f"INSERT INTO party_email (party_id, address) VALUES ({other}, 'anna@borger.dk')")
        )
        conn.execute(text(f"UPDATE contact SET party_id = {other} WHERE id = {ids['c_general']}"))
    admin, advisor = make_engine(person("admin")), make_engine(person("advisor"))
    with Session(admin) as s:
        result = merge_parties(session=s, keep_id=ids["citizen"], other_id=other)
        s.commit()
    assert result.contacts == 1 and result.addresses == 1
    with advisor.connect() as conn:
        assert _seen(conn, "party") == [ids["citizen"]]
        assert conn.execute(text("SELECT party_id FROM contact")).scalars().all() == [
            ids["citizen"]
        ]
        assert _seen(conn, "party_email", "party_id") == [ids["citizen"]]
    with owner.connect() as conn:
        assert (
            conn.execute(text(f"SELECT sealed FROM party WHERE id = {ids['reporter']}")).scalar()
            is True
        )
    for e in (owner, admin, advisor):
        e.dispose()


def test_a_merge_keeps_the_reporter_on_contacts_the_merger_cannot_see(
    pg_url: str, person: Callable[[str], str]
) -> None:
    """A person known to the desk (a general contact) who is also a whistleblower's
    reporter: an admin who is not the officer merges her into a duplicate. Her report's
    contact must follow her to the kept party (it used to lose its party, ON DELETE SET
    NULL), the merge's counts show only what the admin can see, and the contact stays
    sealed."""
    ids = build(pg_url)
    owner = make_engine(pg_url)
    with owner.begin() as conn:
        dup = conn.execute(
            text(
                "INSERT INTO party (name, kind, created_at, version) VALUES ('Anna Borger', "
                "'citizen', now(), 1) RETURNING id"
            )
        ).scalar_one()
        # The reporter's party is the citizen's: one general, one whistleblower contact.
        conn.execute(
            text(
                f"UPDATE contact SET party_id = {ids['citizen']} "
                f"WHERE id IN ({ids['c_general']}, {ids['c_wb']})"
            )
        )
    admin = make_engine(person("admin"))
    with Session(admin) as s:
        result = merge_parties(session=s, keep_id=dup, other_id=ids["citizen"])
        s.commit()
    admin.dispose()
    assert result.contacts == 1  # the general one: the admin sees no other
    with owner.connect() as conn:
        rows = dict(
            conn.execute(
                text(
                    f"SELECT id, party_id FROM contact WHERE id IN ({ids['c_general']}, "
                    f"{ids['c_wb']})"
                )
            ).all()
        )
        assert rows == {ids["c_general"]: dup, ids["c_wb"]: dup}
        assert (
            conn.execute(text(f"SELECT sealed FROM contact WHERE id = {ids['c_wb']}")).scalar()
            is True
        )
        assert (
            conn.execute(text(f"SELECT count(*) FROM party WHERE id = {ids['citizen']}")).scalar()
            == 0
        )
    owner.dispose()
