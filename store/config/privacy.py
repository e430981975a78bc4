"""Retention: off until configured."""

from __future__ import annotations

from pydantic import Field

from store.config.base import Section


class Retention(Section):
    # Years after closing before a case's personal data is purged, per case kind.
    # Absent kinds are kept indefinitely.
    citizen_years: float | None = Field(default=None, gt=0)
    consultancy_years: float | None = Field(default=None, gt=0)
    whistleblower_years: float | None = Field(default=None, gt=0)

    def years_for(self, kind: str) -> float | None:
        value: float | None = getattr(self, f"{kind}_years", None)
        return value
