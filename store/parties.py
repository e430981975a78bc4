"""Parties: who made contact, and the addresses and numbers that identify them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from store.addresses import normalise_email, normalise_phone
from store.audit import record
from store.concurrency import lock_party
from store.errors import UserError
from store.models import (
    Case,
    Contact,
    Party,
    PartyCreate,
    PartyEmail,
    PartyKind,
    PartyPhone,
)
from store.plaintext import typed_text


def party_for_counterpart(*, session: Session, counterpart: str | None) -> int | None:
    """The party id reached at a normalised e-mail address or E.164 number, if known."""
    if not counterpart:
        return None
    if "@" in counterpart:
        return session.exec(
            select(PartyEmail.party_id).where(PartyEmail.address == counterpart)
        ).first()
    return session.exec(select(PartyPhone.party_id).where(PartyPhone.number == counterpart)).first()


def add_address(*, session: Session, party_id: int, raw: str) -> None:
    """Attach an e-mail or phone number to a party (no-op if already there)."""
    email = normalise_email(raw) if "@" in raw else None
    if email:
        if party_for_counterpart(session=session, counterpart=email) is None:
            session.add(PartyEmail(party_id=party_id, address=email))
        return
    phone = normalise_phone(raw)
    if phone and party_for_counterpart(session=session, counterpart=phone) is None:
        session.add(PartyPhone(party_id=party_id, number=phone))


def create_party(*, session: Session, party_in: PartyCreate) -> Party:
    party = Party.model_validate(party_in, update={})
    session.add(party)
    session.flush()
    assert party.id is not None
    for raw in [*party_in.emails, *party_in.phones]:
        add_address(session=session, party_id=party.id, raw=raw)
    session.flush()
    return party


def open_cases_of(*, session: Session, party_id: int) -> list[Case]:
    return list(
        session.exec(
            select(Case)
            .where(Case.party_id == party_id, Case.closed_on.is_(None))  # type: ignore[union-attr]
            .order_by(Case.opened_on.desc())  # type: ignore[attr-defined]
        ).all()
    )


def checked_addresses(
    *, session: Session, emails: Iterable[str], phones: Iterable[str], party_id: int | None
) -> tuple[list[str], list[str]]:
    """Normalise the addresses and numbers a person typed for a party. One that does not
    read as an address or number, or that belongs to another party, is a `UserError`."""
    out_e: list[str] = []
    out_p: list[str] = []
    for raw, norm, out, what in (
        *((r, normalise_email(r) if "@" in r else None, out_e, "e-mail address") for r in emails),
        *((r, normalise_phone(r), out_p, "phone number") for r in phones),
    ):
        if not raw.strip():
            continue
        if norm is None or len(norm) > MAX_ADDRESS:
            shown = raw if len(raw) <= 80 else raw[:80] + "…"
            raise UserError(f"{shown!r}: not a valid {what}", code="bad_address", value=shown)
        owner = party_for_counterpart(session=session, counterpart=norm)
        if owner is not None and owner != party_id:
            raise UserError(
                f"{norm} already belongs to party {owner}; merge the parties instead",
                code="address_taken",
                value=norm,
                party_id=owner,
            )
        if norm not in out:
            out.append(norm)
    return out_e, out_p


MAX_NAME = 300  # Party.name's column
MAX_ADDRESS = 320  # PartyEmail.address's column (RFC 5321's path limit)


def check_party_name(name: str) -> None:
    """A name that fits its column: a longer one is a paste gone wrong, refused in one line
    rather than cut (PostgreSQL would refuse it; SQLite would keep it whole)."""
    if len(name) > MAX_NAME:
        raise UserError(
            f"the party's name is {len(name)} characters; at most {MAX_NAME}",
            code="party_name_long",
            length=len(name),
            limit=MAX_NAME,
        )


def check_party_kind(kind: str) -> None:
    kinds = [k.value for k in PartyKind]
    if kind not in kinds:
        raise UserError(
            f"party kind {kind!r}: use one of {', '.join(kinds)}",
            code="party_kind",
            value=kind,
            allowed=", ".join(kinds),
        )


def new_party(
    *,
    session: Session,
    name: str,
    kind: str,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> int:
    """Create a party a person typed in; refuses an empty name, an unknown kind and an
    address another party has. Audited. Returns its id."""
    check_party_kind(kind)
    name = typed_text(name, "the party's name")
    if not name:
        raise UserError("the new party needs a name", code="party_name_empty")
    check_party_name(name)
    es, ps = checked_addresses(session=session, emails=emails, phones=phones, party_id=None)
    party = create_party(
        session=session, party_in=PartyCreate(name=name, kind=kind, emails=es, phones=ps)
    )
    assert party.id is not None
    record(session, action="create_party", entity="party", entity_id=party.id)
    return party.id


def edit_party(
    *,
    session: Session,
    party_id: int,
    name: str | None,
    kind: str,
    emails: Iterable[str],
    phones: Iterable[str],
    version: int | None = None,
) -> None:
    """Set a party's name, kind and its whole lists of addresses and numbers. An address
    dropped from the list is no longer recognised on new mail; the contacts already
    stored keep their party. Audited without the values (the audit log outlives an
    erasure). `version`: as for `update_case`."""
    lock_party(session, party_id, version)
    party = get_party(session=session, party_id=party_id)
    if party.anonymised_at is not None:
        raise UserError(
            f"party {party_id} was anonymised (purge or erasure); it cannot be edited",
            code="party_anonymised",
            party_id=party_id,
        )
    check_party_kind(kind)
    if (name or "").strip() != (party.name or ""):
        # Only a name typed now is checked: one a register import brought in stays
        # editable (its address, its kind) as it is.
        typed_text(name or "", "the party's name")
    check_party_name((name or "").strip())
    es, ps = checked_addresses(session=session, emails=emails, phones=phones, party_id=party_id)
    old_e = set(
        session.exec(select(PartyEmail.address).where(PartyEmail.party_id == party_id)).all()
    )
    old_p = set(
        session.exec(select(PartyPhone.number).where(PartyPhone.party_id == party_id)).all()
    )
    changed = []
    new_name = (name or "").strip() or None
    if new_name != party.name:
        changed.append("name")
    party.name = new_name
    if kind != party.kind:
        changed.append("kind")
    party.kind = kind
    session.add(party)
    for row in session.exec(select(PartyEmail).where(PartyEmail.party_id == party_id)):
        if row.address not in es:
            session.delete(row)
    for prow in session.exec(select(PartyPhone).where(PartyPhone.party_id == party_id)):
        if prow.number not in ps:
            session.delete(prow)
    session.flush()
    for e in es:
        if e not in old_e:
            session.add(PartyEmail(party_id=party_id, address=e))
    for p in ps:
        if p not in old_p:
            session.add(PartyPhone(party_id=party_id, number=p))
    if set(es) != old_e:
        changed.append("emails")
    if set(ps) != old_p:
        changed.append("phones")
    if changed:
        party.version += 1
        session.add(party)
    record(
        session,
        action="edit_party",
        entity="party",
        entity_id=party_id,
        detail={"changed": changed},
    )
    session.flush()


def get_party(*, session: Session, party_id: int) -> Party:
    party = session.get(Party, party_id)
    if party is None:
        raise UserError(f"no party with id {party_id}", code="no_party", party_id=party_id)
    return party


def unknown_addresses(
    *, session: Session, contact_ids: Iterable[int], party_id: int | None
) -> tuple[str, ...]:
    """The counterparts of these contacts that no party has yet: when they were linked
    to `party_id`'s case, the desk can offer to add them to the party, so later mail
    from them is recognised and auto-linked."""
    if party_id is None:
        return ()
    ids = list(contact_ids)
    if not ids:
        return ()
    out: list[str] = []
    for cp in session.exec(
        select(Contact.counterpart).where(
            col(Contact.id).in_(ids), col(Contact.counterpart).is_not(None)
        )
    ).all():
        if cp and cp not in out and party_for_counterpart(session=session, counterpart=cp) is None:
            out.append(cp)
    return tuple(out)


def adopt_address(*, session: Session, party_id: int, address: str) -> None:
    """Add a contact's address or number to a party (the desk's offer after a link), and
    give the waiting contacts from it the party. Audited without the address."""
    party = get_party(session=session, party_id=party_id)
    if party.anonymised_at is not None:
        raise UserError(
            f"party {party_id} was anonymised (purge or erasure)",
            code="party_anonymised",
            party_id=party_id,
        )
    es, ps = checked_addresses(
        session=session,
        emails=[address] if "@" in address else [],
        phones=[] if "@" in address else [address],
        party_id=party_id,
    )
    for norm in (*es, *ps):
        add_address(session=session, party_id=party_id, raw=norm)
        session.flush()
        for c in session.exec(
            select(Contact).where(Contact.counterpart == norm, col(Contact.party_id).is_(None))
        ):
            c.party_id = party_id
            session.add(c)
    record(session, action="add_party_address", entity="party", entity_id=party_id)
    session.flush()
