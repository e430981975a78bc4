"""Migration 0004: call records move into their contacts, and back on downgrade.

Rows are written in 0003's schema with plain SQL (the models are at the head), then the
database is upgraded, checked, downgraded and checked again. Runs on SQLite and, in CI's
PostgreSQL pass, on PostgreSQL (whose shared schema it leaves at the head).
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from store.db import downgrade, make_engine, upgrade

CREATED = "2024-10-07 12:00:00"


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def test_call_records_move_into_contacts_and_back(db_url: str) -> None:
    downgrade(db_url, "0003_reply_indexes")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO imported_file (id, sha256, kind, name, imported_at, rows, skipped)"
                    f" VALUES (1, 'f', 'calls', 'uge40.csv', '{CREATED}', 2, 0)"
                )
            )
            for cid, ref, cp in (
                (1, "call:k1", "+4522334455"),
                (2, "call:k2", None),
                (3, "mail:x", "knud@example.dk"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO contact (id, channel, direction, occurred_at, occurred_on, "
                        "counterpart, access_request, source_ref, dismissed, created_at) VALUES "
                        f"({cid}, :ch, 'in', '2024-10-01 07:15:00', '2024-10-01', :cp, false, "
                        f":ref, false, '{CREATED}')"
                    ),
                    {"ch": "email" if cid == 3 else "phone", "cp": cp, "ref": ref},
                )
            conn.execute(
                text(
                    "INSERT INTO reply_target (contact_id, rule, received_at, due_at, "
                    "due_soon_at, state) VALUES (2, 'dag-til-dag', '2024-10-01 07:15:00', "
                    "'2024-10-03 07:15:00', '2024-10-02 23:15:00', 'open')"
                )
            )
            # Two linked records and one whose contact is gone.
            for contact_id, key, status, dur, raw, line in (
                (1, "k1", "answered", 125, "22 33 44 55", "upn"),
                (2, "k2", "missed", 0, "Skjult nummer", None),
                (None, "k9", "voicemail", 0, "33445566", None),
            ):
                conn.execute(
                    text(
                        "INSERT INTO call_record (contact_id, file_id, row_key, started_at, "
                        "direction, number, raw_number, status, duration_s, line) VALUES "
                        "(:c, 1, :k, '2024-10-01 07:15:00', 'in', NULL, :raw, :st, :d, :line)"
                    ),
                    {"c": contact_id, "k": key, "raw": raw, "st": status, "d": dur, "line": line},
                )
        upgrade(db_url)
        got = _rows(
            engine,
            "SELECT id, call_status, call_duration_s, call_raw_number, "
            "call_line, call_file_id FROM contact ORDER BY id",
        )
        assert got == [
            (1, "answered", 125, "22 33 44 55", "upn", 1),
            (2, "missed", 0, "Skjult nummer", None, 1),
            (3, None, None, None, None, None),
        ]
        # The orphan stays; the reply target and everything else are untouched.
        assert _rows(engine, "SELECT contact_id, row_key FROM call_record") == [(None, "k9")]
        assert _rows(engine, "SELECT contact_id, state FROM reply_target") == [(2, "open")]
        assert _rows(engine, "SELECT count(*) FROM contact") == [(3,)]

        downgrade(db_url, "0003_reply_indexes")
        back = _rows(
            engine,
            "SELECT contact_id, file_id, row_key, direction, number, "
            "raw_number, status, duration_s, line FROM call_record "
            "ORDER BY row_key",
        )
        assert back == [
            (1, 1, "k1", "in", "+4522334455", "22 33 44 55", "answered", 125, "upn"),
            (2, 1, "k2", "in", None, "Skjult nummer", "missed", 0, None),
            (None, 1, "k9", "in", None, "33445566", "voicemail", 0, None),
        ]
        assert _rows(engine, "SELECT contact_id, state FROM reply_target") == [(2, "open")]
    finally:
        engine.dispose()
        upgrade(db_url)
