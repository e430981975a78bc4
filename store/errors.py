"""The project's exceptions: one base, and two kinds that callers treat differently.

- `UserError`: the user can fix it (a config key, a file, a command to run first). The
  CLI prints its one line on stderr and exits 2.
- `OperationError`: an operation failed for a reason outside the user's input (a crashed
  child process, a lost connection); running it again may succeed. The CLI prints its one
  line and exits 1.

Both messages are one English line (the CLI's and the logs' language) saying what, where
and what to do. A problem the desk can run into also carries a `code` and the values in
it, so the UI can say it in its own language (`tui.i18n.error_text`) without the store
knowing about languages.

`one_line` is the one way any failure becomes a line for a person (the CLI, the daemon's
logs and source health, the desk's notices): never a traceback, never a SQL statement or
its parameters (which list other rows' values, e.g. every party name of a batch).
"""

from __future__ import annotations


class BorgerdeskError(Exception):
    """A problem phrased as one line, with an optional code and values for translation."""

    def __init__(self, message: str, *, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class UserError(BorgerdeskError):
    """A problem the user can fix, phrased as one line."""


class OperationError(BorgerdeskError):
    """An operation failed for a reason the user's input did not cause; retry later."""


MAX_LINE = 300


def one_line(exc: BaseException) -> str:
    """One line about `exc`: our own errors' message; a database error's kind and
    the driver's first line (no statement, no parameters, no DETAIL with key values);
    anything else its type and first line, e-mail addresses and numbers masked. At
    most MAX_LINE characters."""
    if isinstance(exc, BorgerdeskError):
        text = str(exc)
    else:
        from sqlalchemy.exc import StatementError

        from store.addresses import redact

        if isinstance(exc, StatementError):
            cause = exc.orig if isinstance(exc.orig, BaseException) else exc
            text = f"database error: {type(cause).__name__}: {driver_line(exc)}"
        else:
            text = f"{type(exc).__name__}: {driver_line(exc)}"
        text = redact(text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


# A cell longer than this, or with control characters, is not shown in an error: it is
# not what the file's author typed there but other content (a header "cell" of
# `import-calls /proc/self/environ` was the whole environment, secrets included).
MAX_SHOWN_CELL = 40


def shown_cell(value: str) -> str:
    """A header cell or name from a file, for an error line: quoted when it is short,
    printable text; otherwise only its length."""
    if len(value) > MAX_SHOWN_CELL or not value.isprintable():
        return f"<a {len(value):,}-character cell>"
    return repr(value)


def driver_line(exc: BaseException) -> str:
    """The first line of what the database driver (or the exception itself) said: for a
    SQLAlchemy error its DBAPI cause's message, which holds neither the statement nor
    its parameters (PostgreSQL's DETAIL with key values is on later lines)."""
    from sqlalchemy.exc import StatementError

    cause = exc.orig if isinstance(exc, StatementError) else exc
    if not isinstance(cause, BaseException):
        return type(exc).__name__
    text = str(cause).strip()
    return text.splitlines()[0][:200] if text else type(cause).__name__


class Problem(str):
    """One validation problem: its English text (what import reports and the CLI list),
    with a code and values for a translated message. A `str`, so lists of problems
    print, join and compare as before."""

    code: str
    params: dict[str, object]

    def __new__(cls, text: str, code: str, **params: object) -> Problem:
        self = super().__new__(cls, text)
        self.code = code
        self.params = params
        return self

    def error(self) -> UserError:
        return UserError(str(self), code=self.code, **self.params)
