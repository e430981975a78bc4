"""Fuzzy search over parties, cases and contacts (the UI's `/` and the link picker).

Candidates come from SQL (every query word must occur, in any order, case-insensitively,
in one of the fields), then they are ranked by similarity so that "hansn 2026" still
finds "Hanne Hansen, 2026-0042". Whistleblower cases, their contacts, and parties who
appear only in whistleblower cases are never returned.
"""

from __future__ import annotations

import difflib

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from store.desk.queries import WB, _like, _not_whistleblower_contact, first_line
from store.desk.rows import SearchHit
from store.models import Case, Contact, EmailMessage, Party, PartyEmail, PartyPhone


def _score(query: str, text: str) -> float:
    q, t = query.lower(), text.lower()
    base = difflib.SequenceMatcher(None, q, t).ratio()
    words = q.split()
    hits = sum(1 for w in words if w in t)
    return round(base + hits / max(len(words), 1) + (1.0 if t.startswith(q) else 0.0), 4)


def _tokens(query: str) -> list[str]:
    return [t for t in query.split() if t][:8]


def _all_tokens(cols: list[ColumnElement[str] | object], tokens: list[str]) -> ColumnElement[bool]:
    """Every token occurs in at least one of the columns."""
    return and_(*[
        or_(*[c.ilike(f"%{_like(t)}%", escape="\\") for c in cols])  # type: ignore[attr-defined]
        for t in tokens
    ])


def _fuzzy_tokens(tokens: list[str]) -> list[str]:
    """Loosen each token for the SQL candidate filter: keep its first three characters, so
    a typo late in a word ("hansn") still reaches the ranking step."""
    return [t[:3] if len(t) > 3 else t for t in tokens]


def search_cases(*, session: Session, query: str, limit: int = 20, open_only: bool = False,
                 ) -> tuple[SearchHit, ...]:
    tokens = _fuzzy_tokens(_tokens(query))
    if not tokens:
        return ()
    conds = [
        Case.kind != WB,  # type: ignore[comparison-overlap]
        _all_tokens([Case.ref, Case.title, Party.name, Case.department], tokens),
    ]
    if open_only:
        conds.append(Case.closed_on.is_(None))  # type: ignore[union-attr]
    rows = session.execute(
        select(Case.id, Case.ref, Case.title, Party.name, Case.department, Case.closed_on)
        .outerjoin(Party, Party.id == Case.party_id)  # type: ignore[arg-type]
        .where(*conds)
        .order_by(Case.opened_on.desc())  # type: ignore[attr-defined]
        .limit(limit * 5)
    ).all()
    hits = []
    for cid, ref, title, pname, dep, closed in rows:
        label = f"{ref} {title or ''}".strip()
        detail = " · ".join(x for x in (pname, dep, "closed" if closed else "") if x)
        hits.append(SearchHit("case", cid, label, detail,
                              _score(query, f"{label} {pname or ''}"), case_id=cid))
    hits.sort(key=lambda h: -h.score)
    return tuple(hits[:limit])


def search_parties(*, session: Session, query: str, limit: int = 20) -> tuple[SearchHit, ...]:
    tokens = _fuzzy_tokens(_tokens(query))
    if not tokens:
        return ()
    has_email = exists().where(PartyEmail.party_id == Party.id,
                               _all_tokens([PartyEmail.address], tokens))
    has_phone = exists().where(PartyPhone.party_id == Party.id,
                               _all_tokens([PartyPhone.number], tokens))
    only_wb = and_(
        exists().where(Case.party_id == Party.id, Case.kind == WB),
    )
    rows = session.execute(
        select(Party.id, Party.name, Party.ref, Party.kind)
        .where(or_(_all_tokens([Party.name, Party.ref], tokens), has_email, has_phone),
               not_(only_wb), Party.anonymised_at.is_(None))  # type: ignore[union-attr]
        .limit(limit * 5)
    ).all()
    hits = [
        SearchHit("party", pid, name or ref or f"#{pid}", " · ".join(x for x in (ref, kind) if x),
                  _score(query, f"{name or ''} {ref or ''}"))
        for pid, name, ref, kind in rows
    ]
    hits.sort(key=lambda h: -h.score)
    return tuple(hits[:limit])


def search_contacts(*, session: Session, query: str, limit: int = 20) -> tuple[SearchHit, ...]:
    tokens = _fuzzy_tokens(_tokens(query))
    if not tokens:
        return ()
    rows = session.execute(
        select(Contact.id, Contact.case_id, Contact.channel, Contact.counterpart,
               Contact.summary, EmailMessage.subject, Contact.occurred_at)
        .outerjoin(EmailMessage, EmailMessage.contact_id == Contact.id)  # type: ignore[arg-type]
        .where(_all_tokens([Contact.summary, Contact.counterpart, EmailMessage.subject], tokens),
               _not_whistleblower_contact(), Contact.dismissed.is_(False))  # type: ignore[attr-defined]
        .order_by(Contact.occurred_at.desc())  # type: ignore[attr-defined]
        .limit(limit * 5)
    ).all()
    hits = []
    for cid, case_id, channel, cp, summary, subject, at in rows:
        text = subject if subject is not None else first_line(summary)
        hits.append(SearchHit("contact", cid, text or (cp or ""),
                              f"{channel} · {cp or ''} · {at:%Y-%m-%d}",
                              _score(query, f"{text} {cp or ''}"), case_id=case_id))
    hits.sort(key=lambda h: -h.score)
    return tuple(hits[:limit])


def search_all(*, session: Session, query: str, limit: int = 10) -> tuple[SearchHit, ...]:
    """Cases first, then parties, then contacts; each group ranked."""
    return (
        search_cases(session=session, query=query, limit=limit)
        + search_parties(session=session, query=query, limit=limit)
        + search_contacts(session=session, query=query, limit=limit)
    )
