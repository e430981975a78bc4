"""The whole configuration."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from store.config.base import Section
from store.config.daemon import Daemon
from store.config.mail import Mail
from store.config.phone import Phone
from store.config.privacy import Retention
from store.config.replies import Replies
from store.config.reports import Reports
from store.config.taxonomy import Taxonomy


class Database(Section):
    # None: a SQLite file in the user data dir. Overridden by --db / BORGERDESK_DATABASE_URL.
    url: str | None = None


class Ui(Section):
    # Remap keys: binding id -> key, e.g. {"triage.link" = "ctrl+l"}.
    keymap: dict[str, str] = {}
    whistleblower_register: bool = False


class Config(Section):
    municipality: str = ""
    language: Literal["da", "en"] = "da"
    database: Database = Field(default_factory=Database)
    taxonomy: Taxonomy = Field(default_factory=Taxonomy)
    replies: Replies = Field(default_factory=Replies)
    reports: Reports = Field(default_factory=Reports)
    mail: Mail = Field(default_factory=Mail)
    phone: Phone = Field(default_factory=Phone)
    daemon: Daemon = Field(default_factory=Daemon)
    retention: Retention = Field(default_factory=Retention)
    ui: Ui = Field(default_factory=Ui)

    @model_validator(mode="after")
    def _presets_use_taxonomy(self) -> Config:
        for p in self.reports.presets:
            for t in p.tables:
                for f, v in t.where.items():
                    if f in ("month", "channel"):
                        continue
                    if v not in self.taxonomy.values(f):
                        raise ValueError(
                            f"report preset {p.name!r}, table {t.title!r}: "
                            f"{f} = {v!r} is not in the taxonomy"
                        )
        if self.reports.default_preset is not None:
            try:
                self.reports.preset(self.reports.default_preset)
            except KeyError:
                raise ValueError(
                    f"reports.default_preset {self.reports.default_preset!r} is not a preset"
                ) from None
        return self
