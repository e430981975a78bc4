"""Phone numbers: the quick reading of Danish spellings gives phonenumbers' own answer."""

from __future__ import annotations

import random

import pytest

from store.addresses import normalise_phone, phonenumbers_e164


def _spellings(digits: str) -> list[str]:
    grouped = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    fours = f"{digits[:4]} {digits[4:]}"
    out = [digits, grouped, fours, f" {digits} "]
    for prefix in ("+45", "+45 ", "0045", "0045 "):
        out += [prefix + digits, prefix + grouped, prefix + fours]
    return out


def test_danish_spellings_agree_with_phonenumbers() -> None:
    rng = random.Random(5)
    numbers = [str(rng.randrange(10_000_000, 100_000_000)) for _ in range(300)]
    numbers += ["20000000", "99999999", "80808080", "45454545", "12345678", "01234567"]
    for digits in numbers:
        for raw in _spellings(digits):
            for region in ("DK", "SE", "DE"):
                normalise_phone.cache_clear()
                assert normalise_phone(raw, region) == phonenumbers_e164(raw, region), (raw, region)


@pytest.mark.parametrize(
    "raw",
    [
        "2233445",
        "223344556",
        "22  33 44 55",
        "22-33-44-55",
        "+4622334455",
        "+45 1234567",
        "004622334455",
        "+ 45 22334455",
        "4522334455",
        "+4512345678",
        "1813",
        "112",
        "+46 8 123 456 78",
        "(+45) 22334455",
        "skjult nummer",
        "",
    ],
)
def test_other_spellings_go_through_phonenumbers(raw: str) -> None:
    normalise_phone.cache_clear()
    want = None if raw.strip().lower() in ("skjult nummer", "") else phonenumbers_e164(raw, "DK")
    assert normalise_phone(raw, "DK") == want
