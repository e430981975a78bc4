"""Untrusted text (mail subjects and bodies, numbers, filenames, phone-log cells) made
safe to show: always a `rich.text.Text` (never parsed as markup), with every character
that could steer the terminal or hide/reorder what is shown replaced by a visible stand-in.

- C0 controls (ESC, BEL, ...) and DEL -> their Unicode "control pictures" (␛, ␇, ␡);
- C1 controls (0x80-0x9f, e.g. the 8-bit CSI) -> ⟨U+009B⟩;
- bidi embeddings/overrides/isolates and zero-width characters -> ⟨U+202E⟩ etc., so a
  right-to-left override cannot reorder a file name and a zero-width joiner cannot hide.
Right-to-left letters themselves (Arabic, Hebrew) are ordinary text and are kept.
"""

from __future__ import annotations

import re

from rich.text import Text

_INVISIBLE = (
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\u00ad"
)
_UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_UNSAFE_ONE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")


def _stand_in(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟ (␛ for ESC, ␇ for BEL)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\u27e8U+{code:04X}\u27e9"


def clean(text: str | None, *, one_line: bool = True, limit: int | None = None) -> str:
    """The string with unsafe characters made visible. One-line mode also turns line
    breaks and tabs into visible marks (␊, ␉) so a subject cannot break a table row."""
    if not text:
        return ""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    if one_line:
        text = text.replace("\r\n", "\n")
        return _UNSAFE_ONE_LINE.sub(_stand_in, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _UNSAFE.sub(_stand_in, text)


def plain(
    text: str | None, *, one_line: bool = True, limit: int | None = None, style: str = ""
) -> Text:
    """A Rich Text of untrusted input: no markup, no escapes, no invisible characters."""
    return Text(
        clean(text, one_line=one_line, limit=limit),
        style=style,
        no_wrap=one_line,
        overflow="ellipsis" if one_line else "fold",
    )
