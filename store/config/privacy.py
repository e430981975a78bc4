"""Retention: off until configured.

Example (config.toml):

    [retention]
    citizen_years = 5          # personal data of citizen cases, 5 years after closing
    consultancy_years = 5
    whistleblower_years = 1
    unlinked_years = 2         # contacts/mail/calls never linked to a case
    audit_years = 10           # audit entries older than this are deleted by the purge
"""

from __future__ import annotations

from pydantic import Field

from store.config.base import Section


class Retention(Section):
    # Years after closing before a case's personal data is purged, per case kind.
    # Absent kinds are kept indefinitely.
    citizen_years: float | None = Field(default=None, gt=0)
    consultancy_years: float | None = Field(default=None, gt=0)
    whistleblower_years: float | None = Field(default=None, gt=0)
    # Contacts never linked to a case (triage, dismissed), and mail and calls without a
    # contact: purged this many years after they occurred. None keeps them.
    unlinked_years: float | None = Field(default=None, gt=0)
    # Audit entries older than this are removed by the purge (which logs that it did).
    # None keeps the audit log for ever.
    audit_years: float | None = Field(default=None, gt=0)

    def years_for(self, kind: str) -> float | None:
        value: float | None = getattr(self, f"{kind}_years", None)
        return value

    @property
    def configured(self) -> bool:
        return any(
            v is not None
            for v in (
                self.citizen_years,
                self.consultancy_years,
                self.whistleblower_years,
                self.unlinked_years,
                self.audit_years,
            )
        )
