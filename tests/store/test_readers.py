"""Every reader of a user's file (import-register, import-calls, --config): every row that
is there, nothing read into the wrong cell, bounded, and one line with exit 2 for anything
it cannot read, with nothing imported. Real files, real FIFOs and devices, the console
entry point in-process."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import stat
import string
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ingest.phone.sniff import read_table as phone_table
from store import tabular
from store.db import make_engine
from store.samples import REGISTER_HEADER
from tests.ingest.phone.samples import DK_HEADER, config_text, table_counts

# --------------------------------------------------------------------------- files


def register_rows(n: int) -> list[list[str]]:
    """n contacts, each its own case and citizen."""
    out = []
    for i in range(n):
        row = dict(
            case_ref=f"2024-{i + 1:04d}",
            party_ref=f"P{i + 1}",
            party_name=f"Borger {i + 1}",
            party_kind="citizen",
            party_email=f"borger{i + 1}@example.dk",
            department="Andet",
            category="Vejledning",
            case_kind="citizen",
            case_opened="02-01-2024",
            excluded="nej",
            contact_at=f"2024-01-{i % 28 + 1:02d} 10:{i % 60:02d}",
            channel="telefon",
            direction="ind",
            summary=f"Opkald fra borger {i + 1} om adresse {i + 1}",
        )
        out.append([row.get(c, "") for c in REGISTER_HEADER])
    return out


def call_rows(n: int) -> list[list[str]]:
    return [
        [
            f"{i % 28 + 1:02d}-10-2024",
            f"{8 + i % 9:02d}:{i % 60:02d}:00",
            "Indgående",
            f"22 33 {i // 100:02d} {i % 100:02d}",
            "60",
            "Besvaret",
        ]
        for i in range(n)
    ]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The workbook with each part passed through `change(name, bytes)`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def stale_dimension(data: bytes, ref: str) -> bytes:
    def change(name: str, part: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            part, n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), part)
            assert n == 1
        return part

    return rezip(data, change)


def truncated_sheet(data: bytes) -> bytes:
    return rezip(
        data,
        lambda name, part: part[: len(part) // 2] if name == "xl/worksheets/sheet1.xml" else part,
    )


def with_first_cell(data: bytes, cell: bytes, parts: dict[str, bytes] | None = None) -> bytes:
    """The workbook with cell A2 written as `cell` (raw sheet XML) and `parts` added, the
    way another program than openpyxl may write it (openpyxl cuts text at Excel's 32,767)."""
    extra = dict(parts or {})

    def change(name: str, part: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            part, n = re.subn(rb'<c r="A2"[^>]*?(/>|>.*?</c>)', cell, part, count=1)
            assert n == 1
        elif name == "[Content_Types].xml" and "xl/sharedStrings.xml" in extra:
            part = part.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument'
                b'.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        elif name == "xl/_rels/workbook.xml.rels" and "xl/sharedStrings.xml" in extra:
            part = part.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdBomb" Type="http:'
                b"//schemas.openxmlformats.org/officeDocument/2006/relationships/"
                b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        return part

    out = rezip(data, change)
    if extra:
        buf = io.BytesIO(out)
        with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
            for name, part in extra.items():
                z.writestr(name, part)
        out = buf.getvalue()
    return out


def shared_strings_bomb(data: bytes) -> bytes:
    """A300-characters shared string: packs to ~30 KB, unpacks to 30 MB (the issue's held
    300,000,000 and took 2.3 GB)."""
    bomb = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        + b"A" * 30_000_000
        + b"</t></si></sst>"
    )
    return with_first_cell(data, b'<c r="A2" t="s"><v>0</v></c>', {"xl/sharedStrings.xml": bomb})


# --------------------------------------------------------------------------- running


@pytest.fixture
def run(tmp_path: Path, db_url: str, cli) -> Any:
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_text(), "utf-8")
    engine = make_engine(db_url)

    def go(*args: str) -> Any:
        return cli("--config", str(cfg), "--db", db_url, *args)

    go.engine = engine  # type: ignore[attr-defined]
    yield go
    engine.dispose()


def one_line(r: Any) -> str:
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.err + r.out, r.err
    assert lines[0].startswith("borgerdesk: error: ")
    return lines[0].removeprefix("borgerdesk: error: ")


def refused(run: Any, *args: str) -> str:
    before = table_counts(run.engine)
    line = one_line(run(*args))
    assert table_counts(run.engine) == before, "something was written"
    return line


CSV_FIELD_LIMIT = csv.field_size_limit()  # what CSV import refuses beyond: 131,072
COMMANDS = {"register": ("import-register",), "calls": ("import-calls",)}


# --------------------------------------------------------------------------- quotes


def with_open_quote(text: str, line: int, column: int, delimiter: str = ",") -> str:
    """Open a quote at the start of a cell on `line` (1-based) and leave it open."""
    lines = text.split("\r\n")
    cells = lines[line - 1].split(delimiter)
    cells[column] = '"' + cells[column]
    lines[line - 1] = delimiter.join(cells)
    return "\r\n".join(lines)


