"""`borgerdesk install-service`: a systemd user unit that runs the daemon.

A user unit (not a system one): the daemon needs the advisor's keyring and config, and
runs as the advisor. `loginctl enable-linger` keeps it running when nobody is logged in.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from store.errors import UserError

UNIT_NAME = "borgerdesk-daemon.service"


def user_unit_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


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
    *, exe: str, config_file: Path | None, database_url: str | None, log_file: Path | None
) -> str:
    args = [exe]
    if config_file is not None:
        args += ["--config", str(config_file.resolve())]
    if database_url is not None:
        args += ["--db", database_url]
    args.append("daemon")
    cmd = " ".join(shlex.quote(a) for a in args)
    note = f"# Also logs to {log_file}\n" if log_file else ""
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
    text = render_unit(
        exe=exe or console_script(),
        config_file=config_file,
        database_url=database_url,
        log_file=log_file,
    )
    if path.exists() and not force and path.read_text(encoding="utf-8") != text:
        raise UserError(f"{path}: a different unit is already installed; add --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
