"""A sender's name from a mail's signature, for mail that comes with a bare address
("knud.h@example.org", no display name): the new-case form prefills the party's name
with it, as a real value the advisor can correct."""

from __future__ import annotations

import re

# Closing phrases Danish citizens (and some English writers) put before their name.
_CLOSING = re.compile(
    r"^(?:med\s+)?(?:venlig(?:st)?|mange|kærlig)\s+hilsen\b.*$|^(?:m?vh|hilsen|kh)\b[.,!]?$"
    r"|^(?:kind|best)\s+regards\b.*$|^regards\b.*$",
    re.IGNORECASE,
)
# Two to five words, each starting with a capital letter (Danish letters included), as a
# person's name does: "Knud Hansen", "Anne-Mette la Cour Jensen" is refused only if lower.
_NAME = re.compile(r"^(?:[A-ZÆØÅÄÖÜÉ][\w'’.-]*)(?:\s+(?:[A-ZÆØÅÄÖÜÉa-zæøå][\w'’.-]*)){1,4}$")


def signature_name(body: str) -> str:
    """The name on the line after the last closing phrase ("Venlig hilsen" then
    "Knud Hansen"), or "" when there is no such line. Quoted text ("> …") is skipped."""
    lines = [ln.strip() for ln in body.splitlines() if not ln.lstrip().startswith(">")]
    for i in range(len(lines) - 1, -1, -1):
        if _CLOSING.match(lines[i]):
            for candidate in lines[i + 1 : i + 3]:
                if candidate and _NAME.match(candidate) and len(candidate) <= 80:
                    return candidate
                if candidate:
                    break
            return ""
    return ""
