"""`borgerdesk contact ...`: register a contact by hand and correct triage (add, dismiss,
undismiss, move, unlink, dismissed). Each goes through `store.desk.Desk`, as the desk's
keys do, so audit entries, reply targets and counts follow the same way.

Output speaks the UI language (borgerdesk/texts.py); error lines and JSON stay English.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.commands.cliargs import (
    CHANNELS,
    DIRECTIONS,
    MAX_INTEGER,
    case_id_of,
    party_id_of,
    row_id,
)
from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, moment, say, term
from store.dateinput import read_moment
from store.errors import UserError
from store.plaintext import safe
from store.timeutil import show

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.
if TYPE_CHECKING:
    from store.cases import CaseClosed
    from store.desk import Desk
    from store.desk.rows import IfClosed

contact_app = typer.Typer(
    help="Register contacts by hand and correct triage.", no_args_is_help=True
)

IF_CLOSED_HELP = "When the case is closed: reopen it, or link anyway (default: refuse)."


def _desk(ctx: typer.Context) -> Desk:
    from store.desk import Desk

    actx: AppContext = ctx.obj
    return Desk(actx.engine, actx.config)


def _if_closed(value: str | None) -> IfClosed:
    from store.desk.rows import IfClosed

    if value is None:
        return IfClosed.ask
    if value not in ("reopen", "link"):
        raise UserError(f"--if-closed {value!r}: use reopen or link")
    return IfClosed(value)


def _closed_hint(e: CaseClosed) -> UserError:
    return UserError(
        f"case {e.ref} was closed on {e.closed_on:%d-%m-%Y}; add --if-closed "
        "reopen to reopen it, or --if-closed link to link anyway"
    )


@contact_app.command("add")
def add_cmd(
    ctx: typer.Context,
    channel: Annotated[str | None, typer.Option("--channel", help=CHANNELS)] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="When: DD-MM-YYYY HH:MM or YYYY-MM-DD HH:MM, Copenhagen time (default: now).",
        ),
    ] = None,
    party: Annotated[
        str | None,
        typer.Option(
            "--party", help='Existing party (id, ref, e-mail, phone or name) or "new:Name".'
        ),
    ] = None,
    case: Annotated[str | None, typer.Option("--case", help="File into this case (ref).")] = None,
    new_case: Annotated[bool, typer.Option("--new-case", help="File into a new case.")] = False,
    department: Annotated[
        str | None, typer.Option("--department", help="The new case's department.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="The new case's category.")
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="What it was about.")] = None,
    direction: Annotated[str, typer.Option("--direction", help="in|out")] = "in",
    if_closed: Annotated[str | None, typer.Option("--if-closed", help=IF_CLOSED_HELP)] = None,
    fmt: Annotated[str, typer.Option("--format", help="text|json")] = "text",
) -> None:
    """Register a contact no mailbox or phone export holds (a walk-in, a home visit, a
    letter, a call) and file it: into a case (--case), a new case (--new-case) or, with
    neither, into triage. Prints the contact id and the case ref.

    \b
    Examples:
      borgerdesk contact add --channel meeting --at "01-12-2026 10:30" --party "new:Karen Holm"
      borgerdesk contact add --channel letter --party 17 --new-case --category Klage
      borgerdesk contact add --channel phone --direction out --party 17 --case 2026-0001
      borgerdesk contact add --channel letter --party 17 --format json
    """
    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r}: use text or json")
    if channel is None:
        raise UserError(f"--channel is missing; use one of {CHANNELS}")
    # cliargs' copies of the store's channel and direction values (a test keeps them
    # equal): a bad argument fails before the database layer loads, as fast as --help.
    chan = channel.replace("-", "_")
    if chan not in {c.replace("-", "_") for c in CHANNELS.split("|")}:
        raise UserError(f"--channel {channel!r}: use one of {CHANNELS}")
    if direction not in DIRECTIONS:
        raise UserError(f"--direction {direction!r}: use in or out")
    if case is not None and new_case:
        raise UserError("give --case REF or --new-case, not both")
    if (department or category) and not new_case:
        raise UserError("--department and --category are for --new-case")
    policy = _if_closed(if_closed)
    given = read_moment(at, "--at") if at is not None else None
    from store.cases import CaseClosed
    from store.db import session_scope
    from store.desk.rows import FileTo, NewCaseRequest, NewContactRequest, NewParty

    desk = _desk(ctx)
    when = given if given is not None else desk.now()
    party_id: int | None = None
    new_party: NewParty | None = None
    case_id: int | None = None
    with session_scope(desk.engine) as s:
        if party is not None and party.startswith("new:"):
            new_party = NewParty(name=party[4:])
        elif party is not None:
            party_id = party_id_of(s, party, "--party")
        if case is not None:
            case_id = case_id_of(s, case)
    request = NewContactRequest(
        channel=chan,
        occurred_at=when,
        direction=direction,
        summary=summary,
        party_id=party_id,
        new_party=new_party,
        file_to=FileTo.case if case_id else FileTo.new_case if new_case else FileTo.triage,
        case_id=case_id,
        new_case=NewCaseRequest(department=department, category=category) if new_case else None,
    )
    try:
        added = desk.add_contact(request, if_closed=policy)
    except CaseClosed as e:
        raise _closed_hint(e) from None
    if fmt == "json":
        typer.echo(
            json.dumps(
                {
                    "contact_id": added.contact_id,
                    "case_ref": added.case_ref,
                    "party_id": added.party_id,
                }
            )
        )
        return
    lang = lang_of(ctx)
    where = (
        say("contact.in_case", lang, ref=safe(added.case_ref))
        if added.case_ref
        else say("contact.in_triage", lang)
    )
    typer.echo(
        say("contact.added", lang, id=added.contact_id, when=moment(when, lang), where=where)
    )


@contact_app.command("dismiss")
def dismiss_cmd(
    ctx: typer.Context,
    contact_id: Annotated[str | None, typer.Argument(metavar="CONTACT_ID")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is not a case.")] = None,
) -> None:
    """Mark a waiting contact "not a case", with a reason (the desk's x key). It leaves
    triage and counts nowhere; 'contact undismiss' brings it back.

    \b
    Example:
      borgerdesk contact dismiss 1234 --reason "Nyhedsbrev"
    """
    cid = row_id(contact_id, "CONTACT_ID")
    if reason is None or not reason.strip():
        raise UserError("contact dismiss needs a reason: --reason TEXT")
    _desk(ctx).dismiss([cid], reason)
    typer.echo(say("contact.dismissed", lang_of(ctx), id=cid))


@contact_app.command("undismiss")
def undismiss_cmd(
    ctx: typer.Context,
    contact_id: Annotated[str | None, typer.Argument(metavar="CONTACT_ID")] = None,
) -> None:
    """Undo "not a case": the contact waits in triage again.

    \b
    Example:
      borgerdesk contact undismiss 1234
    """
    cid = row_id(contact_id, "CONTACT_ID")
    _desk(ctx).undismiss([cid])
    typer.echo(say("contact.undismissed", lang_of(ctx), id=cid))


@contact_app.command("move")
def move_cmd(
    ctx: typer.Context,
    contact_id: Annotated[str | None, typer.Argument(metavar="CONTACT_ID")] = None,
    case: Annotated[
        str | None, typer.Option("--case", help="The case to move it to (ref).")
    ] = None,
    if_closed: Annotated[str | None, typer.Option("--if-closed", help=IF_CLOSED_HELP)] = None,
) -> None:
    """Move a contact from its case to another one (a wrong link).

    \b
    Example:
      borgerdesk contact move 1234 --case 2026-0042
    """
    from store.cases import CaseClosed
    from store.db import session_scope

    cid = row_id(contact_id, "CONTACT_ID")
    policy = _if_closed(if_closed)
    desk = _desk(ctx)
    with session_scope(desk.engine) as s:
        case_id = case_id_of(s, case)
    try:
        ref = desk.move_contact(cid, case_id, if_closed=policy)
    except CaseClosed as e:
        raise _closed_hint(e) from None
    typer.echo(say("contact.moved", lang_of(ctx), id=cid, ref=safe(ref)))


@contact_app.command("unlink")
def unlink_cmd(
    ctx: typer.Context,
    contact_id: Annotated[str | None, typer.Argument(metavar="CONTACT_ID")] = None,
) -> None:
    """Take a contact out of its case, back to triage.

    \b
    Example:
      borgerdesk contact unlink 1234
    """
    cid = row_id(contact_id, "CONTACT_ID")
    ref = _desk(ctx).unlink_contact(cid)
    typer.echo(say("contact.unlinked", lang_of(ctx), id=cid, ref=safe(ref)))


@contact_app.command("dismissed")
def dismissed_cmd(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_INTEGER, help="At most N rows.")
    ] = 50,
) -> None:
    """List the contacts marked "not a case", newest first, with their reasons.

    \b
    Example:
      borgerdesk contact dismissed --limit 20
    """
    page = _desk(ctx).dismissed(limit=limit)
    lang = lang_of(ctx)
    if not page.rows:
        typer.echo(say("contact.none_dismissed", lang))
        return
    for r in page.rows:
        typer.echo(
            f"#{r.contact_id}  {show(r.occurred_at, '%d-%m-%Y %H:%M')}  "
            f"{term('channel', r.channel, lang)}  "
            f"{safe(r.who or '-')}  {safe(r.subject)}  [{safe(r.reason)}]"
        )
    if page.total > len(page.rows):
        typer.echo(say("more", lang, n=page.total - len(page.rows)))


def register(app: typer.Typer) -> None:
    app.add_typer(contact_app, name="contact")
