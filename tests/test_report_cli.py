"""`borgerdesk report` argument errors: one line, exit 2."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--unit", "cases", "--rows", "category"], "give the period"),
        (
            ["--year", "2024", "--from", "2024-01-01", "--unit", "cases", "--rows", "category"],
            "either --year or --from/--to",
        ),
        (
            ["--from", "2024-02-30", "--to", "2024-03-01", "--unit", "cases", "--rows", "theme"],
            "--from 2024-02-30: not a date",
        ),
        (
            ["--from", "2024-03-01", "--to", "2024-02-01", "--unit", "cases", "--rows", "theme"],
            "--to 2024-02-01 is before --from 2024-03-01",
        ),
        (["--year", "2024", "--unit", "sager", "--rows", "category"], "--unit 'sager'"),
        (["--year", "2024", "--unit", "cases", "--rows", "farve"], "--rows 'farve'"),
        (["--year", "2024", "--unit", "cases", "--rows", "channel"], "channel is a property"),
        (
            ["--year", "2024", "--unit", "cases", "--rows", "theme", "--where", "category"],
            "--where 'category': use FIELD=VALUE",
        ),
        (
            ["--year", "2024", "--unit", "cases", "--rows", "theme", "--format", "pdf"],
            "--format 'pdf'",
        ),
        (
            ["--year", "2024", "--unit", "cases", "--rows", "theme", "--format", "xlsx"],
            "--format xlsx needs --out",
        ),
        (["--year", "2024", "--preset", "nope"], "--preset 'nope': no such preset"),
        (["--year", "2024", "--unit", "cases", "--rows", "theme", "--kind", "x"], "--kind 'x'"),
    ],
)
def test_report_errors(db_url: str, cli, args: list[str], needle: str) -> None:
    r = cli("--db", db_url, "report", *args)
    assert r.code == 2, (r.out, r.err)
    assert needle in r.err, r.err
    assert r.err.count("\n") == 1 and "Traceback" not in r.err
