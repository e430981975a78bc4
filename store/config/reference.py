"""The configuration reference (docs/configuration.md), generated from the models so it
can never drift from what the loader accepts: a test regenerates it and compares."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from store.config.model import Config

DESCRIPTIONS: dict[str, str] = {
    "municipality": "The municipality's name, shown in reports and the UI.",
    "language": "UI language: `da` (default) or `en`.",
    "database": "Where the data lives.",
    "database.url": "Database URL; default a SQLite file in the user data folder. "
    "Overridden by `--db` and `BORGERDESK_DATABASE_URL`.",
    "taxonomy": "The municipality's classification of cases.",
    "taxonomy.departments": "Departments (centre, forvaltning, direktørområde).",
    "taxonomy.departments.name": "The department's name as it appears in reports.",
    "taxonomy.departments.valid_from": "First day the department exists (reorganisations).",
    "taxonomy.departments.valid_to": "Last day the department exists.",
    "taxonomy.categories": "Case categories, e.g. Vejledning / Udredning / Klage.",
    "taxonomy.themes": "Themes, e.g. Forvaltningsret eller forvaltningsskik.",
    "taxonomy.actions": "The advisor's actions on a case.",
    "taxonomy.actions.name": "The action's name.",
    "taxonomy.actions.categories": "Categories the action applies to (empty: all).",
    "taxonomy.actions.outcomes": "Outcomes allowed after this action (empty: none).",
    "taxonomy.party_kinds": "Kinds of party (who made contact).",
    "replies": "Reply targets: the 48-hour rule and statutory deadlines (docs/reply-rules.md).",
    "replies.rules": "The rules; each contact gets a target per rule that applies to it.",
    "replies.rules.name": "The rule's name, shown with each target.",
    "replies.rules.applies_to": "`day_to_day`, `whistleblower_ack`, `whistleblower_feedback` "
    "or `access_request`.",
    "replies.rules.hours": "Allowance in hours (working hours in `workdays` mode).",
    "replies.rules.days": "Allowance in days (working days in `workdays` mode).",
    "replies.rules.months": "Allowance in calendar months (`calendar` mode only).",
    "replies.rules.mode": "`workdays`: closed days do not run the clock; `calendar`: they do.",
    "replies.rules.due_soon_hours": "'Due soon' starts this many (working) hours before due.",
    "replies.rules.met_by": "`reply`: met by a reply to the party; `manual`: only by an "
    "acknowledgement mark.",
    "replies.rules.channels": "Channels of the inbound contacts the rule covers.",
    "replies.rules.categories": "Only contacts of cases in these categories (none: any).",
    "replies.extra_closed_days": "Closed every year besides public holidays (month-day).",
    "replies.closed_dates": "One-off closed dates.",
    "replies.internal_domains": "Mail from these domains (colleagues) owes no reply.",
    "replies.ignore_senders": "Addresses or numbers (or `@domain`) that never owe a reply.",
    "replies.track_from": "Contacts before this date get no target (old mailbox history).",
    "replies.outbound_call_statuses": "Outbound call statuses that count as a reply.",
    "replies.templates": "Reply templates (none given: the Danish defaults `kvittering`, "
    "`forsinkelse`, `afslutning`); see docs/replying.md.",
    "replies.templates.name": "The template's name (`borgerdesk reply --template NAME`).",
    "replies.templates.subject": "Subject, with variables such as `{emne}`; one line.",
    "replies.templates.body": "Body text with variables `{fornavn}` `{navn}` `{sag}` `{emne}` "
    "`{modtaget}` `{forventet_dato}` `{underskrift}`; `{{`/`}}` for braces.",
    "replies.templates.kind": "`acknowledgement`, `delay`, `answer` or `closing`.",
    "replies.templates.working_days": "`{forventet_dato}` is this many working days ahead.",
    "replies.signature": "The signature that `{underskrift}` stands for.",
    "reports": "Report presets for `borgerdesk report --preset` and the statistics screen.",
    "reports.presets": "Named sets of tables.",
    "reports.presets.name": "The preset's name.",
    "reports.presets.title": "A title for the whole report.",
    "reports.presets.tables": "The tables, each one count-engine query.",
    "reports.presets.tables.title": "The table's title.",
    "reports.presets.tables.unit": "`contacts`, `parties` or `cases` (docs/counting.md).",
    "reports.presets.tables.rows": "Row field.",
    "reports.presets.tables.cols": "Column field (none: one column).",
    "reports.presets.tables.where": 'Filters, `{field = "value"}`.',
    "reports.presets.tables.kind": "Case kind counted: citizen, consultancy, whistleblower.",
    "reports.presets.tables.include_excluded": "Count cases marked excluded too.",
    "reports.presets.tables.include_outbound": "Count outbound contacts too.",
    "reports.presets.tables.percentages": "Add a % column.",
    "reports.presets.tables.zero_rows": (
        "Show every taxonomy value valid in the period, zeros included."
    ),
    "reports.default_preset": "The preset the statistics screen shows.",
    "reports.year_starts": (
        "First day (MM-DD) of the report year `--period 2024/25` names, e.g. `10-01`."
    ),
    "mail": "Mailboxes (docs: README, Microsoft 365).",
    "mail.accounts": "One table per mailbox.",
    "mail.accounts.name": "A short name (letters, digits, `._-`), used in commands.",
    "mail.accounts.host": "IMAP host, e.g. `outlook.office365.com`.",
    "mail.accounts.port": "IMAP port; default 993 (tls) or 143.",
    "mail.accounts.security": "`tls`, `starttls`, or `none` (loopback hosts only).",
    "mail.accounts.username": "Login name, usually the mailbox address.",
    "mail.accounts.auth": "`password` or `xoauth2` (Microsoft 365).",
    "mail.accounts.folders": "Folders to read; default INBOX and the \\Sent folder.",
    "mail.accounts.internal_domains": "Colleagues' domains for this mailbox.",
    "mail.accounts.password_env": "Environment variable holding the password or secret.",
    "mail.accounts.password_file": "File holding it; must be mode 0600.",
    "mail.accounts.ca_file": "A CA bundle to verify the server's certificate with.",
    "mail.accounts.max_message_bytes": "Larger messages are stored as headers only, flagged.",
    "mail.accounts.tenant_id": "Microsoft 365: the Entra ID tenant (Directory) id.",
    "mail.accounts.client_id": "Microsoft 365: the app registration's client id.",
    "mail.accounts.oauth_flow": "`device` (the advisor signs in) or `client_credentials` "
    "(app-only, unattended daemon).",
    "mail.accounts.smtp_host": "SMTP submission host for replies (none: this account cannot send).",
    "mail.accounts.smtp_port": "Submission port (default 587 with starttls, 465 with tls).",
    "mail.accounts.smtp_security": "`starttls`, `tls` (certificates verified) or `none` "
    "(loopback only).",
    "mail.accounts.from_address": "The From address of replies (default: the username).",
    "mail.accounts.from_name": "The display name in From.",
    "mail.accounts.save_to_sent": "`auto` (append to Sent unless Microsoft 365), `append` "
    "or `never`.",
    "mail.accounts.sent_folder": "Where replies are appended (default: the \\\\Sent folder, else "
    "`Sent`).",
    "mail.sync_minutes": "Minutes between mail syncs in the daemon.",
    "phone": "Phone-log intake (docs/phone.md).",
    "phone.inbox": "Folder where exports are dropped; the daemon scans it.",
    "phone.own_upns": "The advisor's Teams UPN(s): only their calls count.",
    "phone.own_extensions": "The advisor's extension(s) (CUCM).",
    "phone.own_numbers": "The advisor's own number(s).",
    "phone.voicemail_numbers": "Numbers of the voicemail system (calls to them are voicemail).",
    "phone.default_region": "Region for numbers without a country code.",
    "phone.profiles": "User-defined export formats.",
    "phone.profiles.name": "The profile's name (`--profile NAME`).",
    "phone.profiles.delimiter": "CSV delimiter (default: detected).",
    "phone.profiles.encoding": "Encoding (default: detected).",
    "phone.profiles.columns": "Logical field -> column name in the file.",
    "phone.profiles.date_format": "strptime format of the date column.",
    "phone.profiles.time_format": "strptime format of the time column.",
    "phone.profiles.datetime_format": "strptime format of a combined date-time column.",
    "phone.profiles.timezone": "Zone of the file's times (`UTC` for UTC exports).",
    "phone.profiles.values": 'Value mappings, e.g. `{direction = {Ind = "in"}}`.',
    "phone.stable_seconds": "A file is complete when its size is unchanged this long.",
    "phone.max_wait_seconds": "How long an import waits for a growing file.",
    "daemon": "The ingestion daemon (docs/daemon.md).",
    "daemon.mail_interval_seconds": "Overrides `mail.sync_minutes` (seconds).",
    "daemon.phone_scan_seconds": "Seconds between phone inbox scans.",
    "daemon.evaluate_seconds": "Seconds between reply-target/alert evaluations.",
    "daemon.misfire_grace_seconds": "A job late by up to this much still runs.",
    "daemon.retry_base_seconds": "First backoff delay of a failing source.",
    "daemon.retry_max_seconds": "Longest backoff delay.",
    "daemon.source_alert_hours": "A source failing this long raises an alert.",
    "daemon.shutdown_seconds": "How long SIGTERM waits for the current batch.",
    "daemon.maintenance_at": "Local time of the nightly backup and purge.",
    "daemon.backup_dir": "Folder for nightly online backups (none: no backups).",
    "daemon.backup_keep": "Backups kept.",
    "daemon.log_file": "Optional rotating log file (besides stderr).",
    "daemon.log_level": "Log level.",
    "daemon.smtp": "Optional alert e-mail to the advisor.",
    "daemon.smtp.host": "SMTP host.",
    "daemon.smtp.port": "SMTP port.",
    "daemon.smtp.security": "`starttls` or `tls` (certificates verified).",
    "daemon.smtp.username": "SMTP login (password via keyring/env/0600 file).",
    "daemon.smtp.password_env": "Environment variable holding the SMTP password.",
    "daemon.smtp.password_file": "File holding it; mode 0600.",
    "daemon.smtp.ca_file": "CA bundle for the SMTP server.",
    "daemon.smtp.sender": "From address.",
    "daemon.smtp.to": "The advisor's address.",
    "daemon.smtp.digest": "Send a morning digest on working days.",
    "daemon.smtp.digest_at": "Local time of the digest.",
    "daemon.smtp.timeout_seconds": "SMTP timeout.",
    "daemon.desktop_notifications": "Desktop notifications (notify-send) for new alerts.",
    "daemon.alert_command": "A command that receives each alert as JSON on stdin.",
    "daemon.alert_command_timeout_seconds": "How long the command may run.",
    "retention": "Retention: off until configured (docs/data-protection.md).",
    "retention.citizen_years": "Years after closing before a citizen case's personal data "
    "is purged.",
    "retention.consultancy_years": "The same for consultancy tasks.",
    "retention.whistleblower_years": "The same for whistleblower cases.",
    "retention.unlinked_years": "Years before contacts never linked to a case are purged.",
    "retention.audit_years": "Years the audit log is kept.",
    "ui": "The terminal UI.",
    "ui.keymap": 'Remap keys: binding id -> key, e.g. `{"triage.link" = "ctrl+l"}`.',
    "ui.whistleblower_register": "Show the whistleblower register screen.",
}


def _models(ann: Any) -> tuple[type[BaseModel] | None, bool]:
    """The section model inside an annotation, and whether it is a list of them."""
    for a in (ann, *typing.get_args(ann)):
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a, False
        for b in typing.get_args(a):
            if isinstance(b, type) and issubclass(b, BaseModel):
                return b, True
    return None, False


REQUIRED = object()
"""The default of a key the config must set (pydantic's own marker lives in pydantic_core)."""


def keys(model: type[BaseModel] = Config, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(dotted key, annotation, default) for every key, depth first."""
    for name, f in model.model_fields.items():
        key = f"{prefix}{name}"
        default = REQUIRED if f.is_required() else f.get_default(call_default_factory=True)
        yield key, f.annotation, default
        inner, _many = _models(f.annotation)
        if inner is not None:
            yield from keys(inner, f"{key}.")


def _type(ann: Any) -> str:
    text = str(ann).replace("typing.", "").replace("pathlib.", "").replace("datetime.", "")
    text = text.replace("<class '", "").replace("'>", "").replace("NoneType", "None")
    return text.replace("store.config.", "").replace("Literal", "one of ")


def _default(v: Any) -> str:
    if v is REQUIRED:
        return "(required)"
    if v is None:
        return "(none)"
    if isinstance(v, BaseModel):
        return "(section)"
    if isinstance(v, list) and v and isinstance(v[0], BaseModel):
        return f"{len(v)} built in"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    if isinstance(v, str):
        return f'"{v}"'
    return str(v).replace("'", '"')


HEADER = """# Configuration reference

borgerdesk reads one TOML file: `--config PATH`, else `BORGERDESK_CONFIG`, else
`config.toml` in the user config folder (`~/.config/borgerdesk/` on Linux). Without a
file it runs on the `odsherred` preset. `borgerdesk init` writes a commented file; the two
presets (`store/presets/odsherred.toml`, `store/presets/haderslev.toml`) are complete
examples. Unknown keys are errors, so a typo never silently falls back to a default; every
problem is reported as one line naming the file and the key.

Secrets (mail and SMTP passwords, OAuth client secrets) are never in this file: they come
from the OS keyring (`borgerdesk mail set-password NAME`), the environment variable named by
`password_env`, or a file named by `password_file` that must be mode 0600.

This page is generated from the models (`store/config/reference.py`); a test keeps it
current.

## Example

```toml
municipality = "Odsherred Kommune"
language = "da"

[taxonomy]
categories = ["Vejledning", "Udredning", "Klage"]
[[taxonomy.departments]]
name = "Børn, Unge og Familier"
[[taxonomy.departments]]
name = "Teknik og Klima"
valid_from = 2021-08-01

[replies]
internal_domains = ["odsherred.dk"]

[[mail.accounts]]
name = "raadgiver"
host = "outlook.office365.com"
username = "borgerraadgiver@odsherred.dk"
auth = "xoauth2"
tenant_id = "00000000-0000-0000-0000-000000000000"
client_id = "00000000-0000-0000-0000-000000000000"

[phone]
inbox = "/home/raadgiver/borgerdesk/telefon"
own_upns = ["borgerraadgiver@odsherred.dk"]

[daemon]
backup_dir = "/home/raadgiver/borgerdesk/backup"

[retention]
citizen_years = 5
```

## Keys

`[]` after a section means it is a list of tables (`[[mail.accounts]]`).

| key | type | default | meaning |
| --- | --- | --- | --- |
"""


def render() -> str:
    lines = [HEADER.rstrip("\n")]
    for key, ann, default in keys():
        inner, many = _models(ann)
        shown = key + ("[]" if many else "")
        desc = DESCRIPTIONS.get(key, "")
        typ = "table" if inner is not None else _type(ann)
        cells = [f"`{shown}`", typ, _default(default), desc]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write(path: Path) -> None:
    path.write_text(render(), "utf-8")
