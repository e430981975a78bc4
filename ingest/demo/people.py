"""The demo's citizens: names, addresses, numbers, and what they are writing about."""

from __future__ import annotations

import random
from dataclasses import dataclass

from store.samples import FIRST_NAMES, LAST_NAMES

# More names than the register samples: the demo has newer Danes too.
FIRST = [*FIRST_NAMES, "Aisha", "Ali"]
LAST = [*LAST_NAMES, "Yilmaz"]
DOMAINS = ["gmail.com", "hotmail.dk", "outlook.dk", "mail.dk", "live.dk", "jubii.dk"]

# (department, category, subject, first line of the body)
TOPICS = [
    (
        "Børn, Unge og Familier",
        "Klage",
        "Klage over afgørelse om aflastning",
        "Jeg er meget utilfreds med kommunens afgørelse om aflastning til vores søn.",
    ),
    (
        "Børn, Unge og Familier",
        "Udredning",
        "Ingen svar fra familieafdelingen",
        "Jeg har skrevet til familieafdelingen tre gange uden at få svar.",
    ),
    (
        "Erhverv, Teknik og Kultur",
        "Vejledning",
        "Byggetilladelse til carport",
        "Jeg har ventet på svar på min ansøgning om byggetilladelse i fire måneder.",
    ),
    (
        "Erhverv, Teknik og Kultur",
        "Udredning",
        "Vejarbejde og manglende information",
        "Vores vej har været gravet op i seks uger, og ingen fortæller os hvorfor.",
    ),
    (
        "Omsorg og Sundhed",
        "Klage",
        "Hjemmeplejen kommer ikke til aftalt tid",
        "Min mor på 87 får ikke sin hjemmehjælp til de aftalte tider.",
    ),
    (
        "Omsorg og Sundhed",
        "Vejledning",
        "Spørgsmål om genoptræning",
        "Jeg vil gerne høre, hvordan jeg klager over afslag på genoptræning.",
    ),
    (
        "Social og Arbejdsmarked",
        "Udredning",
        "Sygedagpenge og opfølgning",
        "Jobcentret har ikke holdt det opfølgningsmøde, jeg blev lovet.",
    ),
    (
        "Social og Arbejdsmarked",
        "Klage",
        "Klage over sagsbehandler",
        "Jeg føler mig ikke hørt af min sagsbehandler og vil gerne klage.",
    ),
    (
        "Social og Arbejdsmarked",
        "Vejledning",
        "Hjælp til at forstå en afgørelse",
        "Jeg har fået et brev fra kommunen, som jeg ikke forstår.",
    ),
    (
        "Økonomi og Ejendomme",
        "Vejledning",
        "Ejendomsskat og betalingsaftale",
        "Kan I hjælpe mig med at finde ud af, hvem jeg skal kontakte om min ejendomsskat?",
    ),
    (
        "Organisation",
        "Vejledning",
        "Aktindsigt i min sag",
        "Jeg vil gerne have aktindsigt i alle dokumenter i min sag.",
    ),
    (
        "Andet",
        "Vejledning",
        "Hvem kan hjælpe mig?",
        "Jeg ved ikke, hvor jeg skal henvende mig, og håber I kan hjælpe.",
    ),
]


@dataclass(frozen=True)
class Citizen:
    name: str
    email: str
    phone: str  # as a Danish export writes it: "22 33 44 55"
    topic: int  # index into TOPICS

    @property
    def first(self) -> str:
        return self.name.split()[0]


def citizens(n: int = 80, seed: int = 7) -> list[Citizen]:
    rng = random.Random(seed)
    out: list[Citizen] = []
    used: set[str] = set()
    while len(out) < n:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = f"{first}.{last}".lower().translate(str.maketrans("æøå", "eoa")) + str(
            rng.randint(1, 99)
        )
        email = f"{local}@{rng.choice(DOMAINS)}"
        if email in used:
            continue
        used.add(email)
        digits = f"{rng.randint(20, 99)}{rng.randint(0, 999999):06d}"
        phone = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
        out.append(Citizen(f"{first} {last}", email, phone, rng.randrange(len(TOPICS))))
    return out
