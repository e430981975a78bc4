"""Secrets (IMAP and SMTP passwords, OAuth token caches): never in the config, never in a log.

A password is looked up, in order, in
1. the OS keyring (service "borgerdesk", key e.g. "mail:<account>"), set with
   `borgerdesk mail set-password NAME`;
2. the environment variable named by `password_env`;
3. the file named by `password_file`, which must be a regular file of mode 0600 (or
   stricter) owned by the current user: anything wider is refused, not used.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from store.errors import UserError
from store.infile import printable, read_input

SERVICE = "borgerdesk"


class SecretError(UserError):
    """A secret is missing or stored unsafely."""


def _keyring_get(key: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        return keyring.get_password(SERVICE, key)
    except KeyringError:
        # No usable backend (a headless server): fall through to env and file.
        return None
    except Exception:
        # Some backends raise their own errors (e.g. a locked D-Bus secret service).
        return None


def keyring_set(key: str, value: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, key, value)
        kept = keyring.get_password(SERVICE, key) == value
    except KeyringError as e:
        raise SecretError(
            f"cannot store the secret in the OS keyring ({type(e).__name__}); "
            "use password_env or a 0600 password_file instead"
        ) from None
    if not kept:
        # e.g. the "null" backend accepts and forgets: never claim it was stored.
        backend = type(keyring.get_keyring()).__name__
        raise SecretError(
            f"the OS keyring ({backend}) did not keep the secret; use password_env or a "
            "0600 password_file instead"
        )


# A password or an OAuth token cache is a few kilobytes; a file much larger is the wrong
# file, and is refused rather than read into memory.
MAX_SECRET_FILE = 1 << 20


def read_private_file(path: Path, *, what: str = "password_file") -> str:
    """The text of a 0600 regular file owned by this user; refuses anything looser, and
    anything that is not a regular file (a FIFO would hang the daemon, a device would be
    read without end), in one line. Read through the one input reader, which checks the
    open file itself."""
    name = printable(str(path))

    def private(st: os.stat_result) -> None:
        if st.st_mode & 0o077:
            raise SecretError(
                f"{name}: {what} has mode {stat.S_IMODE(st.st_mode):04o}, readable by "
                f"others; it must be 0600 (run: chmod 600 {name})"
            )
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise SecretError(f"{name}: {what} must be owned by the user running borgerdesk")

    try:
        data = read_input(path, limit=MAX_SECRET_FILE, check=private)
        return data.decode("utf-8")
    except SecretError:
        raise
    except UserError as e:
        raise SecretError(f"{what}: {e}") from None
    except UnicodeDecodeError:
        raise SecretError(f"{name}: {what} is not UTF-8 text; write it as UTF-8") from None


def read_secret_file(path: Path) -> str:
    """The first line of a 0600 file owned by this user; refuses anything looser."""
    text = read_private_file(path).splitlines()
    value = text[0].strip() if text else ""
    if not value:
        raise SecretError(f"{printable(str(path))}: password_file is empty")
    return value


def get_secret(
    key: str,
    *,
    env: str | None = None,
    file: Path | None = None,
    what: str = "password",
) -> str:
    """The secret for `key` from the keyring, then `env`, then `file`.

    Raises `SecretError` (one line, saying where it looked) when none has it. The value is
    never logged or put into an exception message.
    """
    value = _keyring_get(key)
    if value:
        return value
    if env:
        value = os.environ.get(env)
        if value:
            return value
    if file is not None:
        return read_secret_file(Path(file).expanduser())
    tried = ["the OS keyring"]
    if env:
        tried.append(f"${env}")
    raise SecretError(
        f"no {what} for {key!r}: looked in {' and '.join(tried)}; set one with "
        f"'borgerdesk mail set-password {key.split(':', 1)[-1]}', password_env or a 0600 "
        "password_file"
    )


def mail_key(account: str) -> str:
    return f"mail:{account}"


def oauth_cache_key(account: str) -> str:
    return f"oauth-cache:{account}"
