"""The error type every user-facing problem derives from.

The CLI turns a `UserError` into one line on stderr and exit code 2, never a traceback.
The message says what is wrong, where (file, line, field) and what to do.
"""


class UserError(Exception):
    """A problem the user can fix, phrased as one line."""
