"""The ingestion daemon: schedules, alert channels, backups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field

from store.config.base import Section


class Smtp(Section):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: str = "starttls"
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    sender: str
    to: str
    digest_at: dt.time | None = dt.time(8, 0)


class Daemon(Section):
    phone_scan_seconds: int = Field(default=60, ge=5)
    evaluate_seconds: int = Field(default=60, ge=5)
    misfire_grace_seconds: int = Field(default=120, ge=1)
    # A source failing for longer than this raises an alert of its own.
    source_alert_hours: float = Field(default=1.0, gt=0)
    maintenance_at: dt.time = dt.time(2, 30)
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1)
    log_file: Path | None = None
    smtp: Smtp | None = None
    desktop_notifications: bool = False
    # A command that receives each alert as JSON on stdin.
    alert_command: list[str] | None = None
