"""The `borgerdesk` console script.

Every `UserError`, and every fault that is nobody's bug (`borgerdesk.faults`), becomes
one line on stderr and exit code 2; ctrl-c is exit code 130 without a traceback. This
module imports nothing but `sys` at its top: the app and its commands take a couple of
seconds to import, and an interrupt during that time must be caught like any other.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from borgerdesk.context import AppContext


def main(argv: list[str] | None = None) -> None:
    try:
        _run(argv)
    except KeyboardInterrupt:
        print("borgerdesk: interrupted", file=sys.stderr)
        sys.exit(130)


def _run(argv: list[str] | None) -> None:
    from borgerdesk import app as app_module
    from borgerdesk.faults import explain
    from store.errors import UserError

    try:
        app_module.app(args=argv, standalone_mode=True)
    except UserError as e:
        _fail(str(e))
    except Exception as e:
        line = explain(e, _database_url(app_module.current))
        if line is None:
            raise
        _fail(line)


def _fail(line: str) -> None:
    print(f"borgerdesk: error: {line}", file=sys.stderr)
    sys.exit(2)


def _database_url(actx: AppContext | None) -> str | None:
    """The command's database URL, if it can be worked out (it may be the failure)."""
    if actx is None:
        return None
    try:
        return actx.database_url
    except Exception:
        return None


def __getattr__(name: str) -> Any:
    # `borgerdesk.cli.app` stays the typer app for tools and tests that walk it.
    if name == "app":
        from borgerdesk.app import app

        return app
    raise AttributeError(name)
