"""The counts reproduce the published reports in DOMAIN.md, cell by cell.

The expected tables below are transcribed from the reports (not computed from the
generator's input); the registers go through the real import, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

import pytest

CENTRES = [
    "Børn, Unge og Familier",
    "Erhverv, Teknik og Kultur",
    "Omsorg og Sundhed",
    "Organisation",
    "Social og Arbejdsmarked",
    "Økonomi og Ejendomme",
    "Andet",
]
CATS = ["Vejledning", "Udredning", "Klage"]
# "Antal henvendere i 2024" (rows: centres in order, then Sum; cols: V, U, K, Sum)
PARTIES_2024 = """
19 16 9 44
57 30 5 92
26 12 2 40
6 1 - 7
48 26 5 79
3 - - 3
20 - - 20
179 85 21 285
"""
# "Samlet antal henvendelser i 2024"
CONTACTS_2024 = """
25 49 157 231
80 102 54 236
36 42 23 101
9 5 - 14
69 114 33 216
3 - - 3
32 - - 32
254 312 267 833
"""


def _expected(table: str) -> list[list[int]]:
    return [
        [0 if v == "-" else int(v) for v in line.split()] for line in table.strip().splitlines()
    ]


def _check_grid(data: dict, table: str) -> None:
    exp = _expected(table)
    cells = {(c["row"], c["col"]): c["count"] for c in data["cells"]}
    for i, centre in enumerate(CENTRES):
        for j, cat in enumerate(CATS):
            assert cells.get((centre, cat), 0) == exp[i][j], (centre, cat)
        assert data["row_totals"][centre] == exp[i][3], centre
    for j, cat in enumerate(CATS):
        assert data["col_totals"][cat] == exp[-1][j], cat
    assert data["total"] == exp[-1][3]


@pytest.mark.parametrize("odsherred_db", ["csv", "xlsx"], indirect=True)
def test_odsherred_2024_parties_and_contacts(odsherred_db: str, db_url: str, cli) -> None:
    base = ["--config", odsherred_db, "--db", db_url, "report", "--year", "2024"]
    r = cli(
        *base, "--unit", "parties", "--rows", "department", "--cols", "category", "--format", "json"
    )
    assert r.code == 0, r.err
    _check_grid(json.loads(r.out), PARTIES_2024)
    r = cli(
        *base,
        "--unit",
        "contacts",
        "--rows",
        "department",
        "--cols",
        "category",
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    _check_grid(json.loads(r.out), CONTACTS_2024)


def test_odsherred_preset_renders_both_tables(odsherred_db: str, db_url: str, cli) -> None:
    r = cli(
        "--config",
        odsherred_db,
        "--db",
        db_url,
        "report",
        "--preset",
        "odsherred",
        "--year",
        "2024",
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    tables = json.loads(r.out)
    assert [t["title"] for t in tables] == ["Antal henvendere", "Samlet antal henvendelser"]
    _check_grid(tables[0], PARTIES_2024)
    _check_grid(tables[1], CONTACTS_2024)
    md = cli(
        "--config",
        odsherred_db,
        "--db",
        db_url,
        "report",
        "--preset",
        "odsherred",
        "--year",
        "2024",
        "--format",
        "md",
    )
    assert "| Sum | 179 | 85 | 21 | 285 |" in md.out
    assert "| Sum | 254 | 312 | 267 | 833 |" in md.out


def test_noise_is_counted_only_when_asked(odsherred_db: str, db_url: str, cli) -> None:
    base = [
        "--config",
        odsherred_db,
        "--db",
        db_url,
        "report",
        "--year",
        "2024",
        "--unit",
        "contacts",
        "--rows",
        "department",
        "--format",
        "json",
    ]
    total = lambda *extra: json.loads(cli(*base, *extra).out)["total"]  # noqa: E731
    assert total() == 833
    assert total("--include-outbound") == 833 + 285  # one outbound reply per party
    assert total("--include-excluded") == 833 + 6
    assert total("--kind", "consultancy") == 4
    assert total("--kind", "whistleblower") == 1


HADERSLEV = {
    # table: (args, expected {row: count} or {(row, col): count})
    "departments": (
        ["--rows", "department", "--cols", "category"],
        {
            ("Arbejdsmarked og Borgerservice", "Klage"): 12,
            ("Arbejdsmarked og Borgerservice", "Anden henvendelse"): 13,
            ("Børn og Kultur", "Klage"): 30,
            ("Børn og Kultur", "Anden henvendelse"): 12,
            ("Voksen og Sundhed", "Klage"): 13,
            ("Voksen og Sundhed", "Anden henvendelse"): 9,
            ("Teknik og Klima", "Klage"): 4,
            ("Teknik og Klima", "Anden henvendelse"): 2,
            ("Diverse", "Klage"): 1,
            ("Diverse", "Anden henvendelse"): 15,
        },
    ),
    "complaint_actions": (
        ["--rows", "action", "--where", "category=Klage"],
        {"Anden behandling og hjælp": 36, "Undersøgt": 19, "Afvist": 5},
    ),
    "outcomes_abh": (
        ["--rows", "outcome", "--where", "action=Anden behandling og hjælp"],
        {
            "Styrket dialog": 19,
            "Hjælp til klageprocessen": 4,
            "Udsigtsløs": 1,
            "Løst ved borgerrådgiveren": 12,
        },
    ),
    "outcomes_investigated": (
        ["--rows", "outcome", "--where", "action=Undersøgt"],
        {"Genoptaget af forvaltningen": 14, "Henstilling": 3, "Ingen kritik": 2},
    ),
    "outcomes_rejected": (
        ["--rows", "outcome", "--where", "action=Afvist"],
        {"Ikke fornødent grundlag": 3, "Midlertidigt afvist": 2},
    ),
    "other_actions": (
        ["--rows", "action", "--where", "category=Anden henvendelse"],
        {
            "Vejledning": 18,
            "Vejvisning eller videreformidlet til forvaltningen": 29,
            "Orientering": 2,
            "Indsigtssager hos borgerrådgiveren": 1,
            "Forslag": 1,
        },
    ),
    "themes": (
        ["--rows", "theme"],
        {
            "Forvaltningsret eller forvaltningsskik": 86,
            "Hjemmelsspørgsmål": 9,
            "Prøvelsesspørgsmål": 2,
            "Retsgrundsætninger": 4,
            "Opgavevaretagelse": 2,
            "Institutioner": 1,
            "Andet": 7,
        },
    ),
}


@pytest.mark.parametrize("table", sorted(HADERSLEV))
def test_haderslev_tables(haderslev_db: str, db_url: str, cli, table: str) -> None:
    args, expected = HADERSLEV[table]
    r = cli(
        "--config",
        haderslev_db,
        "--db",
        db_url,
        "report",
        "--from",
        "2021-08-01",
        "--to",
        "31-12-2021",
        "--unit",
        "cases",
        *args,
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    data = json.loads(r.out)
    got = {
        ((c["row"], c["col"]) if c["col"] is not None else c["row"]): c["count"]
        for c in data["cells"]
    }
    assert got == expected
    assert data["total"] == sum(expected.values())


def test_haderslev_registered_excluded_counted(haderslev_db: str, db_url: str, cli) -> None:
    base = [
        "--config",
        haderslev_db,
        "--db",
        db_url,
        "report",
        "--from",
        "2021-08-01",
        "--to",
        "2021-12-31",
        "--unit",
        "cases",
        "--rows",
        "category",
        "--format",
        "json",
    ]
    assert json.loads(cli(*base).out)["total"] == 111
    assert json.loads(cli(*base, "--include-excluded").out)["total"] == 118
    data = json.loads(cli(*base).out)
    assert data["row_totals"] == {"Klage": 60, "Anden henvendelse": 51}
    assert json.loads(cli(*base, "--kind", "consultancy").out)["total"] == 15


def test_haderslev_preset_tables_3_to_9(haderslev_db: str, db_url: str, cli, tmp_path) -> None:
    out = tmp_path / "beretning.xlsx"
    r = cli(
        "--config",
        haderslev_db,
        "--db",
        db_url,
        "report",
        "--preset",
        "haderslev",
        "--from",
        "2021-08-01",
        "--to",
        "2021-12-31",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    assert r.code == 0, r.err
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert len(wb.sheetnames) == 7
    # Sheet names keep their meaning within Excel's 31 characters: cut at a word.
    assert wb.sheetnames[0] == "Tabel 3 Sager fordelt på…"
    assert all(len(n) <= 31 for n in wb.sheetnames)
    ws = wb.worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    # the full title naming the period in row 1; municipality, period, unit, made in row 2
    assert values[0][0] == "Tabel 3: Sager fordelt på direktørområde, 1. august – 31. december 2021"
    assert values[1][0].startswith(
        "Haderslev Kommune · 1. august – 31. december 2021 · Enhed: sager · Dannet "
    )
    assert values[2] == ["Afdeling", "Klage", "Anden henvendelse", "Sum", "%"]
    sum_row = next(r for r in values if r[0] == "Sum")
    assert sum_row[:4] == ["Sum", 60, 51, 111]  # numbers are numbers
    assert sum_row[4] == pytest.approx(60 / 111)
    pct = ws.cell(row=values.index(sum_row) + 1, column=5)
    assert pct.number_format == "0%"
    assert ws.freeze_panes == "B4"
    # Departments valid in the period appear even where nothing was counted: the
    # pre-reorganisation ones (valid until Jun 2021) do not.
    labels = [r[0] for r in values[3:]]
    assert labels[: labels.index("Sum")] == [
        "Børn og Kultur",
        "Voksen og Sundhed",
        "Diverse",
        "Arbejdsmarked og Borgerservice",
        "Teknik og Klima",
    ]
    r = cli(
        "--config",
        haderslev_db,
        "--db",
        db_url,
        "report",
        "--preset",
        "haderslev",
        "--from",
        "2021-08-01",
        "--to",
        "2021-12-31",
    )
    assert r.code == 0
    assert "Tabel 9: Temaer" in r.out and "111" in r.out
