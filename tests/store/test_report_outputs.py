"""Report outputs fit to send (issue 18 §1, §2): heading, zero rows, "Uden kategori",
percentages, --where checked against the taxonomy, csv and csv-excel, --period."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from store.tabular import decode, read_csv_text

H_PERIOD = ["--from", "2021-08-01", "--to", "2021-12-31"]


def run(cli, cfg: str, db: str, *args: str):  # type: ignore[no-untyped-def]
    return cli("--config", cfg, "--db", db, *args)


@pytest.mark.parametrize(
    ("where", "needle"),
    [
        ("month=13", "--where month='13': not a month; use YYYY-MM, e.g. 2021-08"),
        ("month=abc", "--where month='abc': not a month"),
        ("month=2021-13", "--where month='2021-13': not a month"),
        (
            "category=Klagee",
            "--where category='Klagee': not a category in the taxonomy; nearest: 'Klage'",
        ),
        ("action=Undersøg", "nearest: 'Undersøgt'"),
        ("channel=fax", "--where channel='fax': not a channel"),
    ],
)
def test_where_value_outside_the_taxonomy_is_one_line_exit_2(
    haderslev_db: str, db_url: str, cli, where: str, needle: str
) -> None:
    r = run(
        cli,
        haderslev_db,
        db_url,
        "report",
        *H_PERIOD,
        "--unit",
        "contacts",
        "--rows",
        "department",
        "--where",
        where,
    )
    assert r.code == 2, (r.out, r.err)
    assert r.err.strip() == f"Error: {needle}" or needle in r.err, r.err
    assert r.err.count("\n") == 1 and "Sum" not in r.out


def test_where_month_in_range_still_counts(haderslev_db: str, db_url: str, cli) -> None:
    r = run(
        cli,
        haderslev_db,
        db_url,
        "report",
        *H_PERIOD,
        "--unit",
        "cases",
        "--rows",
        "category",
        "--where",
        "month=2021-09",
        "--format",
        "json",
    )
    assert r.code == 0, r.err


def test_table_and_md_name_municipality_period_unit_and_time(
    haderslev_db: str, db_url: str, cli
) -> None:
    r = run(
        cli, haderslev_db, db_url, "report", "--preset", "haderslev", *H_PERIOD, "--format", "md"
    )
    assert r.code == 0, r.err
    assert "### Tabel 3: Sager fordelt på direktørområde, 1. august – 31. december 2021" in r.out
    assert "Haderslev Kommune · 1. august – 31. december 2021 · Enhed: sager · Dannet " in r.out
    # percentages as the report prints them, and the complaint share of the total
    assert "| Sum | 60 | 51 | 111 | 54 % |" in r.out
    # Tabel 7: every outcome of "Afvist", counted or not
    assert "| Ikke fornødent grundlag | 3 |" in r.out
    r = run(cli, haderslev_db, db_url, "report", "--preset", "haderslev", *H_PERIOD)
    assert "Haderslev Kommune · 1. august – 31. december 2021" in r.out
    assert "Enhed: sager" in r.out


def test_empty_period_keeps_its_columns_and_rows_and_shows_no_100_percent(
    haderslev_db: str, db_url: str, cli
) -> None:
    r = run(
        cli,
        haderslev_db,
        db_url,
        "report",
        "--preset",
        "haderslev",
        "--period",
        "2030Q1",
        "--format",
        "md",
    )
    assert r.code == 0, r.err
    assert "100 %" not in r.out
    assert "| Afdeling | Klage | Anden henvendelse | Sum | % |" in r.out
    assert "| Børn og Kultur |  |  | 0 | – |" in r.out
    assert "| Sum | 0 | 0 | 0 | – |" in r.out
    assert "| Udsigtsløs | 0 |" in r.out  # zero rows are rows
    # the one-column table with percentages: a zero base is "–", never "100 %"
    r = run(
        cli,
        haderslev_db,
        db_url,
        "report",
        "--period",
        "2030",
        "--unit",
        "cases",
        "--rows",
        "theme",
        "--percentages",
        "--format",
        "md",
    )
    assert "| Sum | 0 | – |" in r.out and "| Andet | 0 | – |" in r.out


def test_unclassified_cases_are_their_own_danish_row_with_a_count_to_fix(
    odsherred_db: str, db_url: str, cli
) -> None:
    r = run(
        cli,
        odsherred_db,
        db_url,
        "report",
        "--year",
        "2024",
        "--unit",
        "cases",
        "--rows",
        "theme",
        "--format",
        "md",
    )
    assert r.code == 0, r.err
    assert "(none)" not in r.out
    assert "| Uden kategori |" in r.out
    n = json.loads(
        run(
            cli,
            odsherred_db,
            db_url,
            "report",
            "--year",
            "2024",
            "--unit",
            "cases",
            "--rows",
            "theme",
            "--format",
            "json",
        ).out
    )["total"]
    assert f"{n} sager uden kategori (tema): ret dem i registret" in r.out


def test_csv_stays_rfc4180_for_scripts(haderslev_db: str, db_url: str, cli) -> None:
    r = run(
        cli,
        haderslev_db,
        db_url,
        "report",
        *H_PERIOD,
        "--unit",
        "cases",
        "--rows",
        "department",
        "--cols",
        "category",
        "--percentages",
        "--format",
        "csv",
    )
    assert r.code == 0, r.err
    assert not r.out.startswith("\ufeff") and "\r\n" in r.out
    rows = list(csv.reader(io.StringIO(r.out, newline="")))
    assert rows[0] == ["Afdeling", "Klage", "Anden henvendelse", "Sum", "%"]
    assert rows[-1] == ["Sum", "60", "51", "111", "54 %"]


def test_csv_excel_reads_back_with_the_importers_sniffer_and_with_semicolons(
    haderslev_db: str, db_url: str, cli, tmp_path: Path
) -> None:
    out = tmp_path / "tal.csv"
    r = run(
        cli,
        haderslev_db,
        db_url,
        "report",
        *H_PERIOD,
        "--unit",
        "cases",
        "--rows",
        "department",
        "--cols",
        "category",
        "--percentages",
        "--format",
        "csv-excel",
        "--out",
        str(out),
    )
    assert r.code == 0, r.err
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM a Danish Excel needs for "ø"
    text = data[3:].decode("utf-8")
    plain = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert plain[0][0] == "Sager fordelt på afdeling og kategori, 1. august – 31. december 2021"
    assert plain[1][0].startswith("Haderslev Kommune · 1. august – 31. december 2021")
    header = plain[2]
    assert header == ["Afdeling", "Klage", "Anden henvendelse", "Sum", "%"]
    assert plain[3] == ["Børn og Kultur", "30", "12", "42", "71,4 %"]  # decimal comma
    assert plain[-1] == ["Sum", "60", "51", "111", "54,1 %"]
    # the importers' own sniffing (store/tabular.py) reads the same cells
    table = read_csv_text(decode(data, str(out)), str(out))
    sniffed = [table.header] + [cells for _, cells in table.rows]
    assert sniffed == plain


def test_report_period_option(haderslev_db: str, db_url: str, cli, tmp_path: Path) -> None:
    base = ["report", "--unit", "cases", "--rows", "category", "--format", "json"]
    h2 = json.loads(run(cli, haderslev_db, db_url, *base, "--period", "2021H2").out)
    assert (h2["from"], h2["to"]) == ("2021-07-01", "2021-12-31")
    r = run(cli, haderslev_db, db_url, *base, "--period", "2021H2", "--year", "2021")
    assert r.code == 2 and "give either --period or --year, not both" in r.err
    r = run(cli, haderslev_db, db_url, *base, "--period", "2021/22")
    assert r.code == 2 and "report years start on 1 January here" in r.err
    r = run(cli, haderslev_db, db_url, "compliance", "--period", "2021Q5")
    assert r.code == 2 and "--period '2021Q5': not a period" in r.err
