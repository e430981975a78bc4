"""`borgerdesk party ...`: show, edit and merge parties, and list likely duplicates. A
party is named as `export-party` names it: id (or id:N), ref, e-mail address, phone
number or an unambiguous name.

Output speaks the UI language (borgerdesk/texts.py); error lines stay English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.commands.cliargs import party_id_of
from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, say, term
from store.addresses import normalise_email, normalise_phone
from store.errors import UserError
from store.plaintext import safe

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.
if TYPE_CHECKING:
    from store.desk import Desk
    from store.desk.rows import PartyInfo

party_app = typer.Typer(help="Show, edit and merge parties.", no_args_is_help=True)

PARTY = "Party id (or id:N), ref, e-mail address, phone number or name."


def _desk(ctx: typer.Context) -> Desk:
    from store.desk import Desk

    actx: AppContext = ctx.obj
    return Desk(actx.engine, actx.config)


def _find(desk: Desk, text: str | None, name: str) -> PartyInfo:
    from store.db import session_scope

    with session_scope(desk.engine) as s:
        pid = party_id_of(s, text, name)
    info = desk.party(pid)
    if info is None:
        raise UserError(
            f"{name} {text!r}: party {pid} belongs to a whistleblower case; "
            "it is handled in the whistleblower register only"
        )
    return info


def _print(info: PartyInfo, lang: str) -> None:
    typer.echo(
        say(
            "party.head",
            lang,
            id=info.party_id,
            name=safe(info.name or "-"),
            kind=term("kind", info.kind, lang),
        )
        + (say("party.ref", lang, ref=safe(info.ref)) if info.ref else "")
    )
    for a in (*info.emails, *info.phones):
        typer.echo(f"  {safe(a)}")
    typer.echo(say("party.filed", lang, cases=info.cases, contacts=info.contacts))


@party_app.command("show")
def show_cmd(
    ctx: typer.Context,
    party: Annotated[str | None, typer.Argument(metavar="PARTY", help=PARTY)] = None,
) -> None:
    """Show a party: name, kind, ref, addresses and numbers, and how much is filed under
    it; then its likely duplicates.

    \b
    Example:
      borgerdesk party show hanne@example.dk
    """
    desk = _desk(ctx)
    info = _find(desk, party, "PARTY")
    lang = lang_of(ctx)
    _print(info, lang)
    for d in desk.duplicate_parties(info.party_id):
        typer.echo(
            say(
                "party.duplicate",
                lang,
                id=d.party_id,
                name=safe(d.name or "-"),
                reason=term("reason", d.reason, lang),
            )
        )


@party_app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    party: Annotated[str | None, typer.Argument(metavar="PARTY", help=PARTY)] = None,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="citizen|company|association")] = None,
    add_email: Annotated[list[str] | None, typer.Option("--add-email")] = None,
    remove_email: Annotated[list[str] | None, typer.Option("--remove-email")] = None,
    add_phone: Annotated[list[str] | None, typer.Option("--add-phone")] = None,
    remove_phone: Annotated[list[str] | None, typer.Option("--remove-phone")] = None,
) -> None:
    """Edit a party's name, kind, e-mail addresses and phone numbers. Mail and calls
    from an added address are recognised as the party's from then on. Audited.

    \b
    Examples:
      borgerdesk party edit 17 --name "Hanne Hansen" --add-phone "40 11 22 33"
      borgerdesk party edit hanne@example.dk --remove-email hanne@old.dk --kind citizen
    """
    from store.desk.rows import PartyEdit

    desk = _desk(ctx)
    info = _find(desk, party, "PARTY")
    emails = list(info.emails)
    phones = list(info.phones)
    for raw in remove_email or []:
        e = normalise_email(raw)
        if e not in emails:
            raise UserError(f"--remove-email {raw!r}: party {info.party_id} has no such address")
        emails.remove(e)
    for raw in remove_phone or []:
        p = normalise_phone(raw)
        if p not in phones:
            raise UserError(f"--remove-phone {raw!r}: party {info.party_id} has no such number")
        phones.remove(p)
    desk.edit_party(
        info.party_id,
        PartyEdit(
            name=info.name if name is None else name,
            kind=kind or info.kind,
            emails=(*emails, *(add_email or [])),
            phones=(*phones, *(add_phone or [])),
        ),
    )
    after = desk.party(info.party_id)
    assert after is not None
    _print(after, lang_of(ctx))


@party_app.command("merge")
def merge_cmd(
    ctx: typer.Context,
    keep: Annotated[str | None, typer.Argument(metavar="KEEP", help=PARTY)] = None,
    other: Annotated[str | None, typer.Argument(metavar="OTHER", help=PARTY)] = None,
) -> None:
    """Merge party OTHER into KEEP: they are one person. OTHER's addresses, numbers,
    contacts and cases move to KEEP, and the counts count the person once in every
    period. KEEP's name and kind stay; OTHER's ref and name fill in what KEEP lacks.
    Audited. Refused for anonymised parties, whistleblower cases' parties and two
    different register refs.

    \b
    Example:
      borgerdesk party merge 17 "id:42"
    """
    desk = _desk(ctx)
    k = _find(desk, keep, "KEEP")
    o = _find(desk, other, "OTHER")
    res = desk.merge_parties(k.party_id, o.party_id)
    typer.echo(
        say(
            "party.merged",
            lang_of(ctx),
            merged=res.merged,
            kept=res.kept,
            addresses=res.addresses,
            contacts=res.contacts,
            cases=res.cases,
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(party_app, name="party")
