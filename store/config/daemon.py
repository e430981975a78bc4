"""The ingestion daemon: schedules, alert channels, backups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from store.config.base import Section


class Smtp(Section):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    # tls: implicit TLS (465); starttls: upgrade (587); none: loopback relays only.
    security: Literal["tls", "starttls", "none"] = "starttls"
    username: str | None = None
    # Secret sources, tried after the OS keyring (service "borgerdesk-smtp", the username).
    password_env: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    sender: str
    to: str
    # A morning digest of due-soon and overdue replies at digest_at, on working days only.
    digest: bool = True
    digest_at: dt.time = dt.time(8, 0)
    timeout_seconds: float = Field(default=30, gt=0)

    @model_validator(mode="after")
    def _loopback_only_plain(self) -> Smtp:
        from store.config.mail import is_loopback

        if self.security == "none" and not is_loopback(self.host):
            raise ValueError(
                f'smtp security = "none" is only allowed for a loopback host, not '
                f"{self.host!r}; use tls or starttls"
            )
        return self


class Daemon(Section):
    # Overrides mail.sync_minutes when set (fast polling on a local server, tests).
    mail_interval_seconds: int | None = Field(default=None, ge=1)
    phone_scan_seconds: int = Field(default=60, ge=1)
    evaluate_seconds: int = Field(default=60, ge=1)
    misfire_grace_seconds: int = Field(default=120, ge=1)
    # A failing source is retried after retry_base_seconds, doubling up to retry_max_seconds.
    retry_base_seconds: float = Field(default=30, gt=0)
    retry_max_seconds: float = Field(default=1800, gt=0)
    # A source failing for longer than this raises an alert of its own.
    source_alert_hours: float = Field(default=1.0, gt=0)
    # SIGTERM/SIGINT: how long the running batch may take to commit before we exit anyway.
    shutdown_seconds: float = Field(default=8, gt=0, le=60)
    maintenance_at: dt.time = dt.time(2, 30)
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1)
    log_file: Path | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    smtp: Smtp | None = None
    desktop_notifications: bool = False
    # A command that receives each alert as JSON on stdin.
    alert_command: list[str] | None = None
    alert_command_timeout_seconds: float = Field(default=30, gt=0)
