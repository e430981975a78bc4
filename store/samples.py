"""Generated registers that reproduce the published annual reports in DOMAIN.md.

Used by the test suite (the counts must reproduce the reports cell by cell) and by the
demo. Each generator returns register rows (dicts in the import format) for the report's
period, plus noise the count rules must ignore: contacts outside the period, outbound
contacts, excluded cases, consultancy and whistleblower cases, and triage-free history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from store.cells import CsvWriter
from store.register.columns import EXPORT_COLUMNS

# Odsherred 2024: centre -> category -> (parties, contacts).
ODSHERRED_2024: dict[str, dict[str, tuple[int, int]]] = {
    "Børn, Unge og Familier": {"Vejledning": (19, 25), "Udredning": (16, 49), "Klage": (9, 157)},
    "Erhverv, Teknik og Kultur": {
        "Vejledning": (57, 80),
        "Udredning": (30, 102),
        "Klage": (5, 54),
    },
    "Omsorg og Sundhed": {"Vejledning": (26, 36), "Udredning": (12, 42), "Klage": (2, 23)},
    "Organisation": {"Vejledning": (6, 9), "Udredning": (1, 5)},
    "Social og Arbejdsmarked": {"Vejledning": (48, 69), "Udredning": (26, 114), "Klage": (5, 33)},
    "Økonomi og Ejendomme": {"Vejledning": (3, 3)},
    "Andet": {"Vejledning": (20, 32)},
}

# Haderslev Aug–Dec 2021 (111 counted cases of 118 registered).
HADERSLEV_DEPARTMENTS: dict[str, tuple[int, int]] = {  # department -> (cases, complaints)
    "Arbejdsmarked og Borgerservice": (25, 12),
    "Børn og Kultur": (42, 30),
    "Voksen og Sundhed": (22, 13),
    "Teknik og Klima": (6, 4),
    "Diverse": (16, 1),
}
HADERSLEV_COMPLAINT_OUTCOMES: dict[str, dict[str, int]] = {
    "Anden behandling og hjælp": {
        "Styrket dialog": 19,
        "Hjælp til klageprocessen": 4,
        "Udsigtsløs": 1,
        "Løst ved borgerrådgiveren": 12,
    },
    "Undersøgt": {"Genoptaget af forvaltningen": 14, "Henstilling": 3, "Ingen kritik": 2},
    "Afvist": {"Ikke fornødent grundlag": 3, "Midlertidigt afvist": 2},
}
HADERSLEV_OTHER_ACTIONS: dict[str, int] = {
    "Vejledning": 18,
    "Vejvisning eller videreformidlet til forvaltningen": 29,
    "Orientering": 2,
    "Indsigtssager hos borgerrådgiveren": 1,
    "Forslag": 1,
}
HADERSLEV_THEMES: dict[str, int] = {
    "Forvaltningsret eller forvaltningsskik": 86,
    "Hjemmelsspørgsmål": 9,
    "Prøvelsesspørgsmål": 2,
    "Retsgrundsætninger": 4,
    "Opgavevaretagelse": 2,
    "Institutioner": 1,
    "Andet": 7,
}

FIRST_NAMES = [
    "Knud",
    "Mette",
    "Lars",
    "Hanne",
    "Søren",
    "Birgitte",
    "Jens",
    "Inge",
    "Ole",
    "Kirsten",
    "Niels",
    "Anne",
    "Peter",
    "Lone",
    "Henrik",
    "Susanne",
    "Morten",
    "Pia",
    "Jørgen",
    "Dorte",
    "Rasmus",
    "Camilla",
    "Frederik",
    "Ida",
    "Mads",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
]
SUMMARIES = {
    "phone": [
        "Ringede om afgørelse",
        "Spørgsmål om sagsbehandlingstid",
        "Ønsker vejledning",
        "Utilfreds med manglende svar",
        "Opfølgning på samtale",
    ],
    "email": [
        "Mail om klage over afgørelse",
        "Spørger til aktindsigt",
        "Sender dokumenter",
        "Beder om hjælp til klage",
        "Tak for hjælpen",
    ],
    "meeting": ["Møde på biblioteket", "Formøde om klagesag"],
    "letter": ["Brev med bilag"],
    "home_visit": ["Hjemmebesøg"],
}


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _moment(rng: random.Random, start: dt.date, end: dt.date) -> str:
    days = (end - start).days
    d = start + dt.timedelta(days=rng.randint(0, days))
    return f"{d.isoformat()} {rng.randint(8, 15):02d}:{rng.choice([0, 15, 30, 45]):02d}"


def _row(**kw: str) -> dict[str, str]:
    return kw


def odsherred_register(seed: int = 2024) -> list[dict[str, str]]:
    """Rows whose counts for 2024 are exactly Odsherred's two published tables."""
    rng = random.Random(seed)
    y0, y1 = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    rows: list[dict[str, str]] = []
    pn = 0
    for dept, cats in ODSHERRED_2024.items():
        for cat, (parties, contacts) in cats.items():
            per, extra = divmod(contacts, parties)
            for i in range(parties):
                pn += 1
                pref, cref = f"P{pn:04d}", f"2024-{pn:04d}"
                kind = "company" if pn % 17 == 0 else ("association" if pn % 29 == 0 else "citizen")
                base = dict(
                    case_ref=cref,
                    party_ref=pref,
                    party_name=_name(rng),
                    party_kind=kind,
                    party_email=f"borger{pn}@example.dk",
                    party_phone=f"+45 2{pn:07d}",
                    department=dept,
                    category=cat,
                    case_kind="citizen",
                    case_opened="2024-01-02",
                    excluded="false",
                )
                n = per + (1 if i < extra else 0)
                for _ in range(n):
                    ch = rng.choice(["phone", "phone", "email", "meeting", "letter"])
                    rows.append(
                        _row(
                            **base,
                            contact_at=_moment(rng, y0, y1),
                            channel=ch,
                            direction="in",
                            summary=rng.choice(SUMMARIES[ch]),
                        )
                    )
                # Noise: outbound replies (counted only with --include-outbound) and a
                # contact in 2023 (outside the period).
                rows.append(
                    _row(
                        **base,
                        contact_at=_moment(rng, y0, y1),
                        channel="email",
                        direction="out",
                        summary="Svar til borger",
                    )
                )
                if pn % 5 == 0:
                    rows.append(
                        _row(
                            **base,
                            contact_at="2023-12-31 23:30",
                            channel="phone",
                            direction="in",
                            summary="Henvendelse sidste år",
                        )
                    )
    # Noise: excluded cases, consultancy tasks and a whistleblower report in 2024.
    for i in range(6):
        pn += 1
        rows.append(
            _row(
                case_ref=f"2024-X{i}",
                party_ref=f"P{pn:04d}",
                party_name=_name(rng),
                party_kind="citizen",
                party_email="",
                party_phone="",
                department="Andet",
                category="Vejledning",
                case_kind="citizen",
                case_opened="2024-03-01",
                excluded="true",
                excluded_reason="Vendte ikke tilbage",
                contact_at=_moment(rng, y0, y1),
                channel="phone",
                direction="in",
                summary="Opkald",
            )
        )
    for i in range(4):
        rows.append(
            _row(
                case_ref=f"2024-K{i}",
                party_ref="",
                party_name="Center for Organisation",
                party_kind="association",
                party_email="",
                party_phone="",
                department="Organisation",
                category="Vejledning",
                case_kind="consultancy",
                case_opened="2024-05-01",
                excluded="false",
                contact_at=_moment(rng, y0, y1),
                channel="meeting",
                direction="in",
                summary="Intern konsulentopgave",
            )
        )
    rows.append(
        _row(
            case_ref="2024-W1",
            party_ref="",
            party_name="",
            party_kind="citizen",
            party_email="",
            party_phone="",
            department="Organisation",
            category="Klage",
            case_kind="whistleblower",
            case_opened="2024-06-10",
            excluded="false",
            contact_at="2024-06-10 10:00",
            channel="email",
            direction="in",
            summary="Indberetning",
        )
    )
    return rows


