"""The ingestion daemon: scheduling, alerts, health and fault tolerance.

`run_daemon` (scheduler.py) is the entry point; `health_summary` (health.py) is what
`borgerdesk status` reads.
"""
