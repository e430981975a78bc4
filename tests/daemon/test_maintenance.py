"""Nightly maintenance: an online SQLite backup while another process writes, with
rotation; and the systemd user unit."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

from ingest.daemon.backup import backup_into
from store.db import make_engine, sqlite_path
from tests.daemon.helpers import add_target

WRITER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
con.execute("CREATE TABLE IF NOT EXISTS churn (id INTEGER PRIMARY KEY, v TEXT)")
end = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < end:
    con.execute("BEGIN IMMEDIATE")
    con.executemany("INSERT INTO churn (v) VALUES (?)", [("x" * 200,)] * 50)
    con.execute("COMMIT")
    n += 1
print(n)
"""


def test_online_backup_while_writing_and_rotation(sqlite_url: str, tmp_path: Path) -> None:
    # SQLite: the nightly backup copies the file (PostgreSQL is backed up with pg_dump).
    engine = make_engine(sqlite_url)
    db = sqlite_path(sqlite_url)
    assert db is not None
    t0 = dt.datetime(2024, 3, 4, 1, 30, tzinfo=dt.UTC)
    for i in range(200):
        add_target(engine, received=t0, due=t0, due_soon=t0, ref=f"m{i}")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), "4"], stdout=subprocess.PIPE, text=True
    )
    time.sleep(0.5)
    out = tmp_path / "backups"
    made = []
    for night in range(5):
        made.append(backup_into(f"sqlite:///{db}", out, keep=3, now=t0 + dt.timedelta(days=night)))
    writer_out, _ = writer.communicate(30)
    assert writer.returncode == 0 and int(writer_out) > 0
    left = sorted(out.glob("borgerdesk-*.sqlite3"))
    assert left == made[-3:]  # the three newest
    assert not list(out.glob(".*tmp"))
    for p in left:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        con = sqlite3.connect(p)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM reply_target").fetchone()[0] == 200
        con.close()
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    engine.dispose()


def test_install_service_writes_a_user_unit(cli, tmp_path: Path, sqlite_url: str) -> None:  # type: ignore[no-untyped-def]
    # SQLite: a URL without a password goes on ExecStart (the next test: PostgreSQL's).
    cfg = tmp_path / "c.toml"
    cfg.write_text('municipality = "X"\n')
    exe = Path(sys.executable).with_name("borgerdesk")
    # The installed script is what the unit runs; in-process tests run from pytest.
    sys_argv0 = sys.argv[0]
    sys.argv[0] = str(exe)
    try:
        r = cli("--config", str(cfg), "--db", sqlite_url, "install-service")
        assert r.code == 0, r.err
        unit = tmp_path / "home" / ".config" / "systemd" / "user" / "borgerdesk-daemon.service"
        text = unit.read_text()
        assert (
            f"ExecStart={exe.resolve()} --config {cfg.resolve()} --db {sqlite_url} daemon" in text
        )
        assert "KillSignal=SIGTERM" in text and "WantedBy=default.target" in text
        assert "systemctl --user enable --now borgerdesk-daemon" in r.out
        assert "aktivér og start den med:" in r.out  # Danish by default
        # Re-running with the same settings is fine; different settings need --force.
        assert cli("--config", str(cfg), "--db", sqlite_url, "install-service").code == 0
        r = cli("--config", str(cfg), "install-service")
        assert r.code == 2 and "--force" in r.err
        assert cli("--config", str(cfg), "install-service", "--force").code == 0
        assert "--db" not in unit.read_text()
    finally:
        sys.argv[0] = sys_argv0
    if Path("/usr/bin/systemd-analyze").exists():
        res = subprocess.run(
            ["systemd-analyze", "verify", "--user", str(unit)], capture_output=True, text=True
        )
        assert "borgerdesk-daemon.service" not in res.stderr or res.returncode == 0, res.stderr


def test_install_service_keeps_the_database_password_private(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    """The password in a PostgreSQL URL is in no file others can read, not in the unit
    and not in the daemon's arguments: a 0600 EnvironmentFile carries it."""
    secret = "s3cr3t-Pw%x"
    url = f"postgresql://advisor:{secret}@db.example.dk/borgerdesk"
    cfg = tmp_path / "c.toml"
    cfg.write_text('municipality = "X"\n')
    home = tmp_path / "home"
    sys_argv0 = sys.argv[0]
    sys.argv[0] = str(Path(sys.executable).with_name("borgerdesk"))
    old = os.umask(0o022)
    try:
        r = cli("--config", str(cfg), "--db", url.replace("%", "%25"), "install-service")
        assert r.code == 0, r.err
    finally:
        os.umask(old)
        sys.argv[0] = sys_argv0
    assert secret.replace("%", "%25") not in r.out + r.err
    unit = home / ".config" / "systemd" / "user" / "borgerdesk-daemon.service"
    env_file = home / ".config" / "borgerdesk" / "daemon.env"
    text = unit.read_text()
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert "--db" not in exec_start and "advisor" not in exec_start
    assert f"EnvironmentFile={env_file}" in text
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    env = env_file.read_text()
    assert 'BORGERDESK_DATABASE_URL="postgresql://advisor:s3cr3t-Pw%25x@' in env
    # Nothing that others may read holds it, in any spelling.
    for p in [tmp_path, *tmp_path.rglob("*")]:
        if p.is_file() and p.stat().st_mode & 0o044:
            data = p.read_bytes()
            assert b"s3cr3t-Pw" not in data, p
    # Re-installed without a password, the old environment file goes.
    r = cli(
        "--config", str(cfg), "--db", "sqlite:////var/lib/bd.sqlite3", "install-service", "--force"
    )
    assert r.code == 0, r.err
    assert not env_file.exists() and "EnvironmentFile" not in unit.read_text()
