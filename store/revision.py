"""The newest migration. Every start checks the database against it; knowing it without
Alembic keeps Alembic (~0.15 s of imports) out of every command, and without SQLAlchemy
lets the desk's first frame check it with the standard library's sqlite3.
tests/store/test_db.py keeps it equal to the migration scripts' head."""

HEAD_REVISION = "0012_party_ids_never_reused"
