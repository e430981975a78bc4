"""Reply-target rules and closed days (the rules engine lives in store.replies)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from store.config.base import Section
from store.config.templates import DEFAULT_SIGNATURE, ReplyTemplate, default_templates

# Which contacts a rule applies to.
AppliesTo = Literal["day_to_day", "whistleblower_ack", "whistleblower_feedback", "access_request"]


class ReplyRule(Section):
    name: str = Field(min_length=1)
    applies_to: AppliesTo = "day_to_day"
    # The allowance, in hours (workdays mode: working hours) or in calendar days/months.
    hours: float | None = 48
    days: int | None = None
    months: int | None = None
    mode: Literal["workdays", "calendar"] = "workdays"
    # Due soon starts this many (working) hours before the due time.
    due_soon_hours: float = Field(default=8, ge=0)
    # What meets a target of this rule: "reply" = any reply to the party (outbound mail,
    # call, letter, meeting, answered inbound call) or a manual ack; "manual" = only an
    # explicit `borgerdesk ack CONTACT --rule NAME` (a 48-hour acknowledgement must not
    # count as the whistleblower's feedback or an access-request decision).
    met_by: Literal["reply", "manual"] = "reply"
    # Channels of the inbound contact the rule covers (day_to_day and access_request).
    channels: list[str] = ["email", "phone"]
    # Only contacts of cases with one of these categories (None: any, triage included).
    categories: list[str] | None = None

    @model_validator(mode="after")
    def _one_allowance(self) -> ReplyRule:
        given = [k for k in ("hours", "days", "months") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"rule {self.name!r}: give exactly one of hours, days, months "
                f"(got {given or 'none'})"
            )
        if self.months is not None and self.mode != "calendar":
            raise ValueError(f'rule {self.name!r}: months need mode = "calendar"')
        for k in ("hours", "days", "months"):
            v = getattr(self, k)
            if v is not None and v <= 0:
                raise ValueError(f"rule {self.name!r}: {k} must be positive")
        return self


def _default_rules() -> list[ReplyRule]:
    return [
        ReplyRule(name="dag-til-dag", applies_to="day_to_day", hours=48, mode="workdays"),
        ReplyRule(
            name="whistleblower-kvittering",
            applies_to="whistleblower_ack",
            hours=None,
            days=7,
            mode="calendar",
            due_soon_hours=24,
        ),
        ReplyRule(
            name="whistleblower-feedback",
            applies_to="whistleblower_feedback",
            hours=None,
            months=3,
            mode="calendar",
            due_soon_hours=24 * 7,
            met_by="manual",
        ),
        ReplyRule(
            name="aktindsigt",
            applies_to="access_request",
            hours=None,
            days=7,
            mode="workdays",
            due_soon_hours=8,
            met_by="manual",
            channels=["email", "phone", "letter", "meeting", "home_visit"],
        ),
    ]


class Replies(Section):
    rules: list[ReplyRule] = Field(default_factory=_default_rules)
    # Closed every year on these month-days ("MM-DD"), beyond the public holidays.
    extra_closed_days: list[str] = ["12-24", "12-31", "06-05"]
    # One-off closed dates (e.g. a municipal closing day).
    closed_dates: list[dt.date] = []
    # Mail from these domains is from colleagues: it owes no reply.
    internal_domains: list[str] = []
    # Senders (addresses or numbers) that never owe a reply; "@domain" ignores a domain.
    ignore_senders: list[str] = []
    # Contacts before this date get no target (e.g. the first sync of an old mailbox).
    track_from: dt.date | None = None
    # Statuses of an outbound call to the party's number that count as a reply (a
    # municipality may drop "missed" to require a conversation).
    outbound_call_statuses: list[str] = ["answered", "voicemail", "missed"]
    # Reply templates ({underskrift} is the signature); a config without any uses the
    # Danish defaults (store.config.templates).
    templates: list[ReplyTemplate] = Field(default_factory=default_templates)
    signature: str = DEFAULT_SIGNATURE

    @model_validator(mode="after")
    def _unique_rules(self) -> Replies:
        names = [r.name for r in self.rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"reply rule names must be unique; repeated: {dupes}")
        names = [t.name for t in self.templates]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"reply template names must be unique; repeated: {dupes}")
        if not self.templates:
            raise ValueError("templates: give at least one, or leave the key out for the defaults")
        return self

    @field_validator("extra_closed_days")
    @classmethod
    def _month_days(cls, v: list[str]) -> list[str]:
        for md in v:
            try:
                dt.date.fromisoformat(f"2024-{md}")  # a leap year accepts 02-29
            except ValueError:
                raise ValueError(f"{md!r} is not a month-day like '12-24'") from None
        return v

    @field_validator("internal_domains", "ignore_senders")
    @classmethod
    def _lower(cls, v: list[str]) -> list[str]:
        return [x.strip().lower() for x in v]

    def template(self, name: str) -> ReplyTemplate:
        for t in self.templates:
            if t.name == name:
                return t
        raise KeyError(name)

    def rule(self, name: str) -> ReplyRule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(name)
