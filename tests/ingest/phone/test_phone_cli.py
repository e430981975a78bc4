"""`borgerdesk import-calls` through the console script's entry point: every bad input is
one line on stderr, exit code 2, and nothing written."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from store.db import make_engine
from tests.ingest.phone.samples import (
    DK_HEADER,
    config_text,
    csv_bytes,
    dk_rows,
    table_counts,
    write,
)


@pytest.fixture
def env(tmp_path: Path, db_url: str, cli):
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_text(), "utf-8")
    engine = make_engine(db_url)

    def run(*args: str):
        return cli("--config", str(cfg), "--db", db_url, "import-calls", *args)

    yield run, engine, tmp_path
    engine.dispose()


def _one_line_error(r) -> str:
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith("borgerdesk: error: ")
    assert "Traceback" not in r.err + r.out
    return lines[0]


def test_import_then_again(env):
    run, engine, tmp = env
    f = write(tmp / "uge40.csv", csv_bytes(DK_HEADER, dk_rows(), sep_line=True))
    r = run(str(f))
    assert r.code == 0, r.err
    # Danish by default.
    assert (
        "uge40.csv: importerede 6 opkald (dk-generic, cp1252, semicolon); 6 til indbakken" in r.out
    )
    r = run(str(f))
    assert r.code == 0 and "allerede importeret" in r.out
    assert table_counts(engine)["contact"] == 6


def test_dry_run(env):
    run, engine, tmp = env
    before = table_counts(engine)
    f = write(tmp / "uge40.csv", csv_bytes(DK_HEADER, dk_rows()))
    r = run("--dry-run", str(f))
    assert r.code == 0 and "ville importere 6 opkald" in r.out
    cfg = tmp / "config.toml"
    cfg.write_text(cfg.read_text("utf-8").replace('language = "da"', 'language = "en"'), "utf-8")
    r = run("--dry-run", str(f))
    assert r.code == 0 and "uge40.csv: would import 6 call(s) (dk-generic" in r.out, r.out
    assert table_counts(engine) == before


def test_skip_bad_rows(env):
    run, engine, tmp = env
    rows = dk_rows()
    rows[2][3] = "ring tilbage"
    f = write(tmp / "uge40.csv", csv_bytes(DK_HEADER, rows))
    r = run("--skip-bad-rows", str(f))
    assert r.code == 0 and "1 fejlbehæftet række(r) sprunget over" in r.out
    assert table_counts(engine)["contact"] == 5


BAD_INPUTS = {
    "empty file": (b"", None, "the file is empty"),
    "header only": (
        ("sep=;\r\n" + ";".join(DK_HEADER) + "\r\n").encode("cp1252"),
        None,
        "only a header",
    ),
    "unknown header": (b"Date;Time;Who\r\n01-10-2024;09:00;22334455\r\n", None, "unknown header"),
    "wrong forced profile": (
        csv_bytes(DK_HEADER, dk_rows()),
        "cucm",
        "--profile cucm: the header lacks",
    ),
    "unknown profile": (csv_bytes(DK_HEADER, dk_rows()), "avaya", "no such profile"),
    "bad rows": (
        csv_bytes(DK_HEADER, [*dk_rows(), ["01-10-2024", "x", "Ind", "1", "1", "?"]]),
        None,
        "1 bad row(s), nothing imported: line 8, column 'Tidspunkt'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_nothing_written(env, case):
    run, engine, tmp = env
    data, profile, needle = BAD_INPUTS[case]
    before = table_counts(engine)
    f = write(tmp / "export.csv", data)
    r = run(*(["--profile", profile] if profile else []), str(f))
    line = _one_line_error(r)
    assert needle in line
    assert "export.csv" in line or case == "unknown profile"
    assert table_counts(engine) == before


def test_bad_rows_report_goes_to_stdout(env):
    run, _engine, tmp = env
    rows = dk_rows()
    rows[0][4] = "abc"
    rows[3][5] = "Viderestillet"
    f = write(tmp / "export.csv", csv_bytes(DK_HEADER, rows))
    r = run(str(f))
    _one_line_error(r)
    assert "line 2, column 'Varighed', value 'abc'" in r.out
    assert "line 5, column 'Status', value 'Viderestillet'" in r.out


def test_missing_file(env):
    run, _engine, tmp = env
    line = _one_line_error(run(str(tmp / "nope.csv")))
    assert "nope.csv: no such file; check the path" in line


def test_file_still_being_written(env):
    """An export still growing (config: stable 0.3 s, give up after 1.5 s) is refused."""
    run, engine, tmp = env
    before = table_counts(engine)
    f = tmp / "growing.csv"
    f.write_bytes(csv_bytes(DK_HEADER, []))
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            with f.open("ab") as fh:
                fh.write(
                    f"0{1 + i % 9}-10-2024;09:00;Indgående;22334455;{i};Besvaret\r\n".encode(
                        "cp1252"
                    )
                )
            i += 1
            time.sleep(0.05)

    t = threading.Thread(target=writer)
    t.start()
    try:
        line = _one_line_error(run(str(f)))
    finally:
        stop.set()
        t.join()
    assert "still being written" in line
    assert table_counts(engine) == before


def test_several_files_each_whole(env):
    run, engine, tmp = env
    good = write(tmp / "good.csv", csv_bytes(DK_HEADER, dk_rows()))
    bad = write(tmp / "bad.csv", b"")
    r = run(str(good), str(bad))
    line = _one_line_error(r)
    assert "bad.csv: the file is empty" in line and "(1 of 2 files not imported)" in line
    assert "good.csv: importerede 6" in r.out
    assert table_counts(engine)["contact"] == 6


def test_file_names_with_terminal_escapes_are_shown_inert(env):
    run, _engine, tmp = env
    f = write(tmp / "uge\x1b[31m40\n.csv", b"")
    line = _one_line_error(run(str(f)))
    assert "\x1b" not in line and "uge\\x1b[31m40\\n.csv: the file is empty" in line
    good = write(tmp / "ok\x07.csv", csv_bytes(DK_HEADER, dk_rows()))
    r = run(str(good))
    assert r.code == 0 and "ok\\x07.csv: importerede 6" in r.out and "\x07" not in r.out


def test_installed_console_script(tmp_path: Path, db_url: str):
    """The real `borgerdesk` executable in a child process: exit codes and streams."""
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("borgerdesk")
    assert exe.exists()
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_text(), "utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "NO_COLOR": "1"}
    good = write(tmp_path / "uge40.csv", csv_bytes(DK_HEADER, dk_rows(), sep_line=True))
    bad = write(tmp_path / "tom.csv", b"")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe), "--config", str(cfg), "--db", db_url, "import-calls", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    r = run(str(good))
    assert r.returncode == 0 and "importerede 6 opkald" in r.stdout and not r.stderr
    r = run(str(bad))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        "borgerdesk: error: tom.csv: the file is empty; export the call log again"
    ]
