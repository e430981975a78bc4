"""`borgerdesk tui` (and plain `borgerdesk`): the terminal UI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk import checked_config
from borgerdesk.context import AppContext

if TYPE_CHECKING:
    from store.desk import Desk
    from store.desk.replies import ReplyDesk
    from tui.app import DeskApp


def tui(
    ctx: typer.Context,
    demo: Annotated[
        bool, typer.Option(help="Show a DEMO mark (used by 'borgerdesk demo').")
    ] = False,
) -> None:
    """Open the terminal UI on the configured database.

    \b
    Examples:
      borgerdesk
      borgerdesk --db sqlite:///./desk.sqlite3 tui
    """
    actx: AppContext = ctx.obj
    app = _quick_start(actx, demo)
    if app is None:  # PostgreSQL, or a SQLite store the quick path does not take
        # Textual is imported here, not at module level: headless commands never load it.
        from ingest.mail.reply_send import send_reply
        from store.desk import Desk
        from store.desk.replies import ReplyDesk
        from tui.app import DeskApp

        config = checked_config.check(actx)
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
    SQLAlchemy and the ORM are loaded: Indbakke's first page is read with
    sqlite3 (`store.desk.first_page`), and the Desk is loaded in a thread after the first
    frame (`store.desk.late.LateDesk`). The full checks of `actx.engine` run there; should
    one fail, the UI ends and the error is said as usual. A config that passed the checks
    before, unchanged, is checked there too (`borgerdesk.checked_config`); any other is
    checked here, first. None: take the full path."""
    from store.desk import first_page
    from store.desk.late import LateDesk
    from tui.app import DeskApp

    seen = checked_config.remembered(actx)
    config = None
    if seen is None:
        config = checked_config.check(actx)  # a bad one ends here, before the UI
        checked_config.remember(actx, config)
        seen = checked_config.Checked(config.language, dict(config.ui.keymap), config.database.url)
    url, _source = actx.database_setting_for(lambda: (seen.database_url, None))
    con = first_page.connect(url)
    if con is None:
        return None
    replies: ReplyDesk | None = None

    def load(clock: Callable[[], dt.datetime]) -> Desk:
        from ingest.mail.reply_send import send_reply  # (loaded here, not on a key)
        from store.desk import Desk
        from store.desk.replies import ReplyDesk

        cfg = config if config is not None else checked_config.check(actx)
        engine = actx.engine
        nonlocal replies
        replies = ReplyDesk(engine, cfg, send=lambda i: send_reply(engine, cfg, i))
        return Desk(engine, cfg, clock=clock)

    def the_replies() -> ReplyDesk:
        late.result()
        assert replies is not None
        return replies

    late = LateDesk(config, con, load, language=seen.language, keymap=seen.keymap)
    return DeskApp(late, replies=the_replies, demo=demo)


def register(app: typer.Typer) -> None:
    app.command("tui")(tui)
