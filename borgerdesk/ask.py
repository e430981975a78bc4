"""The questions the CLI asks a person, in the UI language.

click's own words around a prompt are English and fixed: "[y/N]", "Error: invalid input",
"Repeat for confirmation", "Error: The two entered values do not match", and "Error: "
before a rejected answer. So every question goes through these three, which say their
own in the UI language (borgerdesk/texts.py); tests/test_cli_language.py checks that
no command asks through typer directly and that each question is a `say(...)` text.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from borgerdesk.texts import say

YES = frozenset({"j", "ja", "y", "yes"})
NO = frozenset({"n", "nej", "no"})


def ask(
    question: str,
    lang: str,
    *,
    default: str | None = None,
    show_default: bool = True,
    hide: bool = False,
    check: Callable[[str], str | None] | None = None,
) -> str:
    """The answer to `question`; with `check`, asked again (saying the problem it
    returns, already in the UI language) until it has none. Without a default, an empty
    answer is asked again."""
    while True:
        value = str(
            typer.prompt(question, default=default, show_default=show_default, hide_input=hide)
        )
        problem = check(value) if check is not None else None
        if problem is None:
            return value
        typer.echo(problem, err=True)


def ask_yes(question: str, lang: str, *, default: bool = False, err: bool = False) -> bool:
    """A yes or no: j/ja/y/yes or n/nej/no, the default for an empty answer."""
    hint = say("ask.yes_no_hint_yes" if default else "ask.yes_no_hint_no", lang)
    while True:
        answer = (
            str(typer.prompt(f"{question} {hint}", default="", show_default=False, err=err))
            .strip()
            .lower()
        )
        if not answer:
            return default
        if answer in YES:
            return True
        if answer in NO:
            return False
        typer.echo(say("ask.yes_no_again", lang), err=True)


def ask_new_secret(question: str, again: str, lang: str) -> str:
    """A new password, typed twice without echo until both agree."""
    while True:
        first = str(typer.prompt(question, hide_input=True))
        if str(typer.prompt(again, hide_input=True)) == first:
            return first
        typer.echo(say("ask.mismatch", lang), err=True)
