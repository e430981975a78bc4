"""The error type every user-facing problem derives from.

The CLI turns a `UserError` into one line on stderr and exit code 2, never a traceback.
The message says what is wrong, where (file, line, field) and what to do.

The message is English (the CLI's and the logs' language). A problem the desk can run
into also carries a `code` and the values in it, so the UI can say it in its own
language (`tui.i18n.error_text`) without the store knowing about languages.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix, phrased as one line."""

    def __init__(self, message: str, *, code: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


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
