"""The audit log: append-only in the database itself, and every change audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from store.audit import actor
from store.cases import create_case, update_case
from store.contacts import add_contact, link_contacts
from store.db import session_scope
from store.errors import UserError
from store.models import AuditLog, AuditPurgePermit, CaseCreate, CaseUpdate, ContactCreate
from store.privacy.anonymise import audit_delete_permit, delete_audit_rows
from store.privacy.audit_query import format_table, list_audit, parse_since, plain

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _entry(engine: Engine, **kw: object) -> int:
    with session_scope(engine) as s:
        a = AuditLog(os_user="u", action="classify", entity="case", entity_id="1", **kw)
        s.add(a)
        s.flush()
        assert a.id is not None
        return a.id


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET action = 'forged'",
        "UPDATE audit_log SET os_user = 'someone else' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_updates_and_deletes(engine: Engine, sql: str) -> None:
    aid = _entry(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql), {"id": aid})
    with session_scope(engine) as s:
        row = s.get(AuditLog, aid)
        assert row is not None and row.action == "classify" and row.os_user == "u"


def test_the_orm_cannot_edit_an_entry_either(engine: Engine) -> None:
    aid = _entry(engine)
    with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as s:
        row = s.get(AuditLog, aid)
        assert row is not None
        row.detail = "rewritten"
        s.add(row)


def test_only_a_permit_inside_the_same_transaction_allows_deletes(engine: Engine) -> None:
    keep, drop = _entry(engine), _entry(engine)
    with session_scope(engine) as s, audit_delete_permit(s, "test"):
        delete_audit_rows(s, [drop])
    with session_scope(engine) as s:
        assert s.get(AuditLog, keep) is not None and s.get(AuditLog, drop) is None
        assert s.scalars(select(AuditPurgePermit)).all() == []  # the permit never persists
    # and a permit does not make entries editable
    with (
        pytest.raises(DBAPIError, match="append-only"),
        session_scope(engine) as s,
        audit_delete_permit(s, "test"),
    ):
        s.execute(text("UPDATE audit_log SET action = 'x'"))


def test_link_classify_and_whistleblower_opening_are_audited(engine: Engine) -> None:
    with session_scope(engine) as s:
        case = create_case(
            session=s, case_in=CaseCreate(ref="2026-0001", opened_on=dt.date(2026, 3, 1))
        )
        wb = create_case(
            session=s,
            case_in=CaseCreate(
                ref="2026-0002", kind="whistleblower", opened_on=dt.date(2026, 3, 1)
            ),
        )
        c = add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="email", direction="in", occurred_at=T0, counterpart="a@example.dk"
            ),
        )
        assert case.id and c.id and wb.id
        link_contacts(session=s, contact_ids=[c.id], case_id=case.id)
        update_case(session=s, case_id=case.id, changes=CaseUpdate(category="Klage"))
    with session_scope(engine) as s:
        rows = list_audit(session=s)
        me = actor(s)  # the OS user on SQLite, the database role on PostgreSQL
    by_action = {r.action: r for r in rows}
    assert {"link", "classify", "open_whistleblower"} <= set(by_action)
    for r in rows:
        assert r.os_user == me and r.at.tzinfo is not None
    assert by_action["classify"].detail == {"field": "category", "old": None, "new": "Klage"}
    assert by_action["link"].entity_id == str(c.id)


def test_acknowledge_and_no_reply_are_audited(engine: Engine, odsherred_config) -> None:  # type: ignore[no-untyped-def]
    """Owned by the replies engine (store.replies.acknowledge / waive)."""
    replies = pytest.importorskip("store.replies")
    if not (hasattr(replies, "acknowledge") and hasattr(replies, "waive")):
        pytest.skip("store.replies.acknowledge/waive not there yet (replies engineer)")
    from store.models import ReplyTarget

    with session_scope(engine) as s:
        case = create_case(session=s, case_in=CaseCreate(ref="R-1", opened_on=dt.date(2026, 3, 2)))
        cs = []
        for i in range(2):
            c = add_contact(
                session=s,
                contact_in=ContactCreate(
                    channel="email",
                    direction="in",
                    occurred_at=T0 + dt.timedelta(minutes=i),
                    counterpart=f"b{i}@example.dk",
                    case_id=case.id,
                ),
            )
            cs.append(c.id)
        replies.apply_contacts(session=s, config=odsherred_config, contact_ids=cs)
        targets = {t.contact_id: t.id for t in s.scalars(select(ReplyTarget))}
        if len(targets) < 2:
            pytest.skip("the reply rules created no targets for plain inbound mail")
        replies.acknowledge(
            session=s,
            config=odsherred_config,
            contact_ids=[cs[0]],
            at=T0 + dt.timedelta(hours=1),
            note=None,
        )
        replies.waive(
            session=s, target_id=targets[cs[1]], reason="spam", at=T0 + dt.timedelta(hours=1)
        )
    with session_scope(engine) as s:
        actions = {r.action for r in list_audit(session=s)}
    assert any("ack" in a for a in actions), actions
    assert any("waive" in a or "no_reply" in a for a in actions), actions


def test_list_since_and_formats(engine: Engine) -> None:
    _entry(engine, at=dt.datetime(2026, 1, 31, 22, 59, tzinfo=dt.UTC))  # 23:59 in CPH
    _entry(engine, at=dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC))  # 1 Feb 00:00 CPH
    _entry(
        engine,
        at=dt.datetime(2026, 2, 5, 10, 0, tzinfo=dt.UTC),
        detail=json.dumps({"note": "\x1b[31mred\x1b[0m \u202eevil"}),
    )
    with session_scope(engine) as s:
        rows = list_audit(session=s, since=parse_since("2026-02-01"))
        assert len(rows) == 2
        table = format_table(rows)
        assert "\x1b" not in table and "\u202e" not in table
        assert "2026-02-01 00:00:00" in table  # shown in Copenhagen time
        assert len(list_audit(session=s, limit=1)) == 1
        assert len(list_audit(session=s, action="nothing")) == 0
        assert rows[1].to_json()["detail"] == {"note": "\x1b[31mred\x1b[0m \u202eevil"}
    assert parse_since("2026-02-01T10:00") == dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)
    assert parse_since("2026-07-01T10:00+00:00") == dt.datetime(2026, 7, 1, 10, tzinfo=dt.UTC)
    with pytest.raises(UserError, match="--since"):
        parse_since("last tuesday")
    assert plain("a\x07b") == "a\ufffdb"


def test_audit_triggers_exist_at_head(engine: Engine) -> None:
    """A later migration that recreates audit_log on SQLite would drop them silently."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            names = {
                r[0]
                for r in conn.execute(
                    text(
                        "SELECT name FROM sqlite_master "
                        "WHERE type='trigger' AND tbl_name='audit_log'"
                    )
                )
            }
            assert names == {"audit_log_no_update", "audit_log_no_delete"}
        else:
            names = {
                r[0]
                for r in conn.execute(
                    text(
                        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
                        "AND NOT tgisinternal"
                    )
                )
            }
            assert names == {"audit_log_append_only"}
