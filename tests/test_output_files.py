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
    with (
        pytest.raises(UserError, match=r"out.csv: cannot write: No space"),
        atomic_output(target) as tmp,
    ):
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
    db_url: str, cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    cfg = tmp_path / "config.toml"
    cfg.write_text(preset_text("odsherred"), "utf-8")
    r = cli("--config", str(cfg), "--db", db_url, *args, "--out", str(folder))
    msg = one_line_error(r)
    assert f"--out {folder}: is a folder, not a file; give a file name" in msg
    assert folder.is_dir() and list(folder.iterdir()) == []
    # ("db" holds db_url's SQLite file; on PostgreSQL there is none.)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "db") == [
        "adir",
        "config.toml",
        "home",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("compliance", "--year", "2026", "--format", "xlsx"),
        ("report", "--year", "2026", "--unit", "cases", "--rows", "category", "--format", "xlsx"),
    ],
)
def test_xlsx_needs_an_xlsx_file_name(
    db_url: str, cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = tmp_path / "c.txt"
    msg = one_line_error(cli("--db", db_url, *args, "--out", str(out)))
    assert msg.endswith(f"--out {out}: the file name must end in .xlsx; e.g. c.xlsx"), msg
    assert not out.exists()


def test_export_register_to_a_folder_is_refused(db_url: str, cli, tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    msg = one_line_error(cli("--db", db_url, "export-register", str(folder)))
    assert f"{folder}: is a folder, not a file" in msg
    assert list(tmp_path.glob("*.tmp")) == []


def test_desk_export_to_a_folder_named_like_a_file_is_refused(
    engine: Engine, odsherred_config: Config, tmp_path: Path
) -> None:
    folder = tmp_path / "tal.xlsx"
    folder.mkdir()
    with session_scope(engine) as s, pytest.raises(UserError) as e:
        export_stats(
            session=s,
            config=odsherred_config,
            preset=None,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
            path=str(folder),
        )
    assert str(e.value).startswith(f"{folder}: is a folder, not a file; give a file name")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "db") == ["tal.xlsx"]
    # The desk says it in its own language (the error's code and values).
    from tui.i18n import error_text, set_language

    set_language("da")
    assert error_text(e.value).startswith(f"{folder}: er en mappe, ikke en fil")


def test_the_file_being_written_is_private_from_the_start(tmp_path: Path) -> None:
    """Nobody else can read an export while it is written (it used to be `<name>.tmp`
    under the umask, 0644, until the end), and two writers never share a temporary."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        with (
            atomic_output(tmp_path / "register.csv") as a,
            atomic_output(tmp_path / "register.csv") as b,
        ):
            assert a != b and a.parent == b.parent == tmp_path
            for t in (a, b):
                assert stat.S_IMODE(t.stat().st_mode) == 0o600
                assert t.name.endswith(".tmp")
            a.write_text("first", "utf-8")
            b.write_text("second", "utf-8")
            assert stat.S_IMODE(a.stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir()] == ["register.csv"]
    assert (tmp_path / "register.csv").read_text("utf-8") == "first"


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--preset", "odsherred", "--year", "2026", "--format", "csv", "--out"),
        ("export-register",),
    ],
)
@pytest.mark.parametrize("kind", ["full", "null", "fifo"])
def test_an_output_that_is_not_a_regular_file_is_refused(
    db_url: str, cli, tmp_path: Path, args: tuple[str, ...], kind: str
) -> None:
    """`report --out /dev/full` and `export-register /dev/full` exited 0 and, as root,
    replaced the device node with a regular file holding the register. The nodes here
    are made in tmp_path (the same devices, 1:7 and 1:3): a run against code without
    the check must not replace the machine's own /dev/full and /dev/null."""
    import os
    import stat

    target = str(tmp_path / kind)
    if kind == "fifo":
        os.mkfifo(target)
    else:
        try:
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 7 if kind == "full" else 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    before = os.stat(target)
    cfg = tmp_path / "config.toml"
    cfg.write_text(preset_text("odsherred"), "utf-8")
    msg = one_line_error(cli("--config", str(cfg), "--db", db_url, *args, target))
    assert f"{target}: is not a regular file" in msg
    assert f"e.g. {target}/" not in msg  # was: "e.g. /dev/full/export.xlsx"
    after = os.stat(target)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) != stat.S_IFREG
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not list(Path(target).parent.glob(f".{Path(target).name}.*"))


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 64 KiB file system (tmpfs), so a write meets a full disk."""
    import subprocess

    mnt = tmp_path / "tiny"
    mnt.mkdir()
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_a_full_disk_is_one_line_and_leaves_nothing(db_url: str, cli, tiny_disk: Path) -> None:
    from store.db import make_engine
    from store.samples import odsherred_register, write_register_csv

    reg = write_register_csv(odsherred_register(), tiny_disk.parent / "reg.csv")
    assert reg.stat().st_size > 64 * 1024  # the export cannot fit
    cfg = tiny_disk.parent / "config.toml"
    cfg.write_text(preset_text("odsherred"), "utf-8")
    r = cli("--config", str(cfg), "--db", db_url, "import-register", str(reg))
    assert r.code == 0, r.err
    make_engine(db_url).dispose()
    out = tiny_disk / "register.csv"
    msg = one_line_error(cli("--config", str(cfg), "--db", db_url, "export-register", str(out)))
    assert f"{out}: cannot write: No space left on device" in msg
    assert list(tiny_disk.iterdir()) == []
