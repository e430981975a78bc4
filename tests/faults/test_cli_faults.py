"""Issue 17 §4: interrupts and arguments end a command with one line (or quietly), never
a traceback. The interrupt is a real SIGINT to the installed console script."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults.test_database_faults import one_line_error

SCRIPT = Path(sys.executable).parent / "borgerdesk"


@pytest.mark.parametrize("delay", [0.2, 0.5, 0.9, 1.4])
def test_ctrl_c_while_modules_load_exits_130_quietly(delay, tmp_path, db_url) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    proc = subprocess.Popen(
        [str(SCRIPT), "--db", db_url, "followups"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(delay)
    if proc.poll() is not None:
        pytest.skip(f"the command finished within {delay} s on this machine")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    if proc.returncode == 0:
        # It ended between poll() and the signal: nothing was interrupted.
        pytest.skip(f"the command finished at about {delay} s, before the signal")
    if proc.returncode == -signal.SIGINT:
        # It arrived while the interpreter was already finishing (its handler gone): the
        # process ended quietly by the signal, which is what a user sees as ctrl-c.
        assert err.strip() == "", err
        return
    assert proc.returncode == 130, (proc.returncode, err)
    assert len(err.strip().splitlines()) <= 1, err


# ------------------------------------------------------------------ arguments

BIG = str(2**64)


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (("followups", "--now", "0001-01-01T00:00"), "--now 0001-01-01T00:00"),
        (("followups", "--now", "9999-12-31T23:59"), "not a plausible date"),
        (("audit", "--since", "0001-01-01"), "--since 0001-01-01: not a plausible date"),
        (("audit", "--since", "0001-01-01T00:00"), "not a plausible date"),
        (("ack", "1", "--at", "0001-01-01T00:00"), "--at 0001-01-01T00:00"),
        (("compliance", "--from", "0001-01-01", "--to", "0001-12-31"), "--from 0001-01-01"),
        (("followups", "--limit", BIG), "followups: Invalid value for '--limit'"),
        (("audit", "--limit", BIG), "audit: Invalid value for '--limit'"),
        (("ack", BIG), "not a contact id"),
        (("no-reply", BIG, "--reason", "x"), "not a contact id"),
        (("erase-party", f"id:{BIG}", "--yes"), "'id:' must be followed by a party id number"),
        (("export-party", "id:²", "--out", "x"), "'id:' must be followed by a party id number"),
        (("demo", "--keep", "/dev/null"), "--keep /dev/null: not a folder"),
        (("followups", "--no-such-option"), "(see 'borgerdesk followups --help')"),
    ],
)
def test_bad_arguments_are_one_line(args, expect, cli, db_url) -> None:
    assert expect in one_line_error(cli("--db", db_url, *args))


@pytest.mark.parametrize(
    ("url", "expect"),
    [
        (
            "mysql://advisor:s3cret@db.example/borgerdesk",
            "runs on SQLite or PostgreSQL, not 'mysql'",
        ),
        ("oracle://db.example/x", "not 'oracle'"),
        ("postgresql+psycopg2://db.example/x", "not 'postgresql+psycopg2'"),
        ("sqlite+pysqlcipher:///x.db", "not 'sqlite+pysqlcipher'"),
        ("http://example.org/", "unknown database kind 'http'"),
        ("::::", "not a database URL"),
        ("sqlite:////dev/zero", "not a regular file"),
        ("sqlite:////" + "x" * 100_000, "the path is too long"),
    ],
)
def test_unsupported_database_urls_are_one_line(url, expect, cli) -> None:
    for args in (("status",), ("db", "upgrade"), ("db", "current")):
        line = one_line_error(cli("--db", url, *args))
        assert expect in line and "s3cret" not in line
        assert len(line) < 500  # a 100,000-character path is shortened


def test_a_long_path_argument_is_one_short_line(cli, db_url) -> None:
    long = "/tmp/" + "x" * 100_000
    backup = (("backup", long),) if db_url.startswith("sqlite") else ()  # PG: pg_dump's
    for args in (*backup, ("import-register", long), ("export-register", long)):
        line = one_line_error(cli("--db", db_url, *args))
        assert "the path is too long" in line and len(line) < 500


def test_create_taxonomy_counts_the_values_it_added(cli, db_url, tmp_path) -> None:
    from store.config import preset_text
    from store.samples import odsherred_register, write_register_csv

    cfg = tmp_path / "config.toml"
    cfg.write_text(preset_text("odsherred"), "utf-8")
    rows = odsherred_register()[:30]
    new = ["Ny kategori A", "Ny kategori B", "Ny kategori C", "Ny kategori D"]
    cases = sorted({r["case_ref"] for r in rows})
    assert len(cases) >= 4
    for r in rows:  # one new category per case, four in all
        r["category"] = new[cases.index(r["case_ref"]) % 4]
    csv = write_register_csv(rows, tmp_path / "register.csv")
    r = cli("--config", str(cfg), "--db", db_url, "import-register", str(csv),
            "--create-taxonomy")  # fmt: skip
    assert r.code == 0, r.err
    assert f"tilføjede 4 værdi(er) til taksonomien i {cfg}" in r.out
    text = cfg.read_text("utf-8")
    assert all(v in text for v in new)


def test_an_error_quoting_a_huge_argument_stays_a_readable_line(cli, db_url) -> None:
    """QA: `report --where` with 100,000 characters printed them all back."""
    line = one_line_error(
        cli(
            "--db",
            db_url,
            "report",
            "--unit",
            "contacts",
            "--rows",
            "department",
            "--year",
            "2026",
            "--where",
            "x" * 100_000,
        )
    )
    assert len(line) <= 1100 and " … " in line
