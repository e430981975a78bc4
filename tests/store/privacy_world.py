"""A generated multi-year store for the privacy tests, and the "every report" snapshot.

Every party carries unique marker strings (name, ref, e-mail, phone, texts) so a test can
check that a purged party's personal data is gone from every table and from the file.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from email.message import EmailMessage as Mime
from typing import Any

from sqlalchemy import inspect, select, text
from sqlmodel import Session

from store.cases import create_case, update_case
from store.config import Config
from store.contacts import add_contact, dismiss_contact, link_contacts
from store.counts import FIELDS, KINDS, CountQuery, FieldNotCountable, count
from store.models import (
    CaseCreate,
    CaseNote,
    CaseUpdate,
    ContactCreate,
    EmailMessage,
    PartyCreate,
    ReplyTarget,
)
from store.parties import create_party
from store.privacy.whistleblower import open_whistleblower_case
from store.timeutil import CPH

CHANNELS = ("phone", "email", "meeting", "letter", "home_visit")


@dataclass
class World:
    parties: dict[int, dict[str, str]] = field(default_factory=dict)  # id -> markers
    case_party: dict[int, int | None] = field(default_factory=dict)
    case_closed: dict[int, dt.date | None] = field(default_factory=dict)
    case_kind: dict[int, str] = field(default_factory=dict)
    contacts: dict[int, int | None] = field(default_factory=dict)  # contact -> case


def _mime(frm: str, to: str, subject: str, body: str, when: dt.datetime) -> bytes:
    m = Mime()
    m["From"] = frm
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = when.strftime("%a, %d %b %Y %H:%M:%S +0000")
    m["Message-ID"] = f"<{abs(hash((frm, subject, when)))}@example.dk>"
    m.set_content(body)
    m.add_attachment(
        b"%PDF-1.4 " + body.encode(),
        maintype="application",
        subtype="pdf",
        filename=f"bilag-{subject}.pdf",
    )
    return m.as_bytes()


def build_world(
    session: Session,
    config: Config,
    *,
    seed: int = 7,
    n_parties: int = 60,
    n_cases: int = 150,
    first_year: int = 2015,
    last_year: int = 2025,
) -> World:
    rnd = random.Random(seed)
    tax = config.taxonomy
    departments = [d.name for d in tax.departments] + [None]
    categories = [*tax.categories, None]
    w = World()
    for i in range(n_parties):
        secret = f"S{seed}x{i:04d}"
        phone = f"+4520{seed % 100:02d}{i:04d}"
        email = f"borger.{secret.lower()}@example.dk"
        p = create_party(
            session=session,
            party_in=PartyCreate(
                kind=rnd.choice(tax.party_kinds),
                name=f"Navn {secret}",
                ref=f"REF-{secret}",
                emails=[email],
                phones=[phone],
            ),
        )
        assert p.id is not None
        w.parties[p.id] = {
            "name": f"Navn {secret}",
            "email": email,
            "phone": phone,
            "secret": secret,
        }
    party_ids = list(w.parties)
    seq = 0
    for n in range(n_cases):
        year = rnd.randint(first_year, last_year)
        opened = dt.date(year, 1, 1) + dt.timedelta(days=rnd.randint(0, 364))
        kind = rnd.choices(KINDS, weights=(8, 1, 1))[0]
        closed = None if rnd.random() < 0.15 else opened + dt.timedelta(days=rnd.randint(0, 400))
        pid = rnd.choice(party_ids) if rnd.random() < 0.95 else None
        secret = w.parties[pid]["secret"] if pid else f"anon{n}"
        case_in = CaseCreate(
            ref=f"{year}-{n:04d}",
            title=f"Sag om {secret}",
            kind=kind,
            department=rnd.choice(departments),
            category=rnd.choice(categories),
            opened_on=opened,
            party_id=pid,
            excluded=rnd.random() < 0.07,
        )
        if kind == "whistleblower":
            case = open_whistleblower_case(
                session=session,
                case_in=case_in,
                reporter={"name": f"Melder {secret}", "email": w.parties[pid]["email"]}
                if pid and rnd.random() < 0.5
                else None,
            )
        else:
            case = create_case(session=session, case_in=case_in)
        assert case.id is not None
        w.case_party[case.id] = pid
        w.case_closed[case.id] = closed
        w.case_kind[case.id] = kind
        session.add(CaseNote(case_id=case.id, os_user="tester", text=f"Notat om {secret}"))
        # An edit of the title and a reclassification: history and audit with text.
        update_case(
            session=session,
            case_id=case.id,
            changes=CaseUpdate(title=f"Ny titel {secret}", category=rnd.choice(categories)),
        )
        for _ in range(rnd.randint(1, 6)):
            seq += 1
            at = dt.datetime.combine(
                opened + dt.timedelta(days=rnd.randint(0, 60)),
                dt.time(rnd.randint(0, 23), rnd.randint(0, 59)),
                tzinfo=CPH,
            ).astimezone(dt.UTC)
            channel = rnd.choice(CHANNELS)
            direction = "in" if rnd.random() < 0.8 else "out"
            # Sometimes another party writes on the case (a relative, a lawyer).
            cp_party = pid if rnd.random() < 0.85 or not pid else rnd.choice(party_ids)
            markers = w.parties.get(cp_party) if cp_party else None
            counterpart = None
            if markers:
                counterpart = markers["email"] if channel == "email" else markers["phone"]
            src = (
                f"mail:{seq:08x}"
                if channel == "email"
                else f"call:{at.isoformat()}|{counterpart}|{direction}"
                if channel == "phone"
                else f"manual:{seq}"
            )
            contact = add_contact(
                session=session,
                contact_in=ContactCreate(
                    channel=channel,
                    direction=direction,
                    occurred_at=at,
                    summary=f"Resume {markers['secret'] if markers else secret}",
                    counterpart=counterpart,
                    source_ref=src,
                    party_id=cp_party,
                ),
                auto_link=False,
            )
            assert contact.id is not None
            if rnd.random() < 0.9:
                link_contacts(session=session, contact_ids=[contact.id], case_id=case.id)
                w.contacts[contact.id] = case.id
            else:
                w.contacts[contact.id] = None
                if rnd.random() < 0.5:
                    dismiss_contact(
                        session=session, contact_id=contact.id, reason=f"Ikke en sag {secret}"
                    )
            if channel == "email" and markers:
                raw = _mime(
                    markers["email"],
                    "borgerraadgiver@odsherred.dk",
                    f"Emne {markers['secret']}",
                    f"Tekst {markers['secret']}",
                    at,
                )
                session.add(
                    EmailMessage(
                        contact_id=contact.id,
                        message_id=f"<m{seq}@x>",
                        header_hash=f"h{seq}",
                        content_hash=f"c{seed}-{seq}",
                        raw=raw,
                        raw_size=len(raw),
                        subject=f"Emne {markers['secret']}",
                        from_addr=markers["email"],
                        to_addrs="borgerraadgiver@odsherred.dk",
                        sent_at=at,
                        text=f"Tekst {markers['secret']}",
                        attachments=f'[{{"filename": "bilag-{markers["secret"]}.pdf"}}]',
                    )
                )
            if channel == "phone":
                contact.call_status = "answered"
                contact.call_duration_s = rnd.randint(10, 900)
                contact.call_raw_number = counterpart
                contact.call_line = "borgerraadgiver"
                session.add(contact)
            if direction == "in" and rnd.random() < 0.5:
                session.add(
                    ReplyTarget(
                        contact_id=contact.id,
                        rule="48h",
                        received_at=at,
                        due_at=at + dt.timedelta(days=2),
                        due_soon_at=at + dt.timedelta(days=1),
                        state="met",
                        met_at=at + dt.timedelta(hours=5),
                        met_note=f"Ringede til {markers['secret'] if markers else secret}",
                    )
                )
        if closed is not None:
            update_case(session=session, case_id=case.id, changes=CaseUpdate(closed_on=closed))
    session.flush()
    return w


# --------------------------------------------------------------------------- reports

FIELD_PAIRS: tuple[tuple[str, str | None], ...] = (
    ("department", "category"),
    ("category", None),
    ("channel", "party_kind"),
    ("month", None),
    ("party_kind", "department"),
    ("theme", "action"),
    ("outcome", "channel"),
)


def every_report(session: Session, *, years: range) -> dict[Any, Any]:
    """Every count for every unit, several row/col fields and every kind, for every
    calendar year, three October-to-September report years and the whole range.
    Excluded cases and outbound contacts are included in alternate periods (both
    settings are covered without doubling the queries)."""
    periods = [(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in years]
    mid = years.start + len(years) // 2
    periods += [(dt.date(y - 1, 10, 1), dt.date(y, 9, 30)) for y in (mid - 3, mid, mid + 3)]
    periods.append((dt.date(years.start, 1, 1), dt.date(years.stop, 12, 31)))
    out: dict[Any, Any] = {}
    for unit in ("contacts", "parties", "cases"):
        for rows, cols in FIELD_PAIRS:
            for kind in KINDS:
                for n, (start, end) in enumerate(periods):
                    flag = n % 2 == 1
                    q = CountQuery(
                        unit=unit,
                        start=start,
                        end=end,
                        rows=rows,
                        cols=cols,
                        kind=kind,
                        include_excluded=flag,
                        include_outbound=flag,
                    )
                    try:
                        r = count(session=session, query=q)
                    except FieldNotCountable:
                        continue
                    out[q] = (r.cells, r.row_totals, r.col_totals, r.total, r.triage_waiting)
    assert set(FIELDS) <= {f for pair in FIELD_PAIRS for f in pair if f}
    return out


def all_text(session: Session) -> str:
    """Every value of every table, as one big string (for "is it gone" checks)."""
    names = inspect(session.get_bind()).get_table_names()
    chunks: list[str] = []
    for name in names:
        for row in session.execute(text(f'SELECT * FROM "{name}"')):
            for v in row:
                if isinstance(v, bytes | memoryview):
                    chunks.append(bytes(v).decode("latin-1"))
                elif v is not None:
                    chunks.append(str(v))
    return "\n".join(chunks)


def rows_of(session: Session, model: Any) -> list[Any]:
    return list(session.scalars(select(model)))
