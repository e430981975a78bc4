"""`borgerdesk status`: the health of every source, and the contacts waiting."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from borgerdesk.context import AppContext
from borgerdesk.texts import say
from store.errors import UserError
from store.timeutil import show

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.
if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class SourceStatus:
    name: str
    kind: str  # imap | phone
    folder: str
    messages: int  # messages (imap) or calls (phone) stored from this source
    parse_errors: int
    too_large: int
    last_success: str | None  # ISO 8601, UTC
    last_error: str | None
    # Written by the daemon (ingest.daemon.health): failures in a row, and when it runs next.
    consecutive_failures: int = 0
    next_run: str | None = None  # ISO 8601, UTC


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def collect(engine: Engine) -> dict[str, Any]:
    """The status as plain data, in the shape `status --format json` prints."""
    from sqlalchemy import func, select

    from store.contacts import waiting_in_triage
    from store.db import session_scope
    from store.models import CallRecord, Contact, EmailMessage, MailLocation
    from store.source_health import source_health

    with session_scope(engine) as session:
        mail_counts: dict[tuple[str, str], tuple[int, int, int]] = {}
        rows = session.execute(
            select(  # type: ignore[call-overload]
                MailLocation.account,
                MailLocation.folder,
                func.count(func.distinct(MailLocation.email_id)),
                func.count(func.distinct(EmailMessage.id)).filter(
                    EmailMessage.parse_error.is_not(None)  # type: ignore[union-attr]
                ),
                func.count(func.distinct(EmailMessage.id)).filter(
                    EmailMessage.too_large.is_(True)  # type: ignore[attr-defined]
                ),
            )
            .join(EmailMessage, EmailMessage.id == MailLocation.email_id)
            .group_by(MailLocation.account, MailLocation.folder)
        ).all()
        for account, folder, n, perr, large in rows:
            mail_counts[(account, folder)] = (int(n), int(perr), int(large))
        # Imported calls are contacts with call details; call_record holds only calls
        # whose contact was removed before migration 0004.
        calls = int(
            session.execute(
                select(func.count()).select_from(Contact).where(Contact.call_status.is_not(None))  # type: ignore[union-attr]
            ).scalar_one()
        ) + int(session.execute(select(func.count()).select_from(CallRecord)).scalar_one())
        sources: list[SourceStatus] = []
        for st in source_health(session):
            if st.kind == "imap":
                n, perr, large = mail_counts.get((st.name, st.folder), (0, 0, 0))
            elif st.kind == "phone":
                n, perr, large = calls, 0, 0
            else:
                n, perr, large = 0, 0, 0
            sources.append(
                SourceStatus(
                    name=st.name,
                    kind=st.kind,
                    folder=st.folder,
                    messages=n,
                    parse_errors=perr,
                    too_large=large,
                    last_success=_iso(st.last_success),
                    last_error=st.last_error,
                    consecutive_failures=st.consecutive_failures,
                    next_run=_iso(st.next_run),
                )
            )
        total = int(session.scalar(select(func.count()).select_from(Contact)) or 0)
        unlinked = int(
            session.scalar(select(func.count()).select_from(Contact).where(waiting_in_triage()))
            or 0
        )
        from store.alerts import count_open_alerts

        open_alerts = count_open_alerts(session)
    return {
        "sources": [asdict(s) for s in sources],
        "contacts": {"total": total, "unlinked": unlinked},
        "alerts": {"open": open_alerts},
    }


def status(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", help="table (default) or json.", case_sensitive=False)
    ] = "table",
) -> None:
    """Show each source (mail folder, phone inbox): what it stored, when it last
    succeeded, its last error; and how many contacts wait in triage.

    Example: borgerdesk status --format json
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    fmt = fmt.lower()
    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt!r}: use table or json")
    actx: AppContext = ctx.obj
    data = collect(actx.engine)
    if fmt == "json":
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    lang = actx.config.language
    table = Table(title=None, show_lines=False)
    for col in say("status.columns", lang).split("|"):
        table.add_column(col)
    import datetime as dt

    never = say("status.never", lang)
    for s in data["sources"]:
        when = show(dt.datetime.fromisoformat(s["last_success"])) if s["last_success"] else never
        # Text(): names and errors are untrusted, never markup.
        table.add_row(
            *(
                Text(str(v))
                for v in (
                    s["name"],
                    s["kind"],
                    s["folder"] or "-",
                    s["messages"],
                    s["parse_errors"],
                    s["too_large"],
                    when,
                    s["last_error"] or "",
                    s["consecutive_failures"],
                    show(dt.datetime.fromisoformat(s["next_run"])) if s["next_run"] else "-",
                )
            )
        )
    console = Console(highlight=False)
    if data["sources"]:
        console.print(table)
    else:
        console.print(say("status.no_sources", lang), markup=False)
    c = data["contacts"]
    console.print(
        say("status.contacts", lang, total=c["total"], waiting=c["unlinked"]), markup=False
    )
    console.print(say("status.alerts", lang, n=data["alerts"]["open"]), markup=False)


def register(app: typer.Typer) -> None:
    app.command("status")(status)
