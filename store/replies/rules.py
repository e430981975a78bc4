"""Which contacts owe a reply, and which contacts are a reply. Pure functions over
`ContactFacts` and the configuration; no database access here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.addresses import normalise_phone
from store.config import Config
from store.config.replies import ReplyRule
from store.replies.calendar import WorkCalendar, calendar_for
from store.replies.facts import ContactFacts, MailFacts

# Header tests for auto-generated mail (RFC 3834 and the common non-standard ones).
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_AUTO_FLAG_HEADERS = ("x-autoreply", "x-autorespond")
# Channels where the contact itself is a conversation with the party.
_CONVERSATION_CHANNELS = frozenset({"meeting", "home_visit"})


def is_auto_mail(mail: MailFacts) -> bool:
    """Auto-generated: owes no reply and is no reply (an out-of-office is not an answer)."""
    if mail.is_auto:
        return True
    h = mail.headers
    for v in h.get("auto-submitted", []):
        if v.split(";", 1)[0].strip().lower() not in ("", "no"):
            return True
    if any(v.strip().lower() in _BULK_PRECEDENCE for v in h.get("precedence", [])):
        return True
    if any(name in h for name in _AUTO_FLAG_HEADERS):
        return True
    # A null return path ("<>") marks bounces and auto-replies (RFC 5321 4.5.5).
    return any(v.strip() in ("<>", "") for v in h.get("return-path", []))


@dataclass(frozen=True)
class RuleSet:
    """The reply configuration, pre-digested for fast checks."""

    rules: tuple[ReplyRule, ...]
    calendar: WorkCalendar
    internal_domains: frozenset[str]
    ignore_senders: frozenset[str]
    ignore_domains: frozenset[str]
    track_from: dt.date | None
    outbound_call_statuses: frozenset[str]

    @classmethod
    def from_config(cls, config: Config) -> RuleSet:
        r = config.replies
        internal = {d.lstrip("@").lower() for d in r.internal_domains}
        for acct in config.mail.accounts:
            internal.update(d.strip().lstrip("@").lower() for d in acct.internal_domains)
        senders: set[str] = set()
        domains: set[str] = set()
        for s in r.ignore_senders:
            if s.startswith("@"):
                domains.add(s[1:])
            elif "@" in s:
                senders.add(s)
            else:
                senders.add(normalise_phone(s) or s)
        return cls(
            rules=tuple(r.rules),
            calendar=calendar_for(r),
            internal_domains=frozenset(internal),
            ignore_senders=frozenset(senders),
            ignore_domains=frozenset(domains),
            track_from=r.track_from,
            outbound_call_statuses=frozenset(r.outbound_call_statuses),
        )

    def rule(self, name: str) -> ReplyRule | None:
        for r in self.rules:
            if r.name == name:
                return r
        return None

    @property
    def reply_rule_names(self) -> frozenset[str]:
        return frozenset(r.name for r in self.rules if r.met_by == "reply")

    # ------------------------------------------------------------------ senders

    def _domain_in(self, domain: str, domains: frozenset[str]) -> bool:
        # "odsherred.dk" also covers "mail.odsherred.dk".
        parts = domain.split(".")
        return any(".".join(parts[i:]) in domains for i in range(len(parts)))

    def exempt_sender(self, f: ContactFacts) -> str | None:
        """Why this inbound contact's sender owes nothing (internal, ignored), or None."""
        senders = {a for a in (f.counterpart, f.mail.from_addr if f.mail else None) if a}
        for s in senders:
            if s in self.ignore_senders:
                return "sender on the ignore list"
            if "@" in s:
                domain = s.rsplit("@", 1)[1]
                if self._domain_in(domain, self.ignore_domains):
                    return "sender domain on the ignore list"
                if self._domain_in(domain, self.internal_domains):
                    return "internal sender"
        return None

    # ------------------------------------------------------------------ replies

    def is_reply(self, f: ContactFacts) -> bool:
        """Does this contact answer the party (and so meet their earlier targets)?"""
        if f.channel in _CONVERSATION_CHANNELS:
            return True
        if f.direction == "out":
            if f.channel == "email":
                return f.mail is None or not is_auto_mail(f.mail)
            if f.channel == "phone":
                return f.call_status is None or f.call_status in self.outbound_call_statuses
            return True  # letter
        # Inbound: an answered call is a conversation. A phone contact without a call
        # record was registered by hand, i.e. a conversation that took place.
        return f.channel == "phone" and f.call_status in (None, "answered")

    # ------------------------------------------------------------------ owing

    def no_reply_reason(self, f: ContactFacts) -> str | None:
        """Why an inbound day-to-day contact owes nothing, or None if it owes a reply."""
        if f.direction != "in":
            return "outbound"
        if self.track_from is not None and f.occurred_on < self.track_from:
            return "before replies.track_from"
        if f.counterpart is None and f.party_id is None:
            return "no address or number to reply to"
        if f.channel == "email":
            if f.mail is not None and is_auto_mail(f.mail):
                return "auto-generated mail"
            return self.exempt_sender(f)
        if f.channel == "phone":
            if f.call_status in (None, "answered"):
                return "answered call"
            return self.exempt_sender(f)
        if f.channel in _CONVERSATION_CHANNELS:
            return "conversation"
        return self.exempt_sender(f)

    def owed_rules(self, f: ContactFacts, *, is_whistleblower_report: bool) -> list[ReplyRule]:
        """The rules under which this contact owes a reply.

        `is_whistleblower_report`: the contact is the first inbound contact of a case of
        kind whistleblower (the report itself).
        """
        if f.direction != "in" or f.dismissed:
            # "Not a case" (a newsletter, a misdirected mail) owes no reply; its open
            # targets drop, and 'contact undismiss' brings them back.
            return []
        if self.track_from is not None and f.occurred_on < self.track_from:
            return []
        auto = f.channel == "email" and f.mail is not None and is_auto_mail(f.mail)
        out: list[ReplyRule] = []
        day_to_day_reason: str | None = None
        for rule in self.rules:
            if rule.categories is not None and f.case_category not in rule.categories:
                continue
            if rule.applies_to == "day_to_day":
                if is_whistleblower_report or f.channel not in rule.channels:
                    continue
                if day_to_day_reason is None:
                    day_to_day_reason = self.no_reply_reason(f) or ""
                if day_to_day_reason == "":
                    out.append(rule)
            elif rule.applies_to in ("whistleblower_ack", "whistleblower_feedback"):
                # Colleagues are typical whistleblowers: internal senders count here.
                if is_whistleblower_report and not auto:
                    out.append(rule)
            elif (
                rule.applies_to == "access_request"
                and f.access_request
                and not auto
                and f.channel in rule.channels
            ):
                out.append(rule)
        return out
