"""Reply targets on the command line: `followups`, `ack`, `no-reply`, `compliance` and
`replies recompute`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from borgerdesk.commands.cliargs import MAX_INTEGER
from borgerdesk.commands.report import PERIOD_HELP, period
from borgerdesk.context import AppContext
from borgerdesk.texts import Lang, lang_of, say, term
from store.errors import UserError
from store.outfile import check_output
from store.plaintext import safe
from store.timeutil import CPH, needs_year, plausible

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.

# CLI spelling (with hyphens) -> list_followups filter.
STATUS_FILTERS = {
    "open": "open",
    "pending": "pending",
    "due-soon": "due_soon",
    "overdue": "overdue",
    "met": "met",
    "met-late": "met_late",
    "waived": "waived",
    "all": "all",
}


def parse_now(value: str | None, option: str = "--now") -> dt.datetime:
    """A time as every other option takes it (DD-MM-YYYY HH:MM, YYYY-MM-DD HH:MM, or ISO
    8601 with an offset); without an offset it is Copenhagen wall-clock time."""
    if value is None:
        return dt.datetime.now(dt.UTC)
    from store.dateinput import read_moment

    try:
        moment = read_moment(value, option)
    except UserError as not_a_time:
        try:  # ISO 8601 outside the years a person types: said by `plausible` below
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise not_a_time from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=CPH)
    return plausible(moment, option)


def _positive_id(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise UserError(f"CONTACT_ID {value!r}: not a contact id (a whole number)") from None
    if not 0 < n <= MAX_INTEGER:
        raise UserError(f"CONTACT_ID {value!r}: not a contact id (a positive number)")
    return n


def followups(
    ctx: typer.Context,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Evaluate at this time, DD-MM-YYYY HH:MM (default: now)."),
    ] = None,
    status: Annotated[
        str,
        typer.Option("--status", help="open|pending|due-soon|overdue|met|met-late|waived|all"),
    ] = "open",
    fmt: Annotated[str, typer.Option("--format", help="table|json")] = "table",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, max=MAX_INTEGER, help="At most N rows.")
    ] = None,
) -> None:
    """List reply targets, soonest due first.

    `open` (default) is pending + due-soon + overdue; `all` includes met and waived
    targets. Times are shown in Europe/Copenhagen; --now without an offset is local time.

    Examples:
      borgerdesk followups --status overdue
      borgerdesk followups --now 2024-04-02T15:00+02:00 --status all --format json
    """
    actx: AppContext = ctx.obj
    if status not in STATUS_FILTERS:
        raise UserError(f"--status {status!r}: use one of {', '.join(STATUS_FILTERS)}")
    if fmt not in ("table", "json"):
        raise UserError(f"--format {fmt!r}: use table or json")
    moment = parse_now(now)
    from store.db import session_scope  # after the arguments: a bad one fails as fast as --help
    from store.replies import list_followups
    from store.replies.explain import fmt_moment
    from store.replies.followups import followups_json
    from store.replies.recompute import due_times_stale

    # The JSON's explanations are English (its documented format); the lines speak the UI's.
    lang: Lang = "en" if fmt == "json" else lang_of(ctx)
    with session_scope(actx.engine) as session:
        rows = list_followups(
            session=session,
            now=moment,
            status=STATUS_FILTERS[status],
            limit=limit,
            config=actx.config,
            lang=lang,
        )
        stale = due_times_stale(session=session, config=actx.config)
    if stale:
        # Not an error: the list is still right about who is owed a reply; its due times
        # follow the old rules until the daemon (or the command below) recomputes them.
        typer.echo(say("followups.stale", lang_of(ctx)), err=True)
    if fmt == "json":
        sys.stdout.write(followups_json(rows))
        sys.stdout.write("\n")
        return
    if not rows:
        typer.echo(say("followups.none", lang, status=status))
        return
    # Plain lines, not a grid: the explanation is long, and terminals are narrow.
    for r in rows:
        head = "  ".join(
            (
                f"#{r.contact_id}",
                f"{term('target', r.status, lang):<8}",
                # As the explanation below writes it (a working-day due at local
                # midnight is the day before's 24:00), with the year when it is not near:
                # "due 1 Apr" seen in November read like the coming April.
                say(
                    "followups.due",
                    lang,
                    when=fmt_moment(
                        r.due_at, year=needs_year(r.due_at, moment), midnight_as_24=True, lang=lang
                    ),
                ),
                term("channel", r.channel, lang),
                safe(r.party or "-"),
                f"[{safe(r.case_ref or say('followups.triage', lang))}]",
                safe(r.rule),
            )
        )
        typer.echo(head)
        typer.echo(f"    {safe(r.explanation)}")


def ack_cmd(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(metavar="CONTACT_ID")],
    note: Annotated[str | None, typer.Option("--note", help="What was said or done.")] = None,
    rule: Annotated[
        str | None,
        typer.Option("--rule", help="Only this rule's target (e.g. whistleblower-feedback)."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="When it was acknowledged, DD-MM-YYYY HH:MM (default: now)."),
    ] = None,
) -> None:
    """Mark a contact acknowledged: its open reply targets (and the party's earlier
    pending ones) are met. Written to the audit log.

    Examples:
      borgerdesk ack 1234 --note "Called back, answer next week"
      borgerdesk ack 77 --rule whistleblower-feedback --note "Feedback letter sent"
    """
    actx: AppContext = ctx.obj
    cid = _positive_id(contact_id)
    when = parse_now(at, "--at") if at is not None else None
    from store.db import write_scope  # after the arguments: a bad one fails as fast as --help
    from store.replies import ack

    with write_scope(actx.engine) as session:
        res = ack(
            session=session, config=actx.config, contact_id=cid, note=note, rule=rule, at=when
        )
    typer.echo(
        say("ack.done", lang_of(ctx), id=cid, n=len(res.target_ids), rules=", ".join(res.rules))
    )


def no_reply_cmd(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(metavar="CONTACT_ID")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why no reply is needed (required).")
    ] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule's target.")] = None,
) -> None:
    """Mark a contact "no reply needed", with a reason; written to the audit log.

    Example:
      borgerdesk no-reply 1234 --reason "Thank-you mail, nothing to answer"
    """
    actx: AppContext = ctx.obj
    cid = _positive_id(contact_id)
    if reason is None or not reason.strip():
        raise UserError("no-reply needs a reason: --reason TEXT (it goes into the audit log)")
    from store.db import write_scope  # after the arguments: a bad one fails as fast as --help
    from store.replies import no_reply

    with write_scope(actx.engine) as session:
        res = no_reply(
            session=session, config=actx.config, contact_id=cid, reason=reason, rule=rule
        )
    typer.echo(say("no_reply.done", lang_of(ctx), id=cid, n=len(res.target_ids)))


def compliance_cmd(
    ctx: typer.Context,
    period_text: Annotated[str | None, typer.Option("--period", help=PERIOD_HELP)] = None,
    year: Annotated[int | None, typer.Option("--year", help="Calendar year.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (inclusive).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (inclusive).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table|json|xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="File for --format xlsx.")] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="'Overdue now' at this time, DD-MM-YYYY HH:MM.")
    ] = None,
) -> None:
    """Per reply rule, for targets received in the period: targets, met in time, met
    late, waived, still open, overdue now, and the median and 90th percentile time to
    reply in working hours.

    Examples:
      borgerdesk compliance --year 2024
      borgerdesk compliance --period 2024/25
      borgerdesk compliance --from 2023-10-01 --to 2024-09-30 --format json
      borgerdesk compliance --year 2024 --format xlsx --out svarfrister-2024.xlsx
    """
    from store.counts.render import Heading
    from store.counts.words import number, word
    from store.db import session_scope
    from store.replies.compliance import compliance, headers, table_rows, write_xlsx

    actx: AppContext = ctx.obj
    if fmt not in ("table", "json", "xlsx"):
        raise UserError(f"--format {fmt!r}: use table, json or xlsx")
    if fmt == "xlsx" and out is None:
        raise UserError("--format xlsx needs --out FILE.xlsx")
    if out is not None and fmt != "xlsx":
        raise UserError("--out is only for --format xlsx")
    if out is not None and not out.parent.exists():
        raise UserError(f"--out {out}: folder {out.parent} does not exist")
    if out is not None:
        check_output(out, label="--out ", suffixes=(".xlsx",))
    a, b = period(year, start, end, period_text, config=actx.config)
    head = Heading.of(actx.config, a, b)
    lang = head.lang
    moment = parse_now(now)
    with session_scope(actx.engine) as session:
        rows = compliance(session=session, config=actx.config, start=a, end=b, now=moment)
    if fmt == "json":
        data = {"from": a.isoformat(), "to": b.isoformat(), "rules": [r.to_json() for r in rows]}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "xlsx":
        assert out is not None
        write_xlsx(rows, out, head=head)
        typer.echo(say("wrote", lang, path=safe(str(out))))
        return
    lines = [headers(lang)] + [
        [safe(str(line[0]))]
        + [
            "–" if v is None else number(v, lang) if isinstance(v, float) else str(v)
            for v in line[1:]
        ]
        for line in table_rows(rows)
    ]
    widths = [max(len(x[i]) for x in lines) for i in range(len(lines[0]))]
    typer.echo(f"{word('c.title', lang)}, {head.period}")
    for x in lines:
        typer.echo(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(x, widths, strict=True))
            )
        )


replies_app = typer.Typer(help="Reply-target maintenance.", no_args_is_help=True)


@replies_app.command("recompute")
def recompute_cmd(ctx: typer.Context) -> None:
    """Recompute every stored due time after [replies] rules or closed days changed.

    Example: borgerdesk replies recompute
    """
    from store.db import write_scope
    from store.replies import recompute

    actx: AppContext = ctx.obj
    with write_scope(actx.engine) as session:
        rep = recompute(session=session, config=actx.config)
    lang = lang_of(ctx)
    typer.echo(say("recompute.done", lang, scanned=rep.scanned, changed=rep.changed))
    for rule, n in sorted(rep.orphaned.items()):
        typer.echo(say("recompute.orphaned", lang, n=n, rule=rule))


def register(app: typer.Typer) -> None:
    app.command("followups")(followups)
    app.command("ack")(ack_cmd)
    app.command("no-reply")(no_reply_cmd)
    app.command("compliance")(compliance_cmd)
    app.add_typer(replies_app, name="replies")