def _expand(counts: dict[str, int]) -> list[str]:
    return [k for k, n in counts.items() for _ in range(n)]


def haderslev_register(seed: int = 2021) -> list[dict[str, str]]:
    """Rows whose case counts for 1 Aug – 31 Dec 2021 are exactly Haderslev's tables 3–9:
    118 registered, 7 excluded, 111 counted; plus cases from before the reorganisation."""
    rng = random.Random(seed)
    complaints_dept = _expand({d: c for d, (_n, c) in HADERSLEV_DEPARTMENTS.items()})
    others_dept = _expand({d: n - c for d, (n, c) in HADERSLEV_DEPARTMENTS.items()})
    complaint_actions = [
        (a, o) for a, outs in HADERSLEV_COMPLAINT_OUTCOMES.items() for o in _expand(outs)
    ]
    other_actions = _expand(HADERSLEV_OTHER_ACTIONS)
    themes = _expand(HADERSLEV_THEMES)
    rng.shuffle(complaints_dept)
    rng.shuffle(others_dept)
    rng.shuffle(themes)
    assert len(complaints_dept) == len(complaint_actions) == 60
    assert len(others_dept) == len(other_actions) == 51
    specs: list[tuple[str, str, str, str | None]] = []
    for d, (a, o) in zip(complaints_dept, complaint_actions, strict=True):
        specs.append((d, "Klage", a, o))
    for d, a in zip(others_dept, other_actions, strict=True):
        specs.append((d, "Anden henvendelse", a, None))
    p0, p1 = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
    rows: list[dict[str, str]] = []

    def case_rows(
        ref: str,
        opened: dt.date,
        dept: str,
        cat: str,
        action: str,
        outcome: str | None,
        theme: str,
        excluded: bool,
    ) -> Iterator[dict[str, str]]:
        base = dict(
            case_ref=ref,
            party_ref="",
            party_name=_name(rng),
            party_kind="citizen",
            party_email=f"{ref.lower()}@example.dk",
            party_phone="",
            department=dept,
            category=cat,
            theme=theme,
            action=action,
            outcome=outcome or "",
            case_kind="citizen",
            case_opened=opened.isoformat(),
            excluded="true" if excluded else "false",
            excluded_reason="Borgeren vendte ikke tilbage" if excluded else "",
            wanted_to_complain="true" if cat == "Klage" else "false",
        )
        for k in range(rng.randint(1, 4)):
            moment = opened + dt.timedelta(days=k * 3)
            ch = rng.choice(["phone", "email", "meeting"])
            yield _row(
                **base,
                contact_at=f"{moment.isoformat()} 10:00",
                channel=ch,
                direction="in",
                summary=rng.choice(SUMMARIES[ch]),
            )

    for i, (dept, cat, action, outcome) in enumerate(specs):
        opened = p0 + dt.timedelta(days=rng.randint(0, (p1 - p0).days))
        rows.extend(
            case_rows(f"H21-{i:03d}", opened, dept, cat, action, outcome, themes[i], excluded=False)
        )
    # 7 excluded cases in the period, classified so that counting them would show.
    for i in range(7):
        opened = p0 + dt.timedelta(days=rng.randint(0, (p1 - p0).days))
        rows.extend(
            case_rows(
                f"H21-X{i}",
                opened,
                "Børn og Kultur",
                "Klage",
                "Afvist",
                "Midlertidigt afvist",
                "Andet",
                excluded=True,
            )
        )
    # Before the reorganisation: old direktørområder, outside the period.
    for i in range(20):
        opened = dt.date(2020, 8, 1) + dt.timedelta(days=rng.randint(0, 360))
        dept = rng.choice(
            ["Beskæftigelse og integration", "Erhvervs- og borgerservice", "Børn og Kultur"]
        )
        rows.extend(
            case_rows(
                f"H20-{i:03d}",
                opened,
                dept,
                "Anden henvendelse",
                "Vejledning",
                None,
                "Andet",
                excluded=False,
            )
        )
    # 15 internal consultancy tasks: counted separately, never in the citizen tables.
    for i in range(15):
        opened = p0 + dt.timedelta(days=rng.randint(0, (p1 - p0).days))
        for r in case_rows(
            f"H21-K{i:02d}",
            opened,
            "Diverse",
            "Anden henvendelse",
            "Orientering",
            None,
            "Opgavevaretagelse",
            excluded=False,
        ):
            r["case_kind"] = "consultancy"
            rows.append(r)
    return rows


# The register import/export columns, in order.
REGISTER_HEADER = EXPORT_COLUMNS


def write_register_csv(
    rows: list[dict[str, str]], path: Path, *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    """Write register rows as a CSV file in the import format."""
    with path.open("w", encoding=encoding, newline="") as fh:
        w = CsvWriter(fh, delimiter=delimiter)
        w.writerow(REGISTER_HEADER)
        for r in rows:
            w.writerow([r.get(c, "") for c in REGISTER_HEADER])
    return path
