"""`borgerdesk tui` (and plain `borgerdesk`): the terminal UI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.context import AppContext
from store.errors import UserError

if TYPE_CHECKING:
    from store.desk import Desk
    from store.desk.replies import ReplyDesk
    from tui.app import DeskApp


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
    from tui.app import DeskApp

    app = _quick_start(actx, demo)
    if app is None:  # PostgreSQL, or a SQLite store the quick path does not take
        from ingest.mail.reply_send import send_reply
        from store.desk import Desk
        from store.desk.replies import ReplyDesk

        engine = actx.engine
        replies = ReplyDesk(engine, config, send=lambda i: send_reply(engine, config, i))
        app = DeskApp(Desk(engine, config), replies=replies, demo=demo)
    app.run()
    late = app.late
    error = late.error() if late is not None else None
    if error is not None:
        raise error


def _quick_start(actx: AppContext, demo: bool) -> DeskApp | None:
    """The desk on a SQLite store at the current migration, its first frame drawn before
    SQLAlchemy and the ORM are loaded (issue 20): Indbakke's first page is read with
    sqlite3 (`store.desk.first_page`), and the Desk is loaded in a thread after the first
    frame (`store.desk.late.LateDesk`). The full checks of `actx.engine` run there; should
    one fail, the UI ends and the error is said as usual. None: take the full path."""
    from store.desk import first_page
    from store.desk.late import LateDesk
    from tui.app import DeskApp

    url, _source = actx.database_setting
    con = first_page.connect(url)
    if con is None:
        return None
    config = actx.config
    replies: ReplyDesk | None = None

    def load(clock: Callable[[], dt.datetime]) -> Desk:
        from ingest.mail.reply_send import send_reply  # (loaded here, not on a key)
        from store.desk import Desk
        from store.desk.replies import ReplyDesk

        engine = actx.engine
        nonlocal replies
        replies = ReplyDesk(engine, config, send=lambda i: send_reply(engine, config, i))
        return Desk(engine, config, clock=clock)

    def the_replies() -> ReplyDesk:
        late.result()
        assert replies is not None
        return replies

    late = LateDesk(config, con, load)
    return DeskApp(late, replies=the_replies, demo=demo)


def register(app: typer.Typer) -> None:
    app.command("tui")(tui)
