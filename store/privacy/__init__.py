"""Privacy and records: retention purge with stable statistics, the right of access and
erasure, the audit log, the whistleblower register's visibility rules, backups.

Everything here is headless: the CLI (borgerdesk/commands/privacy.py), the daemon and the
UI call these functions with a keyword-only session and get plain dataclasses back.
"""
