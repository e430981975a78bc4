"""Whom a reply reaches: parties, their addresses and numbers, and mail threads.

Bulk lookups (chunked IN lists) so that a phone import of 100,000 calls or a first mail
sync costs a handful of queries per batch, not several per contact.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from store.models import Contact, ReplyTarget
from store.replies import tables
from store.replies.facts import CHUNK, ContactFacts


def chunks(values: Iterable[object]) -> Iterable[list[object]]:
    vals = sorted(set(values), key=repr)
    for i in range(0, len(vals), CHUNK):
        yield vals[i : i + CHUNK]


def parties_by_address(session: Session, addresses: Iterable[str | None]) -> dict[str, int]:
    """Normalised e-mail address or E.164 number -> party id, for the known ones."""
    out: dict[str, int] = {}
    pe, pp = tables.party_email.c, tables.party_phone.c
    wanted = [a for a in addresses if a]
    for chunk in chunks(wanted):
        for addr, pid in session.execute(
            select(pe.address, pe.party_id).where(pe.address.in_(chunk))
        ):
            out[addr] = pid
        for num, pid in session.execute(select(pp.number, pp.party_id).where(pp.number.in_(chunk))):
            out[num] = pid
    return out


def addresses_by_party(session: Session, party_ids: Iterable[int | None]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    pe, pp = tables.party_email.c, tables.party_phone.c
    wanted = [p for p in party_ids if p is not None]
    for chunk in chunks(wanted):
        for pid, addr in session.execute(
            select(pe.party_id, pe.address).where(pe.party_id.in_(chunk))
        ):
            out.setdefault(pid, set()).add(addr)
        for pid, num in session.execute(
            select(pp.party_id, pp.number).where(pp.party_id.in_(chunk))
        ):
            out.setdefault(pid, set()).add(num)
    return out


def contacts_by_message_id(session: Session, message_ids: Iterable[str]) -> dict[str, set[int]]:
    m = tables.email_message.c
    out: dict[str, set[int]] = {}
    for chunk in chunks(message_ids):
        for mid, cid in session.execute(
            select(m.message_id, m.contact_id).where(m.message_id.in_(chunk))
        ):
            if cid is not None:
                out.setdefault(mid, set()).add(cid)
    return out


# Index keys: ("p", party id), ("a", address or number), ("c", contact id), ("m", msg-id).
Key = tuple[str, int | str]


@dataclass(frozen=True)
class Reach:
    parties: frozenset[int]
    addresses: frozenset[str]
    thread_contacts: frozenset[int]

    def keys(self) -> tuple[Key, ...]:
        # Computed once per reach: a batch shares a reach among all its contacts.
        found: tuple[Key, ...] | None = self.__dict__.get("_keys")
        if found is None:
            found = (
                *(("p", p) for p in self.parties),
                *(("a", a) for a in self.addresses),
                *(("c", c) for c in self.thread_contacts),
            )
            object.__setattr__(self, "_keys", found)
        return found


class Resolver:
    """Caches party/address/thread lookups for one batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.party_of: dict[str, int] = {}
        self._looked_up: set[str] = set()  # addresses asked for, with a party or not
        self.addrs_of: dict[int, set[str]] = {}
        self.thread_of: dict[str, set[int]] = {}
        # Reaches without threads by (party, addresses): a bulk import asks for the same
        # few thousand numbers hundreds of thousands of times. A lookup's result never
        # changes within the batch, so the cache needs no invalidation.
        self._reaches: dict[tuple[int | None, frozenset[str]], Reach] = {}

    def prime(
        self,
        addresses: Iterable[str | None],
        party_ids: Iterable[int | None] = (),
        message_ids: Iterable[str] = (),
    ) -> None:
        addrs = {a for a in addresses if a and a not in self._looked_up}
        if addrs:
            self.party_of.update(parties_by_address(self.session, addrs))
            self._looked_up |= addrs
        parties = {p for p in party_ids if p is not None}
        parties |= {self.party_of[a] for a in addrs if a in self.party_of}
        parties = {p for p in parties if p not in self.addrs_of}
        if parties:
            found = addresses_by_party(self.session, parties)
            for p in parties:
                self.addrs_of[p] = found.get(p, set())
        mids = {m for m in message_ids if m not in self.thread_of}
        if not mids:
            return
        found_m = contacts_by_message_id(self.session, mids)
        for m in mids:
            self.thread_of[m] = found_m.get(m, set())

    def reach(
        self,
        *,
        party_id: int | None,
        addresses: Iterable[str | None],
        thread_ids: Iterable[str] = (),
    ) -> Reach:
        addrs = {a for a in addresses if a}
        thread_ids = list(thread_ids)
        if not thread_ids:
            key = (party_id, frozenset(addrs))
            found = self._reaches.get(key)
            if found is None:
                found = self._reaches[key] = self._reach(party_id, addrs, thread_ids)
            return found
        return self._reach(party_id, addrs, thread_ids)

    def _reach(self, party_id: int | None, addrs: set[str], thread_ids: list[str]) -> Reach:
        looked_up = self._looked_up
        if (
            thread_ids
            or (party_id is not None and party_id not in self.addrs_of)
            or any(a not in looked_up for a in addrs)
        ):
            self.prime(addrs, [party_id], thread_ids)
        party_of = self.party_of
        parties = {party_of[a] for a in addrs if a in party_of}
        if party_id is not None:
            parties.add(party_id)
        for p in parties:
            addrs |= self.addrs_of.get(p, set())
        thread = set().union(*(self.thread_of.get(m, set()) for m in thread_ids))
        return Reach(frozenset(parties), frozenset(addrs), frozenset(thread))


