"""Untrusted text for a terminal line (`safe`), and the one check on text a person typed
(`typed_text`).

A module of its own, importing nothing heavy: the console script's one-line errors use it
on every failure, a usage error included, before any command has loaded the store.
"""

from __future__ import annotations

import re

from store.errors import UserError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

# What a typed field may not hold: C0 control characters and DEL (a NUL is refused by
# PostgreSQL and kept by SQLite; the rest are escape sequences and paste debris), and lone
# surrogates (undecodable bytes in argv, which no database encoding can store). A field of
# several lines (a summary, a note, a reason) keeps its tabs and line breaks.
_NOT_TYPED_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_NOT_TYPED_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def safe(text: str) -> str:
    """Untrusted text without control characters or bidi overrides."""
    return _CONTROL.sub("\ufffd", text)


def typed_text(text: str, field: str, *, lines: bool = False) -> str:
    """Text a person typed into `field` (a summary, a note, a reason, a name), stripped.
    The one check every store function that takes typed text goes through: a control
    character is refused with one `UserError` line naming the field, never stored (SQLite)
    nor left to the database to refuse with a traceback (PostgreSQL). `lines`: the field
    may span several lines, so tabs and line breaks are kept (and a pasted line's own
    line break around a one-line field is dropped with the spaces)."""
    text = text.strip(" \t\r\n")
    bad = (_NOT_TYPED_LINES if lines else _NOT_TYPED_LINE).search(text)
    if bad is not None:
        ch = bad.group()
        what = (
            "an invalid character"
            if "\ud800" <= ch <= "\udfff"
            else f"a control character (U+{ord(ch):04X})"
        )
        where = "" if lines or ch not in "\t\n\r" else " (it must be one line)"
        raise UserError(
            f"{field}: contains {what} at position {bad.start() + 1}{where}; "
            "remove it and type the text again",
            code="text_control",
            position=bad.start() + 1,
        )
    return text.strip()
