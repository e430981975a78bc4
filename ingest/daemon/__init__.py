"""The ingestion daemon: scheduling, alerts, health and fault tolerance.

`run_daemon` (scheduler.py) is the entry point. The daemon records each source's health
(health.py) in `sync_state`, which `borgerdesk status` and the desk read through
store/source_health.py.
"""
