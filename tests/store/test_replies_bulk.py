"""The bulk reply path for imported calls (`store.replies.bulk.apply_new_calls`) gives
exactly what the per-contact engine (`apply_contacts`) gives on the same data.

One committed world (parties with numbers and an open case, earlier calls, letters,
meetings and mail, targets open, met and waived), then the same batch of new calls is
inserted by the phone importer's bulk writer and applied once by each path, in a
transaction rolled back afterwards. Batches are random but seeded; they cross both
summer-time changes (including wall-clock times in the repeated and the missing hour),
Easter, Store bededag 2023, Christmas and New Year, repeat exact times (ties), and mix
hidden, ignored, party and unknown numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from ingest.phone.bulk import insert_calls, row_key
from ingest.phone.parse import CallRow
from store.cases import create_case
from store.config import Config, load_config_text, preset_text
from store.models import CaseCreate, ImportedFile, PartyCreate
from store.parties import create_party
from store.replies import apply_contacts, waive
from store.replies import tables as T
from store.replies.bulk import apply_new_calls
from tests.store._replies_support import call, mail, other

UTC = dt.UTC
FREE = [f"+45{n}" for n in range(30000001, 30000013)]
PARTY_A = ["+4540000001", "+4540000002"]
PARTY_B = ["+4540000003"]
IGNORED = "+4570707070"
NUMBERS = FREE + PARTY_A + PARTY_B + [IGNORED]

# Periods the batch falls in: (UTC start, days).
PERIODS = [
    (dt.datetime(2024, 3, 28, 6, tzinfo=UTC), 6),  # Easter 2024 and the spring change
    (dt.datetime(2024, 10, 25, 6, tzinfo=UTC), 5),  # the autumn change
    (dt.datetime(2023, 5, 3, 6, tzinfo=UTC), 5),  # Store bededag (5 May 2023)
    (dt.datetime(2023, 12, 22, 6, tzinfo=UTC), 12),  # Christmas, New Year
]
# Exactly on the changes: 00:30-01:30 UTC is the repeated (autumn) / missing (spring)
# local hour.
EDGES = [
    dt.datetime(2024, 3, 31, 0, 59, tzinfo=UTC),
    dt.datetime(2024, 3, 31, 1, 0, tzinfo=UTC),
    dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
    dt.datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
]


def _config(track_from: dt.date | None, outbound: list[str]) -> Config:
    config = load_config_text(preset_text("odsherred"), "test")
    replies = config.replies.model_copy(
        update={
            "ignore_senders": ["70 70 70 70"],
            "track_from": track_from,
            "outbound_call_statuses": outbound,
        }
    )
    from store.replies.rules import RuleSet

    config = config.model_copy(update={"replies": replies})
    assert IGNORED in RuleSet.from_config(config).ignore_senders
    return config


def _world(engine: Engine, config: Config, rng: random.Random) -> list[tuple[dt.datetime, str]]:
    """The stored state before the import; returns (time, number) of stored calls."""
    stored: list[tuple[dt.datetime, str]] = []
    with Session(engine) as s:
        a = create_party(session=s, party_in=PartyCreate(name="A", phones=PARTY_A))
        b = create_party(
            session=s, party_in=PartyCreate(name="B", phones=PARTY_B, emails=["b@example.dk"])
        )
        create_case(
            session=s,
            case_in=CaseCreate(ref="2024-1", party_id=b.id, opened_on=dt.date(2023, 1, 1)),
        )
        assert a.id is not None
        for start, days in PERIODS:
            for _ in range(25):
                at = start + dt.timedelta(minutes=rng.randrange(days * 24 * 60))
                number = rng.choice(NUMBERS)
                kind = rng.random()
                if kind < 0.7:
                    stored.append((at, number))
                    call(
                        s,
                        config,
                        at=at,
                        number=number,
                        direction=rng.choice(["in", "in", "out"]),
                        status=rng.choice(["answered", "missed", "voicemail"]),
                    )
                elif kind < 0.8:
                    other(s, config, at=at, channel="letter", direction="out", addr=number)
                elif kind < 0.9:
                    other(s, config, at=at, channel="meeting", direction="in", addr=number)
                else:
                    mail(s, config, at=at, addr="b@example.dk", direction=rng.choice(["in", "out"]))
        s.flush()
        # Some targets waived.
        open_ids = (
            s.execute(select(T.reply_target.c.id).where(T.reply_target.c.state == "open"))
            .scalars()
            .all()
        )
        for tid in open_ids[::5]:
            waive(session=s, target_id=tid, reason="test")
        s.commit()
    return stored


def _batch(
    rng: random.Random, n: int, stored: list[tuple[dt.datetime, str]], numbers: list[str]
) -> list[CallRow]:
    rows = []
    times = []
    for _ in range(n):
        start, days = rng.choice(PERIODS)
        times.append(start + dt.timedelta(seconds=rng.randrange(days * 86400)))
    times += EDGES * 3
    times += [times[0]] * 4  # ties
    for at in times:
        number = rng.choice([*numbers, None])
        direction = rng.choice(["in", "in", "out"])
        status = (
            rng.choice(["answered", "missed", "voicemail"])
            if direction == "in"
            else rng.choice(["answered", "missed"])
        )
        rows.append(
            CallRow(
                0, at, direction, number or "Skjult nummer", number, status, rng.randrange(0, 5)
            )
        )
    # Replies at exactly the time of a stored call of the same number (not after it),
    # and groups of replies at one moment after a missed call (the smallest id wins).
    for at, number in stored[::3]:
        if number not in numbers:
            continue
        rows.append(CallRow(0, at, "out", number, number, "answered", 7))
    for k, number in enumerate(FREE[:4]):
        at = PERIODS[0][0] + dt.timedelta(days=1, hours=k)
        rows.append(CallRow(0, at, "in", number, number, "missed", 0))
        for d in range(3):
            rows.append(
                CallRow(0, at + dt.timedelta(minutes=5), "out", number, number, "answered", 10 + d)
            )
    # A reply at the very moment of a missed call of the same number does not meet it;
    # the next one does.
    for k, number in enumerate(FREE[4:7]):
        at = PERIODS[1][0] + dt.timedelta(days=1, hours=k)
        rows.append(CallRow(0, at, "in", number, number, "missed", 0))
        rows.append(CallRow(0, at, "out", number, number, "answered", 20))
        rows.append(
            CallRow(0, at + dt.timedelta(minutes=10), "out", number, number, "answered", 21)
        )
    rng.shuffle(rows)
    # The importer never stores two calls with the same row key.
    seen: dict[str, CallRow] = {}
    for r in rows:
        seen.setdefault(row_key(r.start, r.number, r.direction, r.duration_s), r)
    return list(seen.values())


def _targets(s: Session, new_ids: list[int] | None = None) -> list[tuple[Any, ...]]:
    """Every target; the batch's contacts named by position (PostgreSQL's sequence does
    not roll back, so the two runs give the batch different ids)."""
    t = T.reply_target.c
    pos = {cid: f"new#{k}" for k, cid in enumerate(new_ids or [])}
    rows = s.execute(
        select(
            t.contact_id,
            t.rule,
            t.received_at,
            t.due_at,
            t.due_soon_at,
            t.state,
            t.met_at,
            t.met_by_contact_id,
            t.met_note,
            t.waived_reason,
        )
    ).all()
    return sorted(
        ((pos.get(r[0], r[0]), *r[1:7], pos.get(r[7], r[7]), *r[8:]) for r in rows), key=repr
    )


def _run(
    engine: Engine, config: Config, rows: list[CallRow], bulk: bool
) -> tuple[list[tuple[Any, ...]], int]:
    now = dt.datetime(2025, 1, 1, tzinfo=UTC)
    with Session(engine) as s:
        f = ImportedFile(sha256="x" * 64, kind="calls", name="b.csv", imported_at=now)
        s.add(f)
        s.flush()
        assert f.id is not None
        keys = [row_key(r.start, r.number, r.direction, r.duration_s) for r in rows]
        res = insert_calls(s, rows, keys, file_id=f.id, now=now)
        if bulk:
            assert res.calls is not None
            created = apply_new_calls(session=s, config=config, calls=res.calls).created
        else:
            created = apply_contacts(session=s, config=config, contact_ids=res.contact_ids).created
        s.flush()
        out = _targets(s, res.contact_ids)
        s.rollback()
    return out, created


@pytest.mark.parametrize(
    ("seed", "track_from", "outbound", "party_calls"),
    [
        (1, None, ["answered", "voicemail", "missed"], True),
        (2, dt.date(2024, 1, 1), ["answered"], True),
        (3, None, ["answered", "missed"], True),
        # Only numbers no party has: every call takes the set-based path.
        (4, None, ["answered", "voicemail", "missed"], False),
        # In time order, as an export is: the bulk path meets targets in one sweep.
        (5, None, ["answered", "voicemail", "missed"], "chronological"),
        (6, None, ["answered", "missed"], "chronological, no party"),
    ],
)
def test_bulk_path_equals_the_engine(engine, seed, track_from, outbound, party_calls):
    config = _config(track_from, outbound)
    rng = random.Random(seed)
    stored = _world(engine, config, rng)
    numbers = [*FREE, IGNORED] if party_calls in (False, "chronological, no party") else NUMBERS
    rows = _batch(rng, 400, stored, numbers)
    if isinstance(party_calls, str):
        rows.sort(key=lambda r: r.start)
    with Session(engine) as s:
        before = _targets(s)
    by_engine, n_engine = _run(engine, config, rows, bulk=False)
    by_bulk, n_bulk = _run(engine, config, rows, bulk=True)
    with Session(engine) as s:
        assert _targets(s) == before  # both rolled back
    assert n_bulk == n_engine > 50
    assert by_bulk == by_engine
    # The data exercised what it should: new targets met by batch calls and by stored
    # contacts, stored targets met anew, targets left open.
    states = [r[5] for r in by_engine]
    assert states.count("met") > 20 and states.count("open") >= 3
    changed = {r[:2] for r in by_engine} & {r[:2] for r in before}
    assert any(r not in before for r in by_engine if r[:2] in changed)


def test_time_order_of_a_batch() -> None:
    """The sweep's order is (time, id) whether or not the ids rise with the positions."""
    from store.replies.meeting import in_time_order

    t = [dt.datetime(2024, 1, 1, h) for h in range(4)]
    at = [t[2], t[1], t[1], t[0], t[3]]
    assert in_time_order([0, 1, 2, 3, 4], at, [1, 2, 3, 4, 5]) == [3, 1, 2, 0, 4]
    assert in_time_order([0, 1, 2, 3, 4], at, [9, 8, 7, 6, 5]) == [3, 2, 1, 0, 4]
    assert in_time_order([1, 3, 4], at, [1, 2, 3, 4, 5]) == [3, 1, 4]
    assert in_time_order([3, 4], at, [1, 2, 3, 4, 5]) == [3, 4]
