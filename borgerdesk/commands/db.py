"""`borgerdesk db upgrade|current`."""

from __future__ import annotations

import typer

from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, say

# store.db comes in inside each command: typer imports this module to read the arguments,
# and a usage error or --help must not pay for the database layer.

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database to this version's schema.

    Example: borgerdesk db upgrade
    """
    from store.db import head_revision, upgrade

    actx: AppContext = ctx.obj
    upgrade(actx.database_url)
    typer.echo(say("db.upgraded", lang_of(ctx), rev=head_revision()))


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's migration level and this version's.

    Example: borgerdesk db current
    """
    from store.db import NotSetUp, current_revision, head_revision, make_engine

    actx: AppContext = ctx.obj
    lang = lang_of(ctx)
    not_set_up = say("db.not_set_up", lang)
    try:
        engine = make_engine(actx.database_url, create_file=False)
    except NotSetUp:  # an empty file: say so, as for an unmigrated one, without writing
        typer.echo(say("db.current", lang, rev=not_set_up, head=head_revision()))
        return
    try:
        typer.echo(
            say(
                "db.current", lang, rev=current_revision(engine) or not_set_up, head=head_revision()
            )
        )
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
