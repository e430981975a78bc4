"""Fuzzy search over parties, cases and contacts (the UI's `/` and the link picker).

Candidates come from SQL (every query word must occur, in any order, case-insensitively,
in one of the fields), then they are ranked by similarity so that "hansn 2026" still
finds "Hanne Hansen, 2026-0042". Whistleblower cases, their contacts, and parties who
appear only in whistleblower cases are never returned.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from store.desk import tables as T
from store.desk.queries import WB, _like, _not_whistleblower_contact, first_line
from store.desk.rows import SearchHit
from store.timeutil import show

CT = T.contact.c
CS = T.case.c
PT = T.party.c
PE = T.party_email.c
PP = T.party_phone.c
EM = T.email_message.c


def _score(query: str, text: str) -> float:
    q, t = query.lower(), text.lower()
    base = difflib.SequenceMatcher(None, q, t).ratio()
    words = q.split()
    hits = sum(1 for w in words if w in t)
    return round(base + hits / max(len(words), 1) + (1.0 if t.startswith(q) else 0.0), 4)


def _tokens(query: str) -> list[str]:
    return [t for t in query.split() if t][:8]


def _all_tokens(cols: list[Any], tokens: list[str]) -> ColumnElement[bool]:
    """Every token occurs in at least one of the columns."""
    return and_(*[or_(*[c.ilike(f"%{_like(t)}%", escape="\\") for c in cols]) for t in tokens])


def _fuzzy_tokens(tokens: list[str]) -> list[str]:
    """Loosen each token for the SQL candidate filter: keep its first three characters, so
    a typo late in a word ("hansn") still reaches the ranking step."""
    return [t[:3] if len(t) > 3 else t for t in tokens]


def _exact_then_fuzzy(
    run: Callable[[list[str]], Sequence[Any]], query: str, limit: int
) -> list[Any]:
    """Candidates for the exact words first; only when they are too few, for the
    loosened words too (so "2026-0042" finds that case, and "hansn" still finds Hansen).
    `run` returns rows whose first value is the id."""
    exact = _tokens(query)
    if not exact:
        return []
    rows = list(run(exact))
    loose = _fuzzy_tokens(exact)
    if len(rows) < limit and loose != exact:
        seen = {r[0] for r in rows}
        rows += [r for r in run(loose) if r[0] not in seen]
    return rows


def search_cases(
    *,
    session: Session,
    query: str,
    limit: int = 20,
    open_only: bool = False,
) -> tuple[SearchHit, ...]:
    def run(tokens: list[str]) -> Sequence[Any]:
        conds = [
            CS.kind != WB,
            _all_tokens([CS.ref, CS.title, PT.name, CS.department], tokens),
        ]
        if open_only:
            conds.append(CS.closed_on.is_(None))
        return session.execute(
            select(CS.id, CS.ref, CS.title, PT.name, CS.department, CS.closed_on)
            .outerjoin(T.party, PT.id == CS.party_id)
            .where(*conds)
            .order_by(CS.id.desc())  # newest first, by rowid: LIMIT stops the scan early
            .limit(limit * 5)
        ).all()

    rows = _exact_then_fuzzy(run, query, limit)
    hits = []
    for cid, ref, title, pname, dep, closed in rows:
        label = f"{ref} {title or ''}".strip()
        detail = " · ".join(x for x in (pname, dep) if x)
        hits.append(
            SearchHit(
                "case",
                cid,
                label,
                detail,
                _score(query, f"{label} {pname or ''}"),
                case_id=cid,
                tag="closed" if closed else "open",
            )
        )
    hits.sort(key=lambda h: -h.score)
    return tuple(hits[:limit])


def search_parties(*, session: Session, query: str, limit: int = 20) -> tuple[SearchHit, ...]:
    def run(tokens: list[str]) -> Sequence[Any]:
        has_email = exists().where(PE.party_id == PT.id, _all_tokens([PE.address], tokens))
        has_phone = exists().where(PP.party_id == PT.id, _all_tokens([PP.number], tokens))
        in_wb = exists().where(CS.party_id == PT.id, CS.kind == WB)
        return session.execute(
            select(PT.id, PT.name, PT.ref, PT.kind)
            .where(
                or_(_all_tokens([PT.name, PT.ref], tokens), has_email, has_phone),
                not_(in_wb),
                PT.anonymised_at.is_(None),
            )
            .order_by(PT.id.desc())
            .limit(limit * 5)
        ).all()

    rows = _exact_then_fuzzy(run, query, limit)
    hits = [
        SearchHit(
            "party",
            pid,
            name or ref or f"#{pid}",
            ref or "",
            _score(query, f"{name or ''} {ref or ''}"),
            tag=kind or None,
        )
        for pid, name, ref, kind in rows
    ]
    hits.sort(key=lambda h: -h.score)
    return tuple(hits[:limit])


def search_contacts(*, session: Session, query: str, limit: int = 20) -> tuple[SearchHit, ...]:
    """Newest matches first (dismissed ones too, marked: "not a case" can be undone),
    found by walking the contacts (and, separately, the mail
    subjects) backwards by id, so a query stops as soon as it has enough candidates; the
    whistleblower filter and the details run on those few rows only."""
    want = limit * 5

    def run(tokens: list[str]) -> Sequence[Any]:
        by_text = (
            session.execute(
                select(CT.id)
                .where(_all_tokens([CT.summary, CT.counterpart], tokens))
                .order_by(CT.id.desc())
                .limit(want)
            )
            .scalars()
            .all()
        )
        by_subject = (
            session.execute(
                select(EM.contact_id)
                .where(_all_tokens([EM.subject], tokens), EM.contact_id.is_not(None))
                .order_by(EM.id.desc())
                .limit(want)
            )
            .scalars()
            .all()
        )
        return [(i,) for i in sorted({*by_text, *by_subject}, reverse=True)[:want]]

    ids = [r[0] for r in _exact_then_fuzzy(run, query, limit)]
    if not ids:
        return ()
    rows = session.execute(
        select(
            CT.id,
            CT.case_id,
            CT.channel,
            CT.counterpart,
            CT.summary,
            EM.subject,
            CT.occurred_at,
            CT.dismissed,
        )
        .outerjoin(T.email_message, EM.contact_id == CT.id)
        .where(CT.id.in_(ids), _not_whistleblower_contact())
    ).all()
    hits = []
    for cid, case_id, channel, cp, summary, subject, at, dismissed in rows:
        text = subject if subject is not None else first_line(summary)
        hits.append(
            SearchHit(
                "contact",
                cid,
                text or (cp or ""),
                # The Copenhagen day, day first as the desk writes
                # dates (the stored time is UTC: 00:30 was yesterday).
                f"{cp or ''} · {show(at, '%d-%m-%Y')}",
                _score(query, f"{text} {cp or ''}"),
                case_id=case_id,
                tag=channel,
                dismissed=bool(dismissed),
            )
        )
    hits.sort(key=lambda h: -h.score)
    return tuple(hits[:limit])


def search_all(*, session: Session, query: str, limit: int = 10) -> tuple[SearchHit, ...]:
    """Cases first, then parties, then contacts; each group ranked."""
    return (
        search_cases(session=session, query=query, limit=limit)
        + search_parties(session=session, query=query, limit=limit)
        + search_contacts(session=session, query=query, limit=limit)
    )
