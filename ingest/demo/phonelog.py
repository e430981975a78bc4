"""The demo phone log: a Danish provider's Excel export (dk-generic), cp1252 with `;`."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ingest.demo.people import Citizen
from store.timeutil import CPH

HEADER = "Dato;Tidspunkt;Retning;Nummer;Varighed;Status"


def demo_phone_log(people: list[Citizen], *, now: dt.datetime, path: Path, seed: int = 13) -> Path:
    """A year of calls ending at `now`: answered calls, missed calls and voicemails (which
    owe a reply), the advisor's call-backs, a hidden number, and a totals line at the end,
    as providers write them."""
    rng = random.Random(seed)
    lines = ["sep=;", HEADER]
    local_now = now.astimezone(CPH)

    def add(when: dt.datetime, direction: str, number: str, secs: int, status: str) -> None:
        dur = f"{secs // 60:02d}:{secs % 60:02d}" if rng.random() < 0.5 else str(secs)
        lines.append(f"{when:%d-%m-%Y};{when:%H:%M:%S};{direction};{number};{dur};{status}")

    calls = 0
    for c in people:
        for _ in range(rng.choice([0, 1, 2, 3, 4])):
            day = (local_now - dt.timedelta(days=rng.randint(9, 360))).date()
            if day.weekday() >= 5:
                continue
            when = dt.datetime.combine(
                day, dt.time(rng.randint(8, 15), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=CPH
            )
            number = rng.choice(
                [c.phone, "+45 " + c.phone.replace(" ", ""), "0045" + c.phone.replace(" ", "")]
            )
            status = rng.choice(["Besvaret", "Besvaret", "Besvaret", "Ubesvaret", "Telefonsvarer"])
            add(
                when,
                "Indgående",
                number,
                rng.randint(60, 1500) if status == "Besvaret" else 0,
                status,
            )
            calls += 1
            if status != "Besvaret":
                back = when + dt.timedelta(hours=rng.choice([1, 3, 22, 50]))
                add(back, "Udgående", c.phone, rng.randint(120, 900), "Besvaret")
                calls += 1
    # Recent missed calls nobody has returned yet.
    for days, c in zip([5, 2, 1], people[:3], strict=True):
        day = (local_now - dt.timedelta(days=days)).date()
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        when = dt.datetime.combine(day, dt.time(9, 41, 12), tzinfo=CPH)
        add(min(when, local_now - dt.timedelta(minutes=10)), "Indgående", c.phone, 0, "Ubesvaret")
        calls += 1
    when = dt.datetime.combine(
        (local_now - dt.timedelta(days=20)).date(), dt.time(11, 5), tzinfo=CPH
    )
    add(when, "Indgående", "Skjult nummer", 0, "Telefonsvarer")
    lines.append(f"I alt {calls + 1} opkald;;;;;")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path
