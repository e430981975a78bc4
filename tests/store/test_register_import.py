"""Register import: formats, idempotency, every user error (one line per problem, exit 2,
database unchanged), --create-taxonomy, and the lossless round trip."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import make_engine
from store.samples import REGISTER_HEADER, odsherred_register
from tests.store.registers import write_csv

TABLES = ("party", "party_email", "party_phone", "case_", "contact", "imported_file")


def snapshot(db_url: str) -> dict[str, int]:
    eng = make_engine(db_url)
    with eng.connect() as c:
        out = {t: c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in TABLES}
    eng.dispose()
    return out


@pytest.fixture
def cfg(tmp_path: Path, cli) -> str:
    path = tmp_path / "c.toml"
    assert cli("--config", str(path), "init", "--preset", "odsherred").code == 0
    return str(path)


def rows(n: int = 3) -> list[dict[str, str]]:
    base = dict(
        case_ref="2024-0001",
        party_ref="P1",
        party_name="Knud Hansen",
        party_kind="citizen",
        party_email="knud@example.dk",
        party_phone="22 33 44 55",
        department="Andet",
        category="Vejledning",
        case_kind="citizen",
        case_opened="02-01-2024",
        excluded="nej",
    )
    return [
        dict(
            base,
            contact_at=f"2024-01-{d + 2:02d} 10:{d:02d}",
            channel="telefon",
            direction="ind",
            summary=f"Opkald {d}",
        )
        for d in range(n)
    ]


def test_import_twice_adds_nothing(cfg: str, db_url: str, cli, tmp_path: Path) -> None:
    reg = write_csv(rows(), tmp_path / "r.csv")
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg))
    assert r.code == 0, r.err
    assert "tilføjede 1 sag(er), 3 henvendelse(r), 1 part(er)" in r.out
    before = snapshot(db_url)
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg))
    assert r.code == 0 and "allerede importeret" in r.out
    # A longer, later export of the same register adds only the new row.
    reg2 = write_csv(rows(4), tmp_path / "r2.csv", delimiter=";")
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg2))
    assert r.code == 0, r.err
    after = snapshot(db_url)
    assert after["contact"] == before["contact"] + 1
    assert after["case_"] == before["case_"] and after["party"] == before["party"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_encodings_and_delimiters(cfg, db_url, cli, tmp_path, encoding, delimiter) -> None:
    data = [dict(r, party_name="Søren Ærø Åberg") for r in rows()]
    reg = write_csv(data, tmp_path / "r.csv", delimiter=delimiter, encoding=encoding)
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg))
    assert r.code == 0, r.err
    eng = make_engine(db_url)
    with eng.connect() as c:
        assert c.execute(text("SELECT name FROM party")).scalar_one() == "Søren Ærø Åberg"
        assert c.execute(text("SELECT number FROM party_phone")).scalar_one() == "+4522334455"
    eng.dispose()


def test_danish_column_names(cfg, db_url, cli, tmp_path) -> None:
    reg = tmp_path / "dansk.csv"
    reg.write_text(
        "Sagsnr;Navn;Center;Kategori;Oprettet;Tidspunkt;Kanal;Retning;Resumé\n"
        "S-1;Inge Olsen;Andet;Klage;05-02-2024;05-02-2024 09:30;mail;ind;Klage over svar\n",
        encoding="cp1252",
    )
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg))
    assert r.code == 0, r.err


def _assert_user_error(r, db_url: str, before: dict[str, int], *needles: str) -> None:
    assert r.code == 2, (r.out, r.err)
    assert "Traceback" not in r.err
    for n in needles:
        assert n in r.err, r.err
    assert snapshot(db_url) == before


def test_unknown_taxonomy_lists_every_value_with_lines(cfg, db_url, cli, tmp_path) -> None:
    data = rows(2)
    data += [dict(data[0], case_ref="2024-0002", department="Teknik", contact_at="2024-02-01")]
    data += [
        dict(
            data[0],
            case_ref="2024-0003",
            department="Teknik",
            category="Sludder",
            contact_at="2024-02-02",
        )
    ]
    reg = write_csv(data, tmp_path / "r.csv")
    before = snapshot(db_url)
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg))
    _assert_user_error(
        r,
        db_url,
        before,
        "nothing imported",
        "column department: 'Teknik' is not in the config's taxonomy (line 4, 5)",
        "column category: 'Sludder' is not in the config's taxonomy (line 5)",
        "--create-taxonomy",
    )


def test_disagreeing_case_rows(cfg, db_url, cli, tmp_path) -> None:
    data = rows(3)
    data[2]["category"] = "Klage"
    reg = write_csv(data, tmp_path / "r.csv")
    before = snapshot(db_url)
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg))
    _assert_user_error(
        r,
        db_url,
        before,
        "case '2024-0001': rows disagree on category: 'Vejledning' (line 2) vs 'Klage' (line 4)",
    )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("contact_at", "2024-13-01", "line 3: column contact_at: '2024-13-01'"),
        ("contact_at", "31/02/2024 10:00", "line 3: column contact_at"),
        ("contact_at", "2024-01-05 25:00", "time is not HH:MM"),
        ("channel", "fax", "line 3: column channel: 'fax'"),
        ("direction", "sideways", "line 3: column direction: 'sideways'"),
        # Case fields are given on every row of the case; the first row is reported.
        ("excluded", "måske", "line 2: column excluded: 'måske'"),
        ("case_kind", "hemmelig", "line 2: column case_kind: 'hemmelig'"),
        ("party_email", "not-an-address", "line 2: column party_email"),
    ],
)
def test_malformed_values(cfg, db_url, cli, tmp_path, column, value, message) -> None:
    data = rows(3)
    targets = data if column in ("excluded", "case_kind", "party_email") else [data[1]]
    for d in targets:
        d[column] = value
    reg = write_csv(data, tmp_path / "r.csv")
    before = snapshot(db_url)
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg))
    _assert_user_error(r, db_url, before, message)


def test_empty_file_and_missing_file(cfg, db_url, cli, tmp_path) -> None:
    before = snapshot(db_url)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    _assert_user_error(
        cli("--config", cfg, "--db", db_url, "import-register", str(empty)),
        db_url,
        before,
        "empty.csv: the file is empty",
    )
    _assert_user_error(
        cli("--config", cfg, "--db", db_url, "import-register", str(tmp_path / "nope.csv")),
        db_url,
        before,
        "nope.csv: no such file",
    )
    hdr = tmp_path / "hdr.csv"
    hdr.write_text("sludder,vrøvl\n1,2\n", "utf-8")
    _assert_user_error(
        cli("--config", cfg, "--db", db_url, "import-register", str(hdr)),
        db_url,
        before,
        "unknown column(s) 'sludder', 'vrøvl'",
        "required column 'case_ref' is missing",
    )


def test_dry_run_writes_nothing(cfg, db_url, cli, tmp_path) -> None:
    reg = write_csv(rows(), tmp_path / "r.csv")
    before = snapshot(db_url)
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg), "--dry-run")
    assert r.code == 0 and "ville tilføje 1 sag(er), 3 henvendelse(r)" in r.out
    assert snapshot(db_url) == before


def test_create_taxonomy_adds_values_to_config(cfg, db_url, cli, tmp_path) -> None:
    data = rows(2)
    data[0]["department"] = data[1]["department"] = "Teknik og Miljø"
    data[0]["theme"] = data[1]["theme"] = "Sagsbehandlingstid"
    reg = write_csv(data, tmp_path / "r.csv")
    r = cli("--config", cfg, "--db", db_url, "import-register", str(reg), "--create-taxonomy")
    assert r.code == 0, r.err
    text_ = Path(cfg).read_text("utf-8")
    assert 'name = "Teknik og Miljø"' in text_ and "Sagsbehandlingstid" in text_
    assert "# Centres." in text_  # comments kept
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
        "theme",
        "--format",
        "json",
    )
    assert '"row": "Sagsbehandlingstid"' in r.out


def test_round_trip_is_lossless(cfg, db_url, cli, tmp_path, sqlite_url) -> None:
    src = write_csv(odsherred_register(), tmp_path / "src.csv")
    assert cli("--config", cfg, "--db", db_url, "import-register", str(src)).code == 0
    out1 = tmp_path / "out1.csv"
    assert cli("--config", cfg, "--db", db_url, "export-register", str(out1)).code == 0
    # Into a second, empty database (a SQLite file beside db_url's) and out again.
    other = sqlite_url.replace("borgerdesk.sqlite3", "other.sqlite3")
    Path(other.removeprefix("sqlite:///")).write_bytes(
        Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()
    )
    eng = make_engine(other)
    with eng.begin() as c:
        for t in ("contact", "case_", "party_email", "party_phone", "party", "imported_file"):
            c.execute(text(f'DELETE FROM "{t}"'))
    eng.dispose()
    assert cli("--config", cfg, "--db", other, "import-register", str(out1)).code == 0
    out2 = tmp_path / "out2.xlsx"
    assert cli("--config", cfg, "--db", other, "export-register", str(out2)).code == 0
    out3 = tmp_path / "out3.csv"
    write_back = cli("--config", cfg, "--db", other, "export-register", str(out3))
    assert write_back.code == 0
    assert out1.read_text("utf-8") == out3.read_text("utf-8")
    # The xlsx export re-imports to the same register too.
    third = other.replace("other.sqlite3", "third.sqlite3")
    Path(third.removeprefix("sqlite:///")).write_bytes(
        Path(other.removeprefix("sqlite:///")).read_bytes()
    )
    eng = make_engine(third)
    with eng.begin() as c:
        for t in ("contact", "case_", "party_email", "party_phone", "party", "imported_file"):
            c.execute(text(f'DELETE FROM "{t}"'))
    eng.dispose()
    assert cli("--config", cfg, "--db", third, "import-register", str(out2)).code == 0
    out4 = tmp_path / "out4.csv"
    assert cli("--config", cfg, "--db", third, "export-register", str(out4)).code == 0
    assert hashlib.sha256(out4.read_bytes()).digest() == hashlib.sha256(out1.read_bytes()).digest()
    header = out1.read_text("utf-8").splitlines()[0].split(",")
    assert tuple(header) == REGISTER_HEADER


def test_whistleblower_cases_are_not_exported_by_default(cfg, db_url, cli, tmp_path) -> None:
    src = write_csv(odsherred_register(), tmp_path / "src.csv")
    assert cli("--config", cfg, "--db", db_url, "import-register", str(src)).code == 0
    out = tmp_path / "o.csv"
    assert cli("--config", cfg, "--db", db_url, "export-register", str(out)).code == 0
    assert "2024-W1" not in out.read_text("utf-8")
    assert (
        cli(
            "--config", cfg, "--db", db_url, "export-register", str(out), "--kind", "whistleblower"
        ).code
        == 0
    )
    assert "2024-W1" in out.read_text("utf-8")


def test_xlsx_formula_text_stays_text(cfg, db_url, cli, tmp_path) -> None:
    data = rows(1)
    data[0]["summary"] = '=HYPERLINK("http://evil","klik")'
    reg = write_csv(data, tmp_path / "r.csv")
    assert cli("--config", cfg, "--db", db_url, "import-register", str(reg)).code == 0
    out = tmp_path / "o.xlsx"
    assert cli("--config", cfg, "--db", db_url, "export-register", str(out)).code == 0
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    cell = ws.cell(row=2, column=REGISTER_HEADER.index("summary") + 1)
    assert cell.data_type != "f" and cell.value == data[0]["summary"]


def test_imported_times_compare_like_orm_times(cfg, db_url, cli, tmp_path) -> None:
    """The bulk path stores times exactly as the ORM does, so equality and range
    comparisons against ORM-bound values hold (SQLite keeps datetimes as text)."""
    import datetime as dt

    from sqlmodel import Session, col, select

    from store.models import Contact

    reg = write_csv(rows(1), tmp_path / "r.csv")  # 2024-01-02 10:00 Copenhagen
    assert cli("--config", cfg, "--db", db_url, "import-register", str(reg)).code == 0
    at = dt.datetime(2024, 1, 2, 9, 0, tzinfo=dt.UTC)
    eng = make_engine(db_url)
    with Session(eng) as s:
        assert s.exec(select(Contact).where(col(Contact.occurred_at) == at)).one()
        assert s.exec(select(Contact).where(col(Contact.occurred_at) >= at)).one()
        assert s.exec(
            select(Contact).where(col(Contact.created_at) <= dt.datetime.now(dt.UTC))
        ).one()
    eng.dispose()


def test_importing_the_desks_own_export_adds_nothing(cfg, db_url, cli, tmp_path) -> None:
    """The export lists every contact of a case, mail and calls included, to the second.
    Importing it again (or an edited copy) must not add them as register contacts: the
    council's counts would double. A naive recount checks the counts stay as they were."""
    import datetime as dt

    from sqlmodel import Session, select

    from store.models import Case, Contact

    reg = write_csv(rows(), tmp_path / "r.csv")
    assert cli("--config", cfg, "--db", db_url, "import-register", str(reg)).code == 0
    eng = make_engine(db_url)
    with Session(eng) as s:
        case = s.exec(select(Case)).one()
        for i, (channel, direction, at) in enumerate(
            [
                ("email", "in", dt.datetime(2024, 1, 9, 8, 15, 37, 250000, tzinfo=dt.UTC)),
                ("email", "out", dt.datetime(2024, 1, 9, 12, 0, 5, tzinfo=dt.UTC)),
                ("phone", "in", dt.datetime(2024, 3, 31, 0, 30, 0, tzinfo=dt.UTC)),  # CEST day 1
            ]
        ):
            s.add(
                Contact(
                    channel=channel,
                    direction=direction,
                    occurred_at=at,
                    occurred_on=at.date(),
                    case_id=case.id,
                    party_id=case.party_id,
                    summary=f"fra {channel}",
                    source_ref=f"test:{i}",
                )
            )
        s.commit()

    def recount() -> dict[tuple[str, str], int]:
        with Session(eng) as s:
            out: dict[tuple[str, str], int] = {}
            for c in s.exec(select(Contact)):
                out[(c.channel, c.direction)] = out.get((c.channel, c.direction), 0) + 1
            return out

    before = recount()
    assert sum(before.values()) == 6
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"export.{suffix}"
        assert cli("--config", cfg, "--db", db_url, "export-register", str(out)).code == 0
        dry = cli("--config", cfg, "--db", db_url, "import-register", "--dry-run", str(out))
        assert dry.code == 0 and "0 henvendelse(r)" in dry.out, dry.out
        r = cli("--config", cfg, "--db", db_url, "import-register", str(out))
        assert r.code == 0, r.err
        assert recount() == before
    # One row more for a contact the case has once: the second is a contact of its own.
    again = [*rows(), rows()[0]]
    r = cli(
        "--config",
        cfg,
        "--db",
        db_url,
        "import-register",
        str(write_csv(again, tmp_path / "twice.csv")),
    )
    assert r.code == 0, r.err
    assert sum(recount().values()) == 7
    eng.dispose()
