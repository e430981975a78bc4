"""Mail accounts. Secrets never live here: see `store.secrets`."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from store.config.base import Section


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Entra ID names a tenant by its Directory id (a GUID) or one of its domain names
# (kommune.onmicrosoft.com, kommune.dk); an app registration by its client id (a GUID).
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.I)


def tenant_id_problem(value: str) -> str | None:
    """Why `value` is not a Microsoft 365 tenant id, or None if it is one."""
    if _GUID.fullmatch(value) or _DOMAIN.fullmatch(value):
        return None
    return (
        f"{value!r} is not a tenant id: give the Directory (tenant) id, a GUID like "
        "00000000-0000-0000-0000-000000000000, or a domain like kommune.onmicrosoft.com"
    )


def client_id_problem(value: str) -> str | None:
    """Why `value` is not an app registration's client id, or None if it is one."""
    if _GUID.fullmatch(value):
        return None
    return (
        f"{value!r} is not a client id: give the app registration's Application "
        "(client) id, a GUID like 00000000-0000-0000-0000-000000000000"
    )


class MailAccount(Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["tls", "starttls", "none"] = "tls"
    username: str = Field(min_length=1)
    auth: Literal["password", "xoauth2"] = "password"
    # None: INBOX plus the SPECIAL-USE \Sent folder (else "Sent").
    folders: list[str] | None = None
    internal_domains: list[str] = []
    # Secret sources, tried after the OS keyring.
    password_env: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    max_message_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    # Microsoft 365 (auth = "xoauth2").
    tenant_id: str | None = None
    client_id: str | None = None
    # "device" for the advisor's own login; "client_credentials" for an unattended daemon.
    oauth_flow: Literal["device", "client_credentials"] = "device"
    # Sending replies (SMTP submission through the same account; see docs/replying.md).
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    from_address: str | None = None  # None: the username
    from_name: str | None = None
    # "auto": IMAP APPEND a copy to Sent unless the account is Microsoft 365, which files
    # SMTP submissions in Sent Items by itself.
    save_to_sent: Literal["auto", "append", "never"] = "auto"
    sent_folder: str | None = None  # None: the SPECIAL-USE \\Sent folder, else "Sent"

    @field_validator("tenant_id")
    @classmethod
    def _tenant_form(cls, v: str | None) -> str | None:
        problem = None if v is None else tenant_id_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("client_id")
    @classmethod
    def _client_form(cls, v: str | None) -> str | None:
        problem = None if v is None else client_id_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    @model_validator(mode="after")
    def _checks(self) -> MailAccount:
        if self.security == "none" and not is_loopback(self.host):
            raise ValueError(
                f'security = "none" is only allowed for a loopback host, not {self.host!r}; '
                "use tls or starttls"
            )
        if self.smtp_host and self.smtp_security == "none" and not is_loopback(self.smtp_host):
            raise ValueError(
                f'smtp_security = "none" is only allowed for a loopback host, not '
                f"{self.smtp_host!r}; use starttls or tls"
            )
        for key in ("from_address", "from_name", "smtp_host"):
            value = getattr(self, key)
            if value is not None and ("\r" in value or "\n" in value):
                raise ValueError(f"{key} must be one line")
        if self.auth == "xoauth2" and not (self.tenant_id and self.client_id):
            raise ValueError('auth = "xoauth2" needs tenant_id and client_id')
        return self

    @property
    def effective_port(self) -> int:
        if self.port:
            return self.port
        return 993 if self.security == "tls" else 143

    @property
    def effective_smtp_port(self) -> int:
        if self.smtp_port:
            return self.smtp_port
        return {"tls": 465, "starttls": 587, "none": 25}[self.smtp_security]

    @property
    def is_microsoft365(self) -> bool:
        return self.auth == "xoauth2" or self.host.lower().endswith(".office365.com")

    @property
    def sender(self) -> str:
        return self.from_address or self.username


class Mail(Section):
    accounts: list[MailAccount] = []
    sync_minutes: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _unique(self) -> Mail:
        names = [a.name for a in self.accounts]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"account names must be unique; repeated: {dupes}")
        return self
