"""Which reply meets which new target, for a batch of new calls in one pass
(`store.replies.bulk`): the earliest (time, id) reply of the target's number strictly
after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import islice
from operator import le, lt


def in_time_order(simple: list[int], at: Sequence[dt.datetime], ids: Sequence[int]) -> list[int]:
    """The positions `simple` (ascending) in (time, id) order."""
    ns = ids if len(simple) == len(ids) else [ids[i] for i in simple]
    if not all(map(lt, ns, islice(ns, 1, None))):
        return sorted(simple, key=lambda i: (at[i], ids[i]))
    ts = at if len(simple) == len(at) else [at[i] for i in simple]
    if all(map(le, ts, islice(ts, 1, None))):
        return simple
    # Ids rise with the positions, and the times nearly do (an export is chronological
    # but for the odd row, such as a time in the spring gap): the sort is stable, so equal
    # times keep the id order, and runs of sorted rows make it close to one pass.
    return sorted(simple, key=at.__getitem__)


def sweep(
    simple: Sequence[int],
    cps: Sequence[str | None],
    at: Sequence[dt.datetime],
    ids: Sequence[int],
    is_reply: Sequence[bool],
    targeted: set[int],
) -> dict[int, tuple[dt.datetime, int]]:
    """Target position -> (time, id) of the batch reply that meets it, for contacts in
    (time, id) order: a reply meets the waiting targets of its number that are strictly
    earlier (one at the same moment waits for the next); a target waits from its own
    position on, so never meets itself."""
    met_by: dict[int, tuple[dt.datetime, int]] = {}
    waiting: dict[str, list[int]] = {}
    for i in simple:
        cp = cps[i]
        if cp is None:
            continue
        if is_reply[i]:
            queue = waiting.get(cp)
            if queue:
                t = at[i]
                k = 0
                while k < len(queue) and at[queue[k]] < t:
                    k += 1
                if k:
                    m = (t, ids[i])
                    for j in queue[:k]:
                        met_by[j] = m
                    del queue[:k]
        if i in targeted:
            queue = waiting.get(cp)
            if queue is None:
                waiting[cp] = [i]
            else:
                queue.append(i)
    return met_by


def replies_by_number(
    simple: Sequence[int],
    cps: Sequence[str | None],
    at: Sequence[dt.datetime],
    ids: Sequence[int],
    is_reply: Sequence[bool],
    only: set[str] | None,
) -> dict[str, list[tuple[dt.datetime, int]]]:
    """The batch's replies by number (of the numbers `only`, if given), as (time, id)."""
    out: dict[str, list[tuple[dt.datetime, int]]] = {}
    for i in simple:
        if is_reply[i]:
            cp = cps[i]
            if cp is not None and (only is None or cp in only):
                got = out.get(cp)
                if got is None:
                    out[cp] = [(at[i], ids[i])]
                else:
                    got.append((at[i], ids[i]))
    return out
