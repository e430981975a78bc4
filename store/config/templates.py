"""Reply templates: `[[replies.templates]]` in the config.

A template is plain text with `{variable}` placeholders from a fixed list; `{{` and `}}`
are literal braces. Placeholders are checked when the config loads, so a typo is a config
error naming the template and the key, never a surprise in a mail to a citizen.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from store.config.base import Section

# The variables a template may use (rendering: store.outbox.templates).
VARIABLES = (
    "fornavn",  # the party's first name ("borger" when unknown)
    "navn",  # the party's full name
    "sag",  # the case ref
    "emne",  # the subject of the mail being answered
    "modtaget",  # when the mail or call came, as the desk shows it
    "forventet_dato",  # `working_days` working days ahead, in Danish
    "underskrift",  # replies.signature
)

# One placeholder, or an escaped brace, or a stray brace (an error).
TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")

TemplateKind = Literal["acknowledgement", "delay", "answer", "closing"]


def template_problem(text: str) -> str | None:
    """Why `text` is not a valid template, or None."""
    for m in TOKEN.finditer(text):
        tok = m.group(0)
        if tok in ("{{", "}}"):
            continue
        name = m.group(1)
        if name is None:
            return f"a lone {tok!r}; write {tok * 2!r} for a literal brace"
        if name not in VARIABLES:
            return f"unknown variable {{{name}}}; known: {', '.join(VARIABLES)}"
    return None


class ReplyTemplate(Section):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.æøåÆØÅ-]+$")
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)
    kind: TemplateKind = "answer"
    # {forventet_dato} is this many working days ahead (the Danish calendar of the targets).
    working_days: int = Field(default=5, ge=0, le=260)

    @model_validator(mode="after")
    def _placeholders(self) -> ReplyTemplate:
        for key in ("subject", "body"):
            problem = template_problem(getattr(self, key))
            if problem:
                raise ValueError(f"template {self.name!r}, key {key}: {problem}")
        if "\r" in self.subject or "\n" in self.subject:
            raise ValueError(f"template {self.name!r}, key subject: must be one line")
        return self


DEFAULT_SIGNATURE = "Med venlig hilsen\nBorgerrådgiveren"


def default_templates() -> list[ReplyTemplate]:
    """The Danish defaults; the presets write the same texts (tests keep them equal)."""
    return [
        ReplyTemplate(
            name="kvittering",
            kind="acknowledgement",
            working_days=5,
            subject="Sv: {emne}",
            body=(
                "Kære {fornavn}\n\n"
                "Tak for din henvendelse, som jeg modtog {modtaget}.\n"
                "Jeg vender tilbage til dig med et svar senest {forventet_dato}.\n\n"
                "{underskrift}\n"
            ),
        ),
        ReplyTemplate(
            name="forsinkelse",
            kind="delay",
            working_days=10,
            subject="Sv: {emne}",
            body=(
                "Kære {fornavn}\n\n"
                "Jeg har brug for mere tid til at se på din henvendelse ({sag}).\n"
                "Du kan forvente svar senest {forventet_dato}.\n\n"
                "{underskrift}\n"
            ),
        ),
        ReplyTemplate(
            name="afslutning",
            kind="closing",
            working_days=0,
            subject="Sv: {emne}",
            body=(
                "Kære {fornavn}\n\n"
                "Tak for din henvendelse. Jeg afslutter hermed sagen ({sag}).\n"
                "Du er altid velkommen til at kontakte mig igen.\n\n"
                "{underskrift}\n"
            ),
        ),
    ]
