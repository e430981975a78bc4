"""Replies sent from the desk: templates, the RFC 5322 message, and the outbox table that
makes each send happen exactly once (the network part lives in ingest.mail.submit)."""
