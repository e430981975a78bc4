"""Replies from the command line: `reply` (send a template reply to a contact) and
`outbox` (what was sent, what waits, what needs the advisor's decision)."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Annotated

import typer

from borgerdesk.commands.cliargs import row_id
from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, moment, say
from store.dateinput import read_date
from store.errors import UserError
from store.plaintext import safe

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.


def reply_cmd(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(metavar="CONTACT_ID")],
    template: Annotated[
        str, typer.Option("--template", help="A template name from the config (e.g. kvittering).")
    ] = "kvittering",
    to: Annotated[
        str | None, typer.Option("--to", help="Recipient (default: the contact's address).")
    ] = None,
    expected: Annotated[
        str | None,
        typer.Option(
            "--expected", help="The date for {forventet_dato} (DD-MM-YYYY or YYYY-MM-DD)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the exact message and change nothing.")
    ] = False,
) -> None:
    """Reply to a contact with a template, through the advisor's own mailbox.

    The reply is queued with its Message-ID before it is sent, sent once over SMTP,
    copied to Sent (save_to_sent), and stored as an outbound contact on the case, which
    meets the reply target. Prints the Message-ID. A reply that cannot be sent now stays
    in the outbox and the daemon retries it.

    Examples:
      borgerdesk reply 1234 --template kvittering --dry-run
      borgerdesk reply 1234 --template forsinkelse --expected 2026-12-22
      borgerdesk reply 77 --template afslutning --to borger@example.dk
    """
    actx: AppContext = ctx.obj
    cid = row_id(contact_id, "CONTACT_ID")
    when = read_date(expected, "--expected") if expected is not None else None
    from store.db import session_scope  # after the arguments: a bad one fails as fast as --help
    from store.outbox import queue
    from store.outbox.compose import compose

    with session_scope(actx.engine) as session:
        draft = compose(
            session, actx.config, contact_id=cid, template=template, to=to, expected=when
        )
    if dry_run:
        sys.stdout.write(draft.raw.decode("ascii"))
        return
    from ingest.mail.reply_send import send_reply

    entry = queue.enqueue(actx.engine, draft)
    result = send_reply(actx.engine, actx.config, entry.id)
    if result.state == "sent":
        typer.echo(say("reply.sent", lang_of(ctx), mid=result.message_id))
        return
    typer.echo(
        say(f"reply.{result.state}", lang_of(ctx), err=safe(result.error or ""), id=entry.id),
        err=True,
    )
    raise typer.Exit(1)


def outbox_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="table|json")] = "table",
    resend: Annotated[
        str | None,
        typer.Option(
            "--resend",
            metavar="ID",
            help="An uncertain reply did not arrive: send it again (same Message-ID).",
        ),
    ] = None,
    was_sent: Annotated[
        str | None,
        typer.Option(
            "--was-sent",
            metavar="ID",
            help="An uncertain reply did arrive: send nothing more; store it as sent.",
        ),
    ] = None,
) -> None:
    """List replies: queued, sent, refused, and uncertain ones (a crash while sending:
    check Sent, then --resend or --was-sent).

    Examples:
      borgerdesk outbox
      borgerdesk outbox --format json
      borgerdesk outbox --resend 12
    """
    actx: AppContext = ctx.obj
    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt!r}: use table or json")
    lang = lang_of(ctx)
    if resend is not None and was_sent is not None:
        raise UserError("give --resend or --was-sent, not both")
    oid = (
        row_id(resend or was_sent, "--resend" if resend else "--was-sent")
        if resend is not None or was_sent is not None
        else None
    )
    from store.db import session_scope  # after the arguments: a bad one fails as fast as --help
    from store.outbox import queue

    if oid is not None:
        from ingest.mail.reply_send import confirm_sent, send_reply

        if resend is not None:
            queue.decide(actx.engine, oid, resend=True)
            result = send_reply(actx.engine, actx.config, oid)
            what = say(f"outbox.{result.state}", lang)
        else:
            confirm_sent(actx.engine, actx.config, oid)
            what = say("outbox.sent", lang)
        typer.echo(say("outbox.decided", lang, id=oid, what=what))
        return
    with session_scope(actx.engine) as session:
        rows = queue.entries(session)
    if fmt == "json":
        out = [
            {
                k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in dataclasses.asdict(r).items()
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        typer.echo(say("outbox.empty", lang))
        return
    for r in rows:
        when = moment(r.sent_at or r.created_at, lang)
        typer.echo(
            "  ".join(
                (
                    f"#{r.id}",
                    f"{say(f'outbox.{r.state}', lang):<9}",
                    when,
                    safe(r.to),
                    safe(r.subject),
                    f"[{safe(r.template or '-')}]",
                )
            )
        )
        if r.last_error and r.state != "sent":
            typer.echo(f"    {safe(r.last_error)}")


def register(app: typer.Typer) -> None:
    app.command("reply")(reply_cmd)
    app.command("outbox")(outbox_cmd)