def reach_of(
    session: Session,
    *,
    party_id: int | None,
    addresses: Iterable[str | None],
    thread_ids: Iterable[str] = (),
) -> Reach:
    return Resolver(session).reach(party_id=party_id, addresses=addresses, thread_ids=thread_ids)


def answerable_targets(
    session: Session, *, reach: Reach, rules: Iterable[str], before: dt.datetime
) -> list[ReplyTarget]:
    """Targets of `rules` received before `before` that a reply at `before` meets: open
    ones, and met ones whose recorded reply came later (the earliest reply wins)."""
    return targets_reached(
        session,
        parties=reach.parties,
        addresses=reach.addresses,
        contact_ids=reach.thread_contacts,
        rules=rules,
        before=before,
        met_after=before,
    )


def targets_reached(
    session: Session,
    *,
    parties: Iterable[int],
    addresses: Iterable[str],
    contact_ids: Iterable[int],
    rules: Iterable[str],
    before: dt.datetime,
    met_after: dt.datetime,
) -> list[ReplyTarget]:
    """Open targets (or met after `met_after`) of `rules` received before `before`, whose
    contact has one of the parties, addresses or ids."""
    rule_names = sorted(set(rules))
    if not rule_names:
        return []
    base = [
        col(ReplyTarget.rule).in_(rule_names),
        col(ReplyTarget.received_at) < before,
        or_(
            col(ReplyTarget.state) == "open",
            and_(col(ReplyTarget.state) == "met", col(ReplyTarget.met_at) > met_after),
        ),
    ]
    found: dict[int, ReplyTarget] = {}
    for column, values in (
        (col(Contact.party_id), parties),
        (col(Contact.counterpart), addresses),
        (col(Contact.id), contact_ids),
    ):
        for chunk in chunks(values):
            for t in session.execute(
                select(ReplyTarget)
                .join(Contact, col(Contact.id) == col(ReplyTarget.contact_id))
                .where(column.in_(chunk), *base)
            ).scalars():
                if t.id is not None:
                    found[t.id] = t
    return sorted(found.values(), key=lambda t: t.id or 0)


class TimeIndex:
    """Contacts by key, sorted by time: the earliest one after a moment, per key."""

    def __init__(self) -> None:
        self._items: dict[Key, list[tuple[dt.datetime, int, ContactFacts]]] = {}
        self._times: dict[Key, list[dt.datetime]] = {}

    def add(self, keys: Iterable[Key], f: ContactFacts) -> None:
        for k in set(keys):
            self._items.setdefault(k, []).append((f.occurred_at, f.contact_id, f))

    def freeze(self) -> TimeIndex:
        for k, items in self._items.items():
            items.sort(key=lambda x: (x[0], x[1]))
            self._times[k] = [x[0] for x in items]
        return self

    def first_after(
        self, keys: Sequence[Key], moment: dt.datetime, *, exclude: int | None = None
    ) -> ContactFacts | None:
        best: ContactFacts | None = None
        for k in keys:
            times = self._times.get(k)
            if not times:
                continue
            i = bisect.bisect_right(times, moment)
            items = self._items[k]
            while i < len(items) and items[i][1] == exclude:
                i += 1
            if i < len(items):
                f = items[i][2]
                if best is None or (f.occurred_at, f.contact_id) < (
                    best.occurred_at,
                    best.contact_id,
                ):
                    best = f
        return best
