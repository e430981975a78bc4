"""A team desk on PostgreSQL: people as login roles, group roles with least grants, and
the whistleblower compartment sealed by row-level security.

SQLite stays the single-advisor store; everything here refuses it (`require_postgres`).
"""