def test_a_quote_open_at_the_end_of_a_register_names_its_line(run: Any, tmp_path: Path) -> None:
    col = REGISTER_HEADER.index("summary")
    text = with_open_quote(csv_text(list(REGISTER_HEADER), register_rows(10)), 4, col)
    f = tmp_path / "register.csv"
    f.write_text(text, "utf-8")
    line = refused(run, "import-register", str(f))
    assert line.startswith(
        f"{f}: line 4: a quote opens here (column {col + 1}) and is never "
        "closed; the rows after it would be read into one cell"
    )
    # Corrected, it imports every row (and once).
    f.write_text(csv_text(list(REGISTER_HEADER), register_rows(10)), "utf-8")
    r = run("import-register", str(f))
    assert r.code == 0 and "10 række(r); tilføjede 10 sag(er), 10 henvendelse(r)" in r.out, r.err


def test_a_quote_that_swallows_rows_until_another_quote_names_its_line(
    run: Any, tmp_path: Path
) -> None:
    col = REGISTER_HEADER.index("summary")
    rows = register_rows(10)
    rows[6][REGISTER_HEADER.index("party_name")] = "Hansen, Peter"  # quoted by the writer
    text = with_open_quote(csv_text(list(REGISTER_HEADER), rows), 4, col)
    f = tmp_path / "register.csv"
    f.write_text(text, "utf-8")
    line = refused(run, "import-register", str(f))
    assert line.startswith(
        f"{f}: line 4: a quote opens here (column {col + 1}) and runs over "
        "line breaks into what look like the next rows"
    )


def test_a_cell_with_a_line_break_of_its_own_still_imports(run: Any, tmp_path: Path) -> None:
    rows = register_rows(3)
    rows[1][REGISTER_HEADER.index("summary")] = "Ringede om sagen.\nVil have svar i dag."
    f = tmp_path / "register.csv"
    f.write_text(csv_text(list(REGISTER_HEADER), rows), "utf-8")
    r = run("import-register", str(f))
    assert r.code == 0 and "3 række(r); tilføjede 3 sag(er), 3 henvendelse(r)" in r.out, r.err


def test_a_quote_open_at_the_end_of_a_call_log_names_its_line(run: Any, tmp_path: Path) -> None:
    text = with_open_quote(csv_text(DK_HEADER, call_rows(10), ";"), 3, 3, ";")
    f = tmp_path / "opkald.csv"
    f.write_text(text, "cp1252")
    line = refused(run, "import-calls", str(f))
    assert line.startswith("opkald.csv: line 3: a quote opens here (column 4) and is never closed")


def test_one_sniffer_for_both_imports() -> None:
    """A quoted header cell holding the other delimiter: the register reader counted it."""
    header = '"Emne; kort; lang; mere",Dato,Navn'
    assert tabular.choose_delimiter(header) == ","
    data = (header + "\r\nHej,01-10-2024,Knud\r\n").encode()
    assert tabular.table_of(data, "r.csv").header == ["Emne; kort; lang; mere", "Dato", "Navn"]
    assert phone_table(data, "p.csv").header == ["Emne; kort; lang; mere", "Dato", "Navn"]


# --------------------------------------------------------------------------- XLSX


@pytest.mark.parametrize("ref", ["A1:J11", "A1"])
def test_rows_past_a_stale_dimension_are_read(run: Any, tmp_path: Path, ref: str) -> None:
    reg = tmp_path / "register.xlsx"
    reg.write_bytes(stale_dimension(xlsx_bytes(list(REGISTER_HEADER), register_rows(20)), ref))
    r = run("import-register", "--dry-run", str(reg))
    assert r.code == 0, r.err
    assert "20 række(r); ville tilføje 20 sag(er), 20 henvendelse(r)" in r.out
    calls = tmp_path / "opkald.xlsx"
    calls.write_bytes(stale_dimension(xlsx_bytes(DK_HEADER, call_rows(20)), ref))
    r = run("import-calls", str(calls))
    assert r.code == 0 and "importerede 20 opkald" in r.out, r.err


