"""`borgerdesk tui` (and plain `borgerdesk`): the terminal UI."""

from __future__ import annotations

from typing import Annotated

import typer

from borgerdesk.context import AppContext
from store.errors import UserError


def tui(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option(help="Show a DEMO mark (used by 'borgerdesk demo').")]
    = False,
) -> None:
    """Open the terminal UI on the configured database.

    \b
    Examples:
      borgerdesk
      borgerdesk --db sqlite:///./desk.sqlite3 tui
    """
    actx: AppContext = ctx.obj
    config = actx.config
    # Textual is imported here, not at module level: headless commands never load it.
    from tui.keymap import check_keymap

    problem = check_keymap(config.ui.keymap)
    if problem:
        source = actx.config_file or "<default config>"
        raise UserError(f"{source}: {problem}; fix the config file and run again")
    from ingest.mail.reply_send import send_reply
    from store.desk import Desk
    from store.desk.replies import ReplyDesk
    from tui.app import DeskApp

    engine = actx.engine
    replies = ReplyDesk(engine, config, send=lambda i: send_reply(engine, config, i))
    DeskApp(Desk(engine, config), replies=replies, demo=demo).run()


def register(app: typer.Typer) -> None:
    app.command("tui")(tui)
