"""`borgerdesk team init|add-user|remove-user|list`: the people of a team desk on
PostgreSQL. Run as the role that owns the borgerdesk tables (the one that ran
`db upgrade`), which needs CREATEROLE."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.ask import ask_new_secret
from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, say
from store.errors import UserError

# The store comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for the database layer.
if TYPE_CHECKING:
    from sqlalchemy import Engine

team_app = typer.Typer(help="People and roles of a team desk (PostgreSQL).", no_args_is_help=True)

PASSWORD_ENV = "BORGERDESK_TEAM_PASSWORD"


def _engine(ctx: typer.Context) -> Engine:
    from store.team.roles import require_postgres as _require_postgres

    actx: AppContext = ctx.obj
    _require_postgres(actx.database_url)  # before a SQLite file is opened or created
    return actx.engine


@team_app.command("init")
def team_init(ctx: typer.Context) -> None:
    """Create the group roles, their grants and the whistleblower compartment's policies
    on a migrated database. Safe to run again (after each 'db upgrade').

    Example: borgerdesk team init
    """
    from store.team.roles import init_team

    changed = init_team(_engine(ctx))
    typer.echo(say("team.set_up" if changed else "team.already_set_up", lang_of(ctx)))


@team_app.command("add-user")
def team_add_user(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's database role, e.g. anne_m.")],
    role: Annotated[str, typer.Option(help="advisor, whistleblower, admin or daemon.")],
    no_password: Annotated[
        bool,
        typer.Option(
            "--no-password", help="No password: the server authenticates by peer or certificate."
        ),
    ] = False,
) -> None:
    """Add a person as a login role in a group role, or move her to another one.

    The password is read from BORGERDESK_TEAM_PASSWORD or asked for (never an
    argument); only its SCRAM verifier reaches the server.

    Example: borgerdesk team add-user anne_m --role advisor
    """
    from store.team.roles import RoleChoice, add_user
    from store.team.roles_sql import GROUPS

    engine = _engine(ctx)
    if role not in GROUPS:  # before the password prompt
        raise UserError(f"--role {role!r}: choose one of {', '.join(GROUPS)}")
    lang = lang_of(ctx)
    password: str | None = None
    if not no_password:
        password = os.environ.get(PASSWORD_ENV) or ask_new_secret(
            say("team.password", lang, name=name), say("team.password_again", lang, name=name), lang
        )
    role_: RoleChoice = role  # type: ignore[assignment]
    outcome = add_user(engine, name, role_, password)
    typer.echo(say(f"team.{outcome}", lang, name=name, role=role))


@team_app.command("remove-user")
def team_remove_user(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's database role.")],
) -> None:
    """Remove a person's login role; her desk can no longer connect. Her audit entries stay.

    Example: borgerdesk team remove-user anne_m
    """
    from store.team.roles import remove_user

    outcome = remove_user(_engine(ctx), name)
    typer.echo(
        say(
            "team.removed" if outcome == "removed" else "team.already_removed",
            lang_of(ctx),
            name=name,
        )
    )


@team_app.command("list")
def team_list(ctx: typer.Context) -> None:
    """List the team's people and their roles.

    Example: borgerdesk team list
    """
    from store.team.roles import members

    for m in members(_engine(ctx)):
        typer.echo(f"{m.name}\t{m.role}")


def register(app: typer.Typer) -> None:
    app.add_typer(team_app, name="team")
