"""Untrusted text for a terminal line: control characters and bidi overrides replaced.

A module of its own, importing nothing heavy: the console script's one-line errors use it
on every failure, a usage error included, before any command has loaded the store.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Untrusted text without control characters or bidi overrides."""
    return _CONTROL.sub("\ufffd", text)
