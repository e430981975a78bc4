"""`borgerdesk annual-report` (issue 18 §3, §4): the published tables of DOMAIN.md found
exactly in the .docx's tables, charts as images, hostile labels as plain text, the
whistleblower section without identities, the advisor's text, English, and the
Statistik screen's comparison and export."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document

from store.config import load_config
from store.counts.rules import render
from store.db import make_engine, session_scope, write_scope
from store.desk.stats import compare_stats, export_annual_report, parse_stats_period
from store.errors import UserError
from store.models import CaseCreate
from store.privacy.whistleblower import open_whistleblower_case
from store.whistleblower_facts import set_whistleblower_facts
from tests.store.registers import write_csv
from tests.store.test_counts_published import (
    CATS,
    CENTRES,
    CONTACTS_2024,
    HADERSLEV,
    PARTIES_2024,
)
from tests.store.test_register_import import rows

ROOT = Path(__file__).resolve().parents[2]
H_PERIOD = ["--from", "2021-08-01", "--to", "2021-12-31"]


def doc_tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(path)).tables]


def doc_text(path: Path) -> str:
    d = Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def annual(cli, cfg: str, db: str, out: Path, *args: str) -> Path:  # type: ignore[no-untyped-def]
    r = cli("--config", cfg, "--db", db, "annual-report", *args, "--out", str(out))
    assert r.code == 0, r.err
    said = "wrote" if 'language = "en"' in Path(cfg).read_text("utf-8") else "skrev"
    assert r.out.strip() == f"{said} {out}"
    return out


def published(table: str) -> list[list[str]]:
    """A DOMAIN.md table as the document must show it: the centre, the cells ('-' is a
    blank cell, as published) and the Sum column; then the Sum row."""
    lines = [line.split() for line in table.strip().splitlines()]
    labels = [*CENTRES, "Sum"]
    return [[labels[i], *("" if v == "-" else v for v in line)] for i, line in enumerate(lines)]


def test_odsherred_2024_published_tables_are_in_the_document(
    odsherred_db: str, db_url: str, cli, tmp_path: Path
) -> None:
    out = annual(cli, odsherred_db, db_url, tmp_path / "aarsrapport.docx", "--year", "2024")
    tables = doc_tables(out)
    for expected in (PARTIES_2024, CONTACTS_2024):
        want = [["Afdeling", *CATS, "Sum"], *published(expected)]
        assert want in tables, want
    # one chart per preset table and the 48-hour chart, embedded as images
    d = Document(str(out))
    assert len(d.inline_shapes) == 3
    blobs = [r.target_part.blob for r in d.part.rels.values() if "image" in r.reltype]
    assert len(blobs) >= 1 and all(b.startswith(b"\x89PNG") for b in blobs)
    text = doc_text(out)
    for needle in (
        "Odsherred Kommune",
        "Borgerrådgiverens årsrapport",
        "1. januar – 31. december 2024",
        "Nøgletal",
        "Svar inden for 48 timer",
        "Whistleblowerordningen",
        "Bilag: Sådan er der talt",
        "Anbefalinger",
    ):
        assert needle in text, needle
    # key figures: this period, the previous one, the change
    key = next(
        t
        for t in tables
        if t[0][1:] == ["1. januar – 31. december 2024", "1. januar – 31. december 2023", "Ændring"]
    )
    assert key[1][:2] == ["Henvendere (forskellige personer og virksomheder)", "285"]
    assert key[2][:2] == ["Henvendelser", "833"]


def test_haderslev_published_figures_are_in_the_document(
    haderslev_db: str, db_url: str, cli, tmp_path: Path
) -> None:
    out = annual(cli, haderslev_db, db_url, tmp_path / "beretning.docx", *H_PERIOD)
    tables = doc_tables(out)
    rows_seen = [row for t in tables for row in t]
    for name, (_, expected) in HADERSLEV.items():
        for key, n in expected.items():
            if isinstance(key, tuple):
                row, col = key
                t = next(t for t in tables if col in t[0] and any(r[0] == row for r in t))
                line = next(r for r in t if r[0] == row)
                assert line[t[0].index(col)] == str(n), (name, key)
            else:
                assert any(r[:2] == [key, str(n)] for r in rows_seen), (name, key, n)
    # Tabel 3's Sum row with the complaint share, as published: 111 (60 complaints, 54 %)
    assert ["Sum", "60", "51", "111", "54 %"] in rows_seen
    assert len(Document(str(out)).inline_shapes) == 7 + 1


def test_html_is_self_contained(haderslev_db: str, db_url: str, cli, tmp_path: Path) -> None:
    out = annual(cli, haderslev_db, db_url, tmp_path / "beretning.html", *H_PERIOD)
    html = out.read_text("utf-8")
    assert html.count('src="data:image/png;base64,') == 8
    assert not re.search(r"""(src|href)=["'](?!data:)""", html)  # nothing fetched
    assert "<script" not in html and "<style>" in html
    assert '<td>Sum</td><td class="n">60</td>' in html


