"""Where alerts go beyond the database: e-mail (SMTP with TLS), a desktop notification,
and a command hook that receives each alert as JSON on stdin.

Delivery is at least once: a channel is told about an alert that is committed and not yet
marked sent, and the mark is committed after it succeeds. A crash between the two sends it
again after the restart; nothing is ever dropped. A channel that fails is retried at the
next evaluation and logged, never fatal to the daemon.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import smtplib
import ssl
import subprocess
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ingest.daemon.alerts import PendingAlert
from store.config.daemon import Smtp
from store.timeutil import CPH

log = logging.getLogger("borgerdesk.daemon.channels")

# Everything the daemon's alert mails and notifications say, in the UI language
# (config `language`: Danish by default, English when set to "en"). The daemon is in
# ingest/, which does not import borgerdesk: its sentences live here, in one table.
_TEXT: dict[str, dict[str, str]] = {
    "da": {
        "due_soon": "Svarfrist nærmer sig: {case}, {channel}, frist {due}",
        "overdue": "Svarfrist overskredet: {case}, {channel}, frist {due}",
        "source_failing": "Kilde fejler: {source} ({source_kind}), siden {since}",
        "other": "{kind}: {case}, {channel}, frist {due}",
        "case": "sag {ref}",
        "no_case": "ikke knyttet til en sag",
        "subject_many": "borgerdesk: {n} advarsler",
        "more": "… og {n} til; se dem alle i borgerdesk (Svarfrister)",
        "digest": "borgerdesk: dagens opfølgning",
        "digest_empty": "Ingen svarfrister er overskredet eller nær.",
        "desktop_summary": "{n} nye advarsler, {overdue} overskredne svarfrister",
        "channel.email": "mail",
        "channel.phone": "telefon",
        "channel.meeting": "møde",
        "channel.letter": "brev",
        "channel.home_visit": "hjemmebesøg",
        "source.imap": "postkasse",
        "source.phone": "telefonlog",
        "time": "%d-%m-%Y %H:%M",
    },
    "en": {
        "due_soon": "Reply due soon: {case}, {channel}, due {due}",
        "overdue": "Reply overdue: {case}, {channel}, due {due}",
        "source_failing": "Source failing: {source} ({source_kind}), since {since}",
        "other": "{kind}: {case}, {channel}, due {due}",
        "case": "case {ref}",
        "no_case": "not linked to a case",
        "subject_many": "borgerdesk: {n} alerts",
        "more": "… and {n} more; see them all in borgerdesk (Follow-ups)",
        "digest": "borgerdesk: today's follow-ups",
        "digest_empty": "No replies are overdue or due soon.",
        "desktop_summary": "{n} new alerts, {overdue} overdue replies",
        "channel.email": "email",
        "channel.phone": "phone",
        "channel.meeting": "meeting",
        "channel.letter": "letter",
        "channel.home_visit": "home visit",
        "source.imap": "mailbox",
        "source.phone": "phone log",
        "time": "%Y-%m-%d %H:%M",
    },
}


def _texts(language: str) -> dict[str, str]:
    return _TEXT["en" if language == "en" else "da"]


def _word(t: dict[str, str], prefix: str, value: object) -> str:
    """A stored word (a channel, a source kind) in the language; an unknown one as is."""
    return t.get(f"{prefix}.{value}", str(value))


def describe(alert: PendingAlert, language: str = "da") -> str:
    """One line, with only what the alert carries: case ref, channel, due time."""
    t = _texts(language)
    p = alert.payload
    if alert.kind == "source_failing":
        return t["source_failing"].format(
            source=p.get("source"),
            source_kind=_word(t, "source", p.get("source_kind")),
            since=_show(p.get("failing_since"), t),
        )
    case = t["case"].format(ref=p["case_ref"]) if p.get("case_ref") else t["no_case"]
    return t.get(alert.kind, t["other"]).format(
        kind=alert.kind,
        case=case,
        channel=_word(t, "channel", p.get("channel")),
        due=_show(p.get("due_at"), t),
    )


def _show(iso: object, t: dict[str, str]) -> str:
    if not isinstance(iso, str):
        return "-"
    return dt.datetime.fromisoformat(iso).astimezone(CPH).strftime(t["time"])


# --------------------------------------------------------------------------- SMTP


def smtp_key(username: str) -> str:
    return f"smtp:{username}"


def smtp_password(smtp: Smtp) -> str | None:
    """The SMTP password from the same sources as IMAP: keyring (key "smtp:<username>",
    set with `borgerdesk set-smtp-password`), then password_env, then password_file."""
    if not smtp.username:
        return None
    from store.secrets import SecretError, get_secret

    try:
        return get_secret(
            smtp_key(smtp.username),
            env=smtp.password_env,
            file=smtp.password_file,
            what="SMTP password",
        )
    except SecretError as e:
        if smtp.password_file is not None:
            raise  # the file's own problem (mode, missing) says it best
        raise SecretError(
            f"no SMTP password for {smtp.username!r}: set one with "
            "'borgerdesk set-smtp-password', daemon.smtp.password_env or a 0600 "
            "daemon.smtp.password_file"
        ) from e


def send_mail(smtp: Smtp, *, subject: str, body: str) -> None:
    """Send one plain-text message. TLS verifies the server certificate."""
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = smtp.to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="borgerdesk.invalid")
    msg["Auto-Submitted"] = "auto-generated"  # our own alerts must never owe a reply
    msg.set_content(body)
    context = ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)
    client: smtplib.SMTP
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.port, context=context, timeout=smtp.timeout_seconds
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=context)
        password = smtp_password(smtp)
        if smtp.username and password is not None:
            client.login(smtp.username, password)
        client.send_message(msg)


# One e-mail lists at most this many alerts; the UI and `followups` have them all.
MAIL_MAX_LINES = 50


def email_alerts(smtp: Smtp, alerts: list[PendingAlert], language: str) -> None:
    if not alerts:
        return
    t = _texts(language)
    lines = [describe(a, language) for a in alerts[:MAIL_MAX_LINES]]
    if len(alerts) > MAIL_MAX_LINES:
        lines.append(t["more"].format(n=len(alerts) - MAIL_MAX_LINES))
    subject = (
        "borgerdesk: " + lines[0] if len(alerts) == 1 else t["subject_many"].format(n=len(alerts))
    )
    send_mail(smtp, subject=subject, body="\n".join(lines) + "\n")


def email_digest(smtp: Smtp, lines: list[str], language: str) -> None:
    t = _texts(language)
    body = "\n".join(lines) if lines else t["digest_empty"]
    send_mail(smtp, subject=t["digest"], body=body + "\n")


# --------------------------------------------------------------------------- local


def desktop_notify(
    alert: PendingAlert, language: str, *, text: str | None = None, urgent: bool | None = None
) -> bool:
    """A desktop notification via notify-send, when there is one; False if not."""
    exe = shutil.which("notify-send")
    if exe is None:
        return False
    if urgent is None:
        urgent = alert.kind in ("overdue", "source_failing")
    urgency = "critical" if urgent else "normal"
    subprocess.run(
        [
            exe,
            "--app-name=borgerdesk",
            f"--urgency={urgency}",
            "borgerdesk",
            text or describe(alert, language),
        ],
        check=True,
        timeout=10,
        capture_output=True,
    )
    return True


def run_hook(command: list[str], alert: PendingAlert, timeout: float) -> None:
    """Run the configured command with the alert's JSON on stdin; raise if it fails."""
    subprocess.run(
        command,
        input=alert.as_json().encode(),
        check=True,
        timeout=timeout,
        capture_output=True,
    )


# More new alerts than this at once (a first sync of an old mailbox) make one summary
# notification, not a screenful of pop-ups.
DESKTOP_SUMMARY_ABOVE = 3


def desktop_notify_all(alerts: list[PendingAlert], language: str) -> None:
    """Desktop notifications for new alerts; never raises (the alerts are in the DB)."""
    try:
        if len(alerts) > DESKTOP_SUMMARY_ABOVE:
            overdue = sum(a.kind == "overdue" for a in alerts)
            text = _texts(language)["desktop_summary"].format(n=len(alerts), overdue=overdue)
            desktop_notify(alerts[0], language, text=text, urgent=overdue > 0)
        else:
            for alert in alerts:
                desktop_notify(alert, language)
    except (OSError, subprocess.SubprocessError) as e:
        # A desktop may be absent (no session bus); the alert is still in the DB.
        log.warning("desktop notification failed", extra={"fields": {"error": type(e).__name__}})
