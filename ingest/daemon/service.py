"""`borgerdesk install-service`: a systemd user unit that runs the daemon.

A user unit (not a system one): the daemon needs the advisor's keyring and config, and
runs as the advisor. `loginctl enable-linger` keeps it running when nobody is logged in.

A database URL with a password (PostgreSQL) goes into neither the unit (0644, readable
by every user) nor the daemon's arguments (`ps` shows them to every user): it is written
to a 0600 environment file that the unit names (`EnvironmentFile=`), and the daemon reads
it as BORGERDESK_DATABASE_URL.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from store.errors import UserError
from store.outfile import atomic_output

UNIT_NAME = "borgerdesk-daemon.service"
ENV_NAME = "BORGERDESK_DATABASE_URL"


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config"))


def user_unit_dir() -> Path:
    return _config_home() / "systemd" / "user"


def env_file_path() -> Path:
    """The daemon's private environment file (holds a database password)."""
    return _config_home() / "borgerdesk" / "daemon.env"


def has_password(database_url: str | None) -> bool:
    return database_url is not None and make_url(database_url).password is not None


def render_env_file(database_url: str) -> str:
    """systemd's EnvironmentFile syntax: a double-quoted value, backslash and quote
    escaped (no variable or specifier expansion happens there)."""
    value = database_url.replace("\\", "\\\\").replace('"', '\\"')
    return f"# Written by 'borgerdesk install-service'. Keep it 0600.\n{ENV_NAME}=\"{value}\"\n"


def console_script() -> str:
    """The absolute path of the installed `borgerdesk` script, so the unit does not
    depend on PATH (systemd's user PATH rarely includes ~/.local/bin or a venv)."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "borgerdesk" and argv0.exists():
        return str(argv0.resolve())
    found = shutil.which("borgerdesk")
    if found:
        return str(Path(found).resolve())
    raise UserError(
        "cannot find the installed 'borgerdesk' script; install borgerdesk "
        "(e.g. 'uv tool install .') and run install-service from it"
    )


def render_unit(
    *,
    exe: str,
    config_file: Path | None,
    database_url: str | None,
    log_file: Path | None,
    env_file: Path | None = None,
) -> str:
    """The unit; with `env_file` the database URL is read from there, not given here."""
    args = [exe]
    if config_file is not None:
        args += ["--config", str(config_file.resolve())]
    if database_url is not None and env_file is None:
        args += ["--db", database_url]
    args.append("daemon")
    cmd = " ".join(shlex.quote(a) for a in args)
    note = f"# Also logs to {log_file}\n" if log_file else ""
    if env_file is not None:
        # "%" starts a specifier in unit files; "-" is not used: a missing file must
        # stop the daemon rather than let it fall back to another database.
        note += f"EnvironmentFile={str(env_file).replace('%', '%%')}\n"
    return f"""# Written by 'borgerdesk install-service'. Re-run it to update this file.
[Unit]
Description=borgerdesk ingestion daemon (mail, phone logs, reply alerts)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart={cmd}
{note}# SIGTERM lets the running batch commit; the daemon exits within 10 s.
KillSignal=SIGTERM
TimeoutStopSec=20
Restart=on-failure
RestartSec=30
# Exit 2 is a configuration error (the message is in the journal); restarting won't fix it.
RestartPreventExitStatus=2
UMask=0077
NoNewPrivileges=yes

[Install]
WantedBy=default.target
"""


def install_unit(
    *,
    config_file: Path | None,
    database_url: str | None,
    log_file: Path | None,
    force: bool,
    exe: str | None = None,
) -> Path:
    path = user_unit_dir() / UNIT_NAME
    env_file = env_file_path() if has_password(database_url) else None
    text = render_unit(
        exe=exe or console_script(),
        config_file=config_file,
        database_url=database_url,
        log_file=log_file,
        env_file=env_file,
    )
    if path.exists() and not force and path.read_text(encoding="utf-8") != text:
        raise UserError(f"{path}: a different unit is already installed; add --force to replace it")
    if env_file is not None and database_url is not None:
        env_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with atomic_output(env_file, mode=0o600) as tmp:
            tmp.write_text(render_env_file(database_url), encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unit files are read by systemd's user manager; this one holds no secret.
    with atomic_output(path, mode=0o644) as tmp:
        tmp.write_text(text, encoding="utf-8")
    if env_file is None:
        # A password from an earlier install that the unit no longer uses.
        env_file_path().unlink(missing_ok=True)
    return path
