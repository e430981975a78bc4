"""The `borgerdesk` console script.

Every `UserError`, and every fault that is nobody's bug (`borgerdesk.faults`), becomes
one line on stderr and exit code 2; an `OperationError` (it failed, not the input) one
line and exit code 1; ctrl-c is exit code 130 without a traceback. This
module imports nothing but `sys` at its top: the app and its commands take a couple of
seconds to import, and an interrupt during that time must be caught like any other.
"""

from __future__ import annotations

import os
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
    import typer
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    from borgerdesk import app as app_module
    from store.errors import OperationError, UserError

    try:
        # Not standalone: click would print a usage error as four lines, and its
        # "Aborted!" for an unanswered prompt.
        # prog_name: completion scripts and usage lines name the script, however it was run.
        code = app_module.app(args=argv, prog_name="borgerdesk", standalone_mode=False)
    except NoArgsIsHelpError as e:  # `borgerdesk db`: the group's help is the answer
        e.show()
        sys.exit(e.exit_code)
    except UsageError as e:
        # The command path starts with the program name (`python -m borgerdesk`: __main__).
        path = " ".join(e.ctx.command_path.split()[1:]) if e.ctx else ""
        where = f"{path}: " if path else ""
        help_ = " ".join(["borgerdesk", path, "--help"]) if path else "borgerdesk --help"
        _fail(f"{where}{e.format_message()} (see '{help_}')", e.exit_code)
    except ClickException as e:
        _fail(e.format_message(), e.exit_code)
    except typer.Abort:
        _fail("aborted; nothing was changed", 1)
    except UserError as e:
        _fail(str(e))
    except OperationError as e:  # not the input's fault: running it again may succeed
        _fail(str(e), 1)
    except BrokenPipeError:
        # The reader went away (`borgerdesk audit | head`): nobody is left to tell.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as e:
        from borgerdesk.faults import explain  # imports SQLAlchemy: only on a failure

        line = explain(e, _database_url(app_module.current))
        if line is None:
            raise
        _fail(line)
    sys.exit(code if isinstance(code, int) else 0)


LINE_LIMIT = 1000


def _fit(line: str) -> str:
    """A line a terminal can show: a message quoting a 100,000-character argument keeps
    its start (what is wrong) and its end (what to do), cut in the middle."""
    if len(line) <= LINE_LIMIT:
        return line
    return f"{line[: LINE_LIMIT // 2]} … {line[-LINE_LIMIT // 3 :]}"


def _fail(message: str, code: int = 2) -> None:
    # Messages quote what the user gave (file names, arguments) and what files hold:
    # their control characters must not reach the terminal. (Line breaks separate the
    # problems an import lists.)
    from store.plaintext import safe

    text = "\n".join(_fit(safe(line)) for line in message.splitlines())
    print(f"borgerdesk: error: {text}", file=sys.stderr)
    sys.exit(code)


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
