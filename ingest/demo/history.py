"""The demo's register: this year's classified cases, so the statistics have content and
incoming mail from known citizens links itself to their open case."""

from __future__ import annotations

import datetime as dt
import random

from ingest.demo.people import TOPICS, Citizen
from store.timeutil import CPH


def demo_register(
    people: list[Citizen], *, now: dt.datetime, seed: int = 17
) -> list[dict[str, str]]:
    """Register rows (the import format) for the citizens: one case each, most opened this
    year; two thirds closed; meetings and letters as their past contacts. Citizens whose
    case is still open get their new mail linked automatically."""
    rng = random.Random(seed)
    today = now.astimezone(CPH).date()
    year_start = dt.date(today.year, 1, 1)
    rows: list[dict[str, str]] = []
    # The last ten citizens are new: no case yet, so their mail waits in triage.
    for n, c in enumerate(people[:-10]):
        dep, cat, subject, _ = TOPICS[c.topic]
        opened = year_start + dt.timedelta(
            days=rng.randint(0, max(0, (today - year_start).days - 5))
        )
        closed = ""
        if n % 3 != 0:
            closed_day = opened + dt.timedelta(days=rng.randint(5, 60))
            closed = closed_day.isoformat() if closed_day < today else ""
        base = dict(
            case_ref=f"{today.year}-{n + 1:04d}",
            party_ref=f"B{n + 1:04d}",
            party_name=c.name,
            party_kind="citizen",
            party_email=c.email,
            party_phone=c.phone,
            department=dep,
            category=cat,
            case_kind="citizen",
            case_opened=opened.isoformat(),
            case_closed=closed,
            excluded="false",
            wanted_to_complain="true" if cat == "Klage" else "false",
        )
        for k in range(rng.randint(1, 3)):
            at = opened + dt.timedelta(days=k * 4)
            if at > today:
                break
            channel = rng.choice(["meeting", "letter", "home_visit", "meeting"])
            summary = {
                "meeting": "Møde på biblioteket",
                "letter": "Brev med bilag",
                "home_visit": "Hjemmebesøg",
            }[channel]
            rows.append(
                dict(
                    base,
                    contact_at=f"{at.isoformat()} 10:00",
                    channel=channel,
                    direction="in",
                    summary=f"{summary}: {subject}",
                )
            )
    return rows
