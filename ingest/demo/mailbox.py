"""The demo mailbox: INBOX and Sent for a year, as raw RFC 5322 messages."""

from __future__ import annotations

import datetime as dt
import random
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ingest.demo.people import TOPICS, Citizen
from ingest.mail.embedded_server import Seed
from store.replies.calendar import working_hours_between
from store.timeutil import CPH

ADVISOR = "Borgerrådgiveren <borgerraadgiver@odsherred.dk>"
ADVISOR_ADDR = "borgerraadgiver@odsherred.dk"


def _message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    when: dt.datetime,
    msgid: str,
    in_reply_to: str | None = None,
    extra: dict[str, str] | None = None,
    html: str | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = format_datetime(when.astimezone(CPH))
    m["Message-ID"] = msgid
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
        m["References"] = in_reply_to
    for k, v in (extra or {}).items():
        m[k] = v
    if html is not None and not body:
        m.set_content(html, subtype="html")
    else:
        m.set_content(body)
        if html is not None:
            m.add_alternative(html, subtype="html")
    if attachment:
        name, data = attachment
        m.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return bytes(m)


def _working_moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(rng.randint(7, 16), rng.choice([2, 11, 24, 37, 48, 55])), tzinfo=CPH
    )


def _working_hours_ago(now: dt.datetime, hours: float) -> dt.datetime:
    """The latest moment with `hours` of Danish working time between it and now."""
    t = now.replace(second=0, microsecond=0)
    while working_hours_between(t, now) < hours:
        t -= dt.timedelta(minutes=30)
    return t


def _back(now: dt.datetime, days: int) -> dt.date:
    return (now.astimezone(CPH) - dt.timedelta(days=days)).date()


_OWES_NOTHING: list[tuple[int, int, int, str, str, str, str | None, str, dict[str, str] | None]] = [
    (
        6,
        3,
        40,
        "Jobcenter Odsherred <noreply@odsherred.dk>",
        "Automatisk svar: Henvendelse modtaget",
        "Tak for din henvendelse. Vi besvarer den hurtigst muligt.\n",
        None,
        "odsherred.dk",
        {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    ),
    (
        8,
        2,
        30,
        "Borgerrådgivernes Netværk <nyhedsbrev@borgerraadgivere.dk>",
        "Nyhedsbrev nr. {n}",
        "",
        "<html><body><h1>Nyt fra netværket</h1><p>Årsmødet holdes i Vejle.</p></body></html>",
        "borgerraadgivere.dk",
        {"Precedence": "bulk", "List-Unsubscribe": "<mailto:afmeld@example.dk>"},
    ),
    (
        5,
        1,
        50,
        "Kirsten Kollega <kirsten.kollega@odsherred.dk>",
        "Mødeindkaldelse: koordinering",
        "Hej, kan du torsdag kl. 10?\n",
        None,
        "odsherred.dk",
        None,
    ),
]


def demo_mailbox(
    people: list[Citizen], *, now: dt.datetime, seed: int = 11
) -> dict[str, list[Seed]]:
    """A year of citizen mail ending at `now`, with the advisor's replies in Sent.

    Most inquiries were answered within a day or two; some late; the last few days hold
    unanswered ones, so some are overdue and some due soon when the demo opens.
    """
    rng = random.Random(seed)
    inbox: list[Seed] = []
    sent: list[Seed] = []
    for i, c in enumerate(people):
        _dep, _cat, subject, first_line = TOPICS[c.topic]
        n_threads = rng.choice([1, 1, 2, 3])
        for t in range(n_threads):
            day = _back(now, rng.randint(10, 360))
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            when = _working_moment(rng, day)
            mid = make_msgid(domain=c.email.split("@")[1])
            body = (
                f"Kære borgerrådgiver\n\n{first_line}\n\n"
                f"Jeg håber, I kan hjælpe.\n\nVenlig hilsen\n{c.name}\nTlf. {c.phone}\n"
            )
            html = None
            if (i + t) % 3 == 0:  # ~30 % come with an HTML alternative
                html = (
                    f"<html><body><p>Kære borgerrådgiver</p><p>{first_line}</p>"
                    f"<p>Venlig hilsen<br>{c.name}</p></body></html>"
                )
            attachment = None
            if (i + t) % 10 == 0:
                attachment = ("afgoerelse.pdf", b"%PDF-1.4\n" + rng.randbytes(20_000))
            inbox.append(
                Seed(
                    _message(
                        sender=f"{c.name} <{c.email}>",
                        to=ADVISOR,
                        subject=subject,
                        body=body,
                        when=when,
                        msgid=mid,
                        html=html,
                        attachment=attachment,
                    ),
                    flags=("\\Seen",),
                    when=when,
                )
            )
            # The advisor's acknowledgement: usually within a day, sometimes late.
            delay = dt.timedelta(hours=rng.choice([2, 5, 20, 26, 30, 70, 100]))
            reply_at = when + delay
            sent.append(
                Seed(
                    _message(
                        sender=ADVISOR,
                        to=f"{c.name} <{c.email}>",
                        subject=f"Sv: {subject}",
                        body=(
                            f"Kære {c.first}\n\nTak for din mail. Jeg vender tilbage med et svar "
                            "i begyndelsen af næste uge.\n\nVenlig hilsen\nBorgerrådgiveren\n"
                        ),
                        when=reply_at,
                        msgid=make_msgid(domain="odsherred.dk"),
                        in_reply_to=mid,
                    ),
                    flags=("\\Seen",),
                    when=reply_at,
                )
            )

    # Unanswered, recent: overdue (4–8 days ago), due soon (44 and 46 of the 48 working
    # hours gone) and one just in.
    due_soon = [_working_hours_ago(now, 44), _working_hours_ago(now, 46)]
    for days, c in zip([8, 6, 5, 4, -1, -2, 0], people[-7:], strict=True):
        _dep, _cat, subject, first_line = TOPICS[c.topic]
        if days < 0:
            when = due_soon[-days - 1]
        else:
            day = _back(now, days)
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            when = min(_working_moment(rng, day), now - dt.timedelta(minutes=30))
        inbox.append(
            Seed(
                _message(
                    sender=f"{c.name} <{c.email}>",
                    to=ADVISOR,
                    subject=subject,
                    body=f"Hej\n\n{first_line}\n\nMed venlig hilsen\n{c.name}\n",
                    when=when,
                    msgid=make_msgid(domain=c.email.split("@")[1]),
                ),
                when=when,
            )
        )

    # Mail that owes nothing: auto-replies, newsletters, colleagues. Per kind: how many,
    # days back (first, step), sender, subject, body, HTML, Message-ID domain, headers.
    for n, first, step, sender, subject, body, html, domain, extra in _OWES_NOTHING:
        for k in range(n):
            when = _working_moment(rng, _back(now, first + k * step))
            inbox.append(
                Seed(
                    _message(
                        sender=sender,
                        to=ADVISOR,
                        subject=subject.format(n=40 + k),
                        body=body,
                        html=html,
                        when=when,
                        msgid=make_msgid(domain=domain),
                        extra=extra,
                    ),
                    flags=("\\Seen",),
                    when=when,
                )
            )
    inbox.sort(key=lambda s: s.when or now)
    sent.sort(key=lambda s: s.when or now)
    return {"INBOX": inbox, "Sent": sent}