def test_hostile_labels_and_text_stay_text(cfg_path: str, db_url: str, cli, tmp_path: Path) -> None:
    hostile = "{{ 7*7 }} <script>alert(1)</script> $x^2$ {% if %} =cmd|'/C calc'!A0"
    data = rows(2)
    for row in data:
        row["category"] = hostile
    reg = write_csv(data, tmp_path / "r.csv")
    r = cli("--config", cfg_path, "--db", db_url, "import-register", str(reg), "--create-taxonomy")
    assert r.code == 0, r.err
    own = tmp_path / "tekst.md"
    own.write_text(
        "# Anbefalinger\n\n<b>fed</b> {{ navn }} [link](http://x)\n\n- punkt $a$\n", "utf-8"
    )
    docx = annual(cli, cfg_path, db_url, tmp_path / "r.docx", "--year", "2024", "--text", str(own))
    text = doc_text(docx)
    assert hostile in text and "49" not in text.replace("2024", "")
    assert "<b>fed</b> {{ navn }} [link](http://x)" in text and "punkt $a$" in text
    html = annual(
        cli, cfg_path, db_url, tmp_path / "r.html", "--year", "2024", "--text", str(own)
    ).read_text("utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;fed&lt;/b&gt; {{ navn }}" in html


@pytest.fixture
def cfg_path(tmp_path: Path, cli) -> str:
    path = tmp_path / "c.toml"
    assert cli("--config", str(path), "init", "--preset", "odsherred").code == 0
    return str(path)


def test_whistleblower_section_counts_without_identities(
    cfg_path: str, db_url: str, cli, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    with write_scope(engine) as s:
        for i, (scope, outcome) in enumerate(
            [(True, "criticism"), (True, "police"), (False, None)]
        ):
            case = open_whistleblower_case(
                session=s,
                case_in=CaseCreate(
                    ref=f"WB-{i}", kind="whistleblower", opened_on=dt.date(2024, 5, 1 + i)
                ),
                reporter={"name": "Hemmelig Hansen", "email": "kilde@example.dk"},
            )
            assert case.id is not None
            set_whistleblower_facts(
                session=s,
                case_id=case.id,
                in_scope=scope,
                forwarded=not scope,
                examined=scope,
                outcome=outcome,
            )
        with pytest.raises(UserError, match="outcome 'fyret'"):
            set_whistleblower_facts(
                session=s,
                case_id=case.id,
                in_scope=None,
                forwarded=False,
                examined=False,
                outcome="fyret",
            )
    engine.dispose()
    out = annual(cli, cfg_path, db_url, tmp_path / "r.docx", "--year", "2024")
    rows_seen = [row for t in doc_tables(out) for row in t]
    for label, n in [
        ("Indberetninger modtaget", "3"),
        ("Inden for ordningens område", "2"),
        ("Uden for ordningens område", "1"),
        ("Videresendt til anden myndighed", "1"),
        ("Undersøgt", "2"),
        ("Udfald: kritik", "1"),
        ("Udfald: politianmeldt", "1"),
        ("Udfald: afvist", "0"),
    ]:
        assert [label, n] in rows_seen, label
    for path in (out, annual(cli, cfg_path, db_url, tmp_path / "r.html", "--year", "2024")):
        data = doc_text(path) if path.suffix == ".docx" else path.read_text("utf-8")
        assert "Hemmelig" not in data and "kilde@example.dk" not in data and "WB-" not in data


def test_english_when_the_ui_is_english(cfg_path: str, db_url: str, cli, tmp_path: Path) -> None:
    p = Path(cfg_path)
    p.write_text(p.read_text("utf-8").replace('language = "da"', 'language = "en"'), "utf-8")
    text = doc_text(annual(cli, cfg_path, db_url, tmp_path / "r.docx", "--period", "2024"))
    assert "The citizens' advisor's annual report" in text
    assert (
        "1 January – 31 December 2024" in text
        and "Appendix: How the figures are counted" in text
        and "Nøgletal" not in text
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--year", "2024", "--out", "r.pdf"], "the file name must end in .docx or .html"),
        (["--year", "2024", "--out", "nope/r.docx"], "does not exist"),
        (["--period", "2024Q9", "--out", "r.docx"], "--period '2024Q9': not a period"),
        (["--year", "2024", "--preset", "x", "--out", "r.docx"], "report preset 'x' not found"),
        (["--year", "2024", "--text", "missing.md", "--out", "r.docx"], "no such file"),
        (["--year", "2024", "--text", "/dev/zero", "--out", "r.docx"], "not a regular file"),
    ],
)
def test_bad_arguments_are_one_line_and_write_nothing(
    cfg_path: str, db_url: str, cli, tmp_path: Path, monkeypatch, args: list[str], needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    r = cli("--config", cfg_path, "--db", db_url, "annual-report", *args)
    assert r.code == 2 and needle in r.err and r.err.count("\n") == 1, r.err
    assert set(tmp_path.iterdir()) == before


def test_statistik_compares_with_the_previous_period_and_exports_the_report(
    haderslev_db: str, db_url: str, tmp_path: Path
) -> None:
    config, _ = load_config(Path(haderslev_db))
    engine = make_engine(db_url)
    a, b = parse_stats_period(config, "2021H2", today=dt.date(2022, 1, 5))
    assert (a, b) == (dt.date(2021, 7, 1), dt.date(2021, 12, 31))
    with pytest.raises(UserError, match="period '2021H3': not a period"):
        parse_stats_period(config, "2021H3", today=dt.date(2022, 1, 5))
    with session_scope(engine) as s:
        cmp = compare_stats(
            session=s,
            config=config,
            preset=None,
            start=dt.date(2021, 8, 1),
            end=dt.date(2021, 12, 31),
        )
        assert (cmp.previous_start, cmp.previous_end) == (dt.date(2021, 3, 1), dt.date(2021, 7, 31))
        assert cmp.period_name == "1. august – 31. december 2021"
        sum_row = cmp.tables[0].rows[-1]
        assert sum_row.label == "Sum" and sum_row.current == 111
        assert sum_row.change == 111 - sum_row.previous
        # departments of both organisations appear: each side has its own
        labels = [r.label for r in cmp.tables[0].rows]
        assert "Teknik og Klima" in labels
        out = export_annual_report(
            session=s,
            config=config,
            preset=None,
            start=dt.date(2021, 8, 1),
            end=dt.date(2021, 12, 31),
            path=str(tmp_path / "fra-skærmen.html"),
        )
    engine.dispose()
    assert "Tabel 9: Temaer" in Path(out).read_text("utf-8")


def test_counting_docs_and_appendix_come_from_one_source() -> None:
    assert (ROOT / "docs" / "counting.md").read_text("utf-8") == render(), (
        "docs/counting.md is stale: uv run python -c "
        "'from store.counts.rules import write; write()'"
    )


def test_other_commands_do_not_load_docx_or_matplotlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys, borgerdesk.cli, store.desk.stats, store.annual, store.counts.render; "
        "print(sorted(m for m in ('docx', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"
