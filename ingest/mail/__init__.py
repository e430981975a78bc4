"""Mailbox ingestion over IMAP: complete, incremental, read-only.

Entry point: `ingest.mail.sync.sync_all`. `ingest.mail.embedded_server` runs a real
in-process IMAP server (pymap) for tests and the demo.
"""
