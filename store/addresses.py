"""Normalising the ways a party is reached: e-mail addresses and phone numbers."""

from __future__ import annotations

import functools
import re
from email.utils import parseaddr

_BARE_ADDRESS = re.compile(r"^\s*[^@\s<>\"(),;:\[\]]+@[^@\s<>\"(),;:\[\]]+\s*$")
HIDDEN_NUMBERS = frozenset(
    {
        "",
        "skjult nummer",
        "skjult",
        "anonymous",
        "anonym",
        "private",
        "unknown",
        "ukendt",
        "hidden",
        "restricted",
        "withheld",
    }
)


@functools.lru_cache(maxsize=100_000)
def normalise_email(raw: str) -> str | None:
    """Lowercase bare address, or None if there is none."""
    if _BARE_ADDRESS.match(raw):  # the common case; parseaddr costs ~150 µs
        return raw.strip().lower()
    _name, addr = parseaddr(raw)
    addr = addr.strip().lower()
    if "@" not in addr:
        return None
    return addr


# A Danish subscriber number as exports write it: eight digits, the first 2-9 (Denmark
# has no trunk prefix, and no number starts with 0 or 1), optionally in groups separated
# by single spaces ("22 33 44 55"), optionally after +45 or 0045.
_DK_NUMBER = re.compile(r"(?:\+45|0045)? ?([2-9](?: ?[0-9]){7})")


@functools.lru_cache(maxsize=200_000)
def normalise_phone(raw: str, region: str = "DK") -> str | None:
    """E.164 for a dialable number; None for hidden or unparseable ones.

    Cached: exports repeat the same few thousand numbers a million times, and
    phonenumbers.parse costs ~11-20 µs a call. A Danish number in one of the usual
    spellings is read without it (tests/store/test_addresses.py checks that the answer
    is phonenumbers' own): a file of 50,000 distinct numbers spent ~1 s there.
    """
    text = raw.strip()
    m = _DK_NUMBER.fullmatch(text)
    if m is not None and (region == "DK" or text[0] in "+0"):
        return "+45" + m[1].replace(" ", "")
    if text.lower() in HIDDEN_NUMBERS:
        return None
    return phonenumbers_e164(text, region)


def phonenumbers_e164(raw: str, region: str = "DK") -> str | None:
    """E.164 by phonenumbers alone ("00" read as "+"); None if not a possible number.
    `normalise_phone` answers this for everything its Danish shortcut does not read."""
    import phonenumbers  # on first use (~50 ms): the desk's first screen reads no numbers

    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(counterpart: str | None) -> str:
    """A log-safe form: 'k***@example.dk', '+45****4455'."""
    if not counterpart:
        return "-"
    if "@" in counterpart:
        local, _, domain = counterpart.partition("@")
        return f"{local[:1]}***@{domain}"
    return counterpart[:3] + "****" + counterpart[-4:] if len(counterpart) > 7 else "****"


_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# E.164 or Danish 8-digit forms with optional spaces: "+4522334455", "22 33 44 55".
_PHONE_IN_TEXT = re.compile(r"(?<![\w.:/-])(?:\+|00)?\d(?:[ ]?\d){7,14}(?![\w.:/-])")


def redact(text: str) -> str:
    """Mask e-mail addresses and phone numbers in free text (logs, foreign errors)."""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask(m.group(0).lower()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask(re.sub(r"\s", "", m.group(0))), text)
