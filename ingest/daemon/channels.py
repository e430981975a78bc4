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

_TEXT = {
    "da": {
        "due_soon": "Svarfrist nærmer sig",
        "overdue": "Svarfrist overskredet",
        "source_failing": "Kilde fejler",
        "case": "sag",
        "no_case": "ikke tilknyttet sag",
        "due": "frist",
        "since": "siden",
        "digest": "borgerdesk: dagens opfølgning",
        "digest_empty": "Ingen svarfrister er overskredet eller nær.",
    },
    "en": {
        "due_soon": "Reply due soon",
        "overdue": "Reply overdue",
        "source_failing": "Source failing",
        "case": "case",
        "no_case": "not linked to a case",
        "due": "due",
        "since": "since",
        "digest": "borgerdesk: today's follow-ups",
        "digest_empty": "No replies are overdue or due soon.",
    },
}


def describe(alert: PendingAlert, language: str = "da") -> str:
    """One line, with only what the alert carries: case ref, channel, due time."""
    t = _TEXT.get(language, _TEXT["da"])
    p = alert.payload
    if alert.kind == "source_failing":
        return (
            f"{t['source_failing']}: {p.get('source')} ({p.get('source_kind')}), "
            f"{t['since']} {_show(p.get('failing_since'))}"
        )
    case = f"{t['case']} {p['case_ref']}" if p.get("case_ref") else t["no_case"]
    return (
        f"{t.get(alert.kind, alert.kind)}: {case}, {p.get('channel')}, "
        f"{t['due']} {_show(p.get('due_at'))}"
    )


def _show(iso: object) -> str:
    if not isinstance(iso, str):
        return "-"
    return dt.datetime.fromisoformat(iso).astimezone(CPH).strftime("%Y-%m-%d %H:%M")


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
    lines = [describe(a, language) for a in alerts[:MAIL_MAX_LINES]]
    if len(alerts) > MAIL_MAX_LINES:
        lines.append(f"… +{len(alerts) - MAIL_MAX_LINES}")
    subject = "borgerdesk: " + (lines[0] if len(alerts) == 1 else f"{len(alerts)} alerts")
    send_mail(smtp, subject=subject, body="\n".join(lines) + "\n")


def email_digest(smtp: Smtp, lines: list[str], language: str) -> None:
    t = _TEXT.get(language, _TEXT["da"])
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
            text = (
                f"{len(alerts)} nye advarsler, {overdue} overskredne svarfrister"
                if language == "da"
                else f"{len(alerts)} new alerts, {overdue} overdue replies"
            )
            desktop_notify(alerts[0], language, text=text, urgent=overdue > 0)
        else:
            for alert in alerts:
                desktop_notify(alert, language)
    except (OSError, subprocess.SubprocessError) as e:
        # A desktop may be absent (no session bus); the alert is still in the DB.
        log.warning("desktop notification failed", extra={"fields": {"error": type(e).__name__}})
