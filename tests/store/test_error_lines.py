"""A failure is one line for a person (store.errors.one_line: the CLI, the daemon's logs
and source health, the desk's notices), and neither that line nor a traceback lists a
statement's parameters: they are other rows' personal data, e.g. every party name of a
batch. Real databases: a SQLite file here, PostgreSQL in CI's second pass."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError

from store.db import session_scope
from store.errors import UserError, one_line
from store.models import Party

NAMES = ["Knud Hansen", "Grete Jensen", "Ida Hansen"]


def _failed_batch(engine: Engine, rows: list[dict[str, object]]) -> DBAPIError:
    with pytest.raises(DBAPIError) as e, session_scope(engine) as s:
        s.execute(insert(Party), rows)
    return e.value


def _batches(engine: Engine) -> list[list[dict[str, object]]]:
    # A batch that breaks a unique key (the second "K-1"), on every database.
    out = [[{"name": n, "ref": "K-1", "kind": "citizen"} for n in NAMES]]
    if engine.dialect.name == "postgresql":
        # PostgreSQL refuses NUL in text (SQLite stores it).
        out.append(
            [{"name": n + "\x00", "ref": f"R{i}", "kind": "citizen"} for i, n in enumerate(NAMES)]
        )
    return out


def test_a_failed_statement_never_shows_its_parameters(engine: Engine) -> None:
    from tui.i18n import error_text, set_language

    for rows in _batches(engine):
        exc = _failed_batch(engine, rows)
        shown = {
            "str": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
            "one_line": one_line(exc),
        }
        for lang in ("da", "en"):
            set_language(lang)
            shown[f"desk notice ({lang})"] = error_text(exc)
        for where, text in shown.items():
            for name in NAMES:
                assert name not in text, f"{name!r} in the {where}: {text[:300]}"
        line = one_line(exc)
        assert line.startswith("database error: ") and "\n" not in line
        assert "INSERT" not in line and "INSERT" not in error_text(exc)
    set_language("da")


def test_one_line_keeps_a_user_error_and_masks_foreign_addresses() -> None:
    assert one_line(UserError("x.csv: line 3: column date: bad")) == (
        "x.csv: line 3: column date: bad"
    )
    line = one_line(RuntimeError("mail from knud.hansen@example.org\nsecond line +4561718192"))
    assert line == "RuntimeError: mail from k***@example.org"
    assert len(one_line(UserError("x" * 5000))) == 300
    assert len(one_line(ValueError("x" * 5000))) <= 300


@pytest.mark.parametrize("command", ["import-calls", "import-register"])
def test_a_non_table_file_does_not_echo_the_environment(
    command: str, db_url: str, tmp_path: Path
) -> None:
    """`import-calls /proc/self/environ` printed the environment, a `password_env`
    secret included, as the "unknown header". The installed console script runs in a
    process of its own: /proc/self/environ is what that process was started with."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc")
    secret = "hunter2-not-for-your-eyes"
    exe = Path(sys.executable).with_name("borgerdesk")
    env = {**os.environ, "BD_TEST_MAIL_PW": secret, "HOME": str(tmp_path)}
    r = subprocess.run(
        [str(exe), "--db", db_url, command, "/proc/self/environ"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert secret not in r.stdout + r.stderr
    assert "HOME=" not in r.stderr and "Traceback" not in r.stderr
    assert "environ: " in r.stderr
    assert "-character cell>" in r.stderr or "line 1: a NUL character" in r.stderr


def test_a_register_with_a_nul_byte_is_one_line_naming_its_line(
    db_url: str, cli, tmp_path: Path
) -> None:
    """PostgreSQL refuses NUL in text: the import failed at its batch insert with a
    traceback listing every party name of the batch. The reader refuses the file,
    naming the line, on every database."""
    from store.samples import write_register_csv

    rows = [
        dict(
            case_ref=f"2026-{i:04d}",
            party_ref=f"P{i}",
            party_name=name,
            party_kind="citizen",
            case_kind="citizen",
            case_opened="2026-03-03",
            contact_at="2026-03-03 10:00",
            channel="phone",
            direction="in",
            summary="s",
        )
        for i, name in enumerate(["Knud Hansen", "Grete\x00Jensen", "Ida Hansen"])
    ]
    reg = write_register_csv(rows, tmp_path / "register.csv")
    r = cli("--db", db_url, "import-register", str(reg))
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert lines == [
        f"borgerdesk: error: {reg}: line 3: a NUL character; this is not a text "
        "table, export the register again as CSV or XLSX"
    ]
    assert not any(name in r.err for name in NAMES)
