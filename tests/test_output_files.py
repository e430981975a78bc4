"""Output files (report, compliance sheet, desk export, register export): a folder or
a wrong file name is refused in one line before anything is written, and no `.tmp` is
left behind by a failed write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from store.config import Config, preset_text
from store.db import session_scope
from store.desk.stats import export_stats
from store.errors import UserError
from store.outfile import atomic_output


def one_line_error(r) -> str:  # type: ignore[no-untyped-def]
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.err + r.out, r.err
    return lines[0]


def test_atomic_output_removes_the_tmp_when_the_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half", "utf-8")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_turns_an_os_error_into_one_line(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(UserError, match=r"out.csv: cannot write: No space"), \
            atomic_output(target) as tmp:
        tmp.write_text("half", "utf-8")
        raise OSError(28, "No space left on device")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ("compliance", "--year", "2026", "--format", "xlsx"),
        ("report", "--preset", "odsherred", "--year", "2026", "--format", "xlsx"),
        ("report", "--preset", "odsherred", "--year", "2026", "--format", "csv"),
        ("report", "--preset", "odsherred", "--year", "2026"),
    ],
)
def test_out_that_is_a_folder_is_refused(
    sqlite_url: str, cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    cfg = tmp_path / "config.toml"
    cfg.write_text(preset_text("odsherred"), "utf-8")
    r = cli("--config", str(cfg), "--db", sqlite_url, *args, "--out", str(folder))
    msg = one_line_error(r)
    assert f"--out {folder}: is a folder, not a file; give a file name" in msg
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "config.toml", "db", "home"]


@pytest.mark.parametrize(
    "args",
    [
        ("compliance", "--year", "2026", "--format", "xlsx"),
        ("report", "--year", "2026", "--unit", "cases", "--rows", "category", "--format", "xlsx"),
    ],
)
def test_xlsx_needs_an_xlsx_file_name(
    sqlite_url: str, cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "c.txt"
    msg = one_line_error(cli("--db", sqlite_url, *args, "--out", str(out)))
    assert msg.endswith(f"--out {out}: the file name must end in .xlsx; e.g. c.xlsx"), msg
    assert not out.exists()


def test_export_register_to_a_folder_is_refused(sqlite_url: str, cli, tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    msg = one_line_error(cli("--db", sqlite_url, "export-register", str(folder)))
    assert f"{folder}: is a folder, not a file" in msg
    assert list(tmp_path.glob("*.tmp")) == []


def test_desk_export_to_a_folder_named_like_a_file_is_refused(
    engine: Engine, odsherred_config: Config, tmp_path: Path
) -> None:
    folder = tmp_path / "tal.xlsx"
    folder.mkdir()
    with session_scope(engine) as s, pytest.raises(UserError) as e:
        export_stats(session=s, config=odsherred_config, preset=None,
                     start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), path=str(folder))
    assert str(e.value).startswith(f"{folder}: is a folder, not a file; give a file name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "tal.xlsx"]
    # The desk says it in its own language (the error's code and values).
    from tui.i18n import error_text, set_language

    set_language("da")
    assert error_text(e.value).startswith(f"{folder}: er en mappe, ikke en fil")
