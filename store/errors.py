"""The project's exceptions: one base, and two kinds that callers treat differently.

- `UserError`: the user can fix it (a config key, a file, a command to run first). The
  CLI prints its one line on stderr and exits 2.
- `OperationError`: an operation failed for a reason outside the user's input (a crashed
  child process, a lost connection); running it again may succeed. The CLI prints its one
  line and exits 1.

Both messages are one English line (the CLI's and the logs' language) saying what, where
and what to do. A problem the desk can run into also carries a `code` and the values in
it, so the UI can say it in its own language (`tui.i18n.error_text`) without the store
knowing about languages. Anything else that escapes is a bug.
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