@pytest.mark.parametrize("kind", list(COMMANDS))
@pytest.mark.parametrize("damage", ["sheet cut in half", "file cut in half"])
def test_a_truncated_workbook_is_one_line(run: Any, tmp_path: Path, kind: str, damage: str) -> None:
    good = (
        xlsx_bytes(list(REGISTER_HEADER), register_rows(300))
        if kind == "register"
        else xlsx_bytes(DK_HEADER, call_rows(300))
    )
    f = tmp_path / "data.xlsx"
    f.write_bytes(truncated_sheet(good) if damage.startswith("sheet") else good[: len(good) // 2])
    line = refused(run, *COMMANDS[kind], str(f))
    assert "data.xlsx: " in line and ("damaged" in line or "not a readable XLSX" in line)
    assert "save it again" in line


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_a_shared_strings_bomb_is_refused_before_it_unpacks(
    run: Any, tmp_path: Path, kind: str
) -> None:
    good = (
        xlsx_bytes(list(REGISTER_HEADER), register_rows(3))
        if kind == "register"
        else xlsx_bytes(DK_HEADER, call_rows(3))
    )
    f = tmp_path / "bomb.xlsx"
    f.write_bytes(shared_strings_bomb(good))
    assert f.stat().st_size < 100_000
    line = refused(run, *COMMANDS[kind], str(f))
    assert "bomb.xlsx: its part xl/sharedStrings.xml unpacks to 30,000," in line


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_a_cell_longer_than_csv_allows_is_refused(run: Any, tmp_path: Path, kind: str) -> None:
    long = "".join(random.Random(1).choices(string.ascii_letters, k=CSV_FIELD_LIMIT + 1))
    good = (
        xlsx_bytes(list(REGISTER_HEADER), register_rows(3))
        if kind == "register"
        else xlsx_bytes(DK_HEADER, call_rows(3))
    )
    f = tmp_path / "lang.xlsx"
    f.write_bytes(
        with_first_cell(good, f'<c r="A2" t="inlineStr"><is><t>{long}</t></is></c>'.encode())
    )
    line = refused(run, *COMMANDS[kind], str(f))
    assert line.endswith(
        "lang.xlsx: row 2, column 1: a cell of 131,073 characters (at most 131,072); shorten it"
    ), line


# --------------------------------------------------------------------------- not files


def _fifo(tmp: Path) -> Path:
    p = tmp / "fifo.csv"
    os.mkfifo(p)
    return p


def _zero(tmp: Path) -> Path:
    """A zero device of the test's own (/dev/zero itself may be clobbered by a careless
    run as root), else /dev/zero."""
    p = tmp / "zero.csv"
    try:
        os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 5))
    except OSError:
        return Path("/dev/zero")
    return p


def _folder(tmp: Path) -> Path:
    p = tmp / "mappe.csv"
    p.mkdir()
    return p


def _through_a_file(tmp: Path) -> Path:
    # As root every permission check passes; a path through a file is one root cannot
    # read either.
    (tmp / "fil.csv").write_text("x", "utf-8")
    return tmp / "fil.csv" / "data.csv"


NOT_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (_fifo, "not a regular file (a FIFO (named pipe)); save the data to a file"),
    "device": (_zero, "not a regular file (a device)"),
    "folder": (_folder, "is a folder, not a file; give the file's path"),
    "missing": (lambda tmp: tmp / "nope.csv", "no such file; check the path"),
    "through a file": (_through_a_file, "no such file (a part of the path is not a folder)"),
}


@pytest.mark.parametrize("what", list(NOT_FILES))
@pytest.mark.parametrize("kind", ["register", "calls", "config"])
def test_inputs_that_are_not_readable_files_are_one_line(
    run: Any, cli: Any, db_url: str, tmp_path: Path, kind: str, what: str
) -> None:
    make, words = NOT_FILES[what]
    path = make(tmp_path)
    if kind == "config":
        line = one_line(cli("--config", str(path), "status"))
        if what in ("missing", "through a file"):  # with how to make one
            words = "config file not found"
    else:
        line = refused(run, *COMMANDS[kind], str(path))
    assert str(path.name) in line and words in line, line


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root reads a file whatever its mode; the "
    "unreadable case as root is the path through a file above",
)
@pytest.mark.parametrize("kind", ["register", "calls"])
def test_an_unreadable_file_is_one_line(run: Any, tmp_path: Path, kind: str) -> None:
    f = tmp_path / "laast.csv"
    f.write_text("x", "utf-8")
    f.chmod(0)
    assert "cannot read the file" in refused(run, *COMMANDS[kind], str(f))


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_an_old_xls_workbook_says_save_it_as_xlsx(run: Any, tmp_path: Path, kind: str) -> None:
    f = tmp_path / "gammel.xls"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    line = refused(run, *COMMANDS[kind], str(f))
    assert line.endswith(
        "gammel.xls: an old Excel .xls workbook; open it in Excel and save it as .xlsx or .csv"
    ), line


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_a_csv_cell_longer_than_csv_allows_is_one_line(run: Any, tmp_path: Path, kind: str) -> None:
    long = "x" * (CSV_FIELD_LIMIT + 1)
    if kind == "register":
        rows = register_rows(3)
        rows[1][REGISTER_HEADER.index("summary")] = long
        text = csv_text(list(REGISTER_HEADER), rows)
    else:
        rows = call_rows(3)
        rows[1][3] = long
        text = csv_text(DK_HEADER, rows, ";")
    f = tmp_path / "lang.csv"
    f.write_text(text, "utf-8")
    line = refused(run, *COMMANDS[kind], str(f))
    assert "lang.csv: line 3: not valid CSV (field larger than field limit (131072)" in line
