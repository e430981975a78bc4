"""Fixtures shared by the store's report tests: the two published registers imported
through the CLI into the test database (SQLite, or PostgreSQL in CI's second pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.samples import haderslev_register, odsherred_register
from tests.store.registers import write_csv, write_xlsx


@pytest.fixture
def odsherred_db(tmp_path: Path, db_url: str, cli, request: pytest.FixtureRequest) -> str:
    cfg = tmp_path / "odsherred.toml"
    assert cli("--config", str(cfg), "init", "--preset", "odsherred").code == 0
    fmt = getattr(request, "param", "csv")
    rows = odsherred_register()
    if fmt == "xlsx":
        reg = write_xlsx(rows, tmp_path / "register.xlsx")
    else:
        # Exported from Danish Excel: semicolons and cp1252.
        reg = write_csv(rows, tmp_path / "register.csv", delimiter=";", encoding="cp1252")
    r = cli("--config", str(cfg), "--db", db_url, "import-register", str(reg))
    assert r.code == 0, r.err
    return str(cfg)


@pytest.fixture
def haderslev_db(tmp_path: Path, db_url: str, cli) -> str:
    cfg = tmp_path / "haderslev.toml"
    assert cli("--config", str(cfg), "init", "--preset", "haderslev").code == 0
    reg = write_csv(haderslev_register(), tmp_path / "register.csv", delimiter="\t")
    r = cli("--config", str(cfg), "--db", db_url, "import-register", str(reg))
    assert r.code == 0, r.err
    return str(cfg)
