"""The file-hash ledger is per kind of import (store.ledger): a file imported as a register
is not "already imported" for `import-calls`, nor a call list for `import-register`. The
other import judges the bytes itself (here: refuses them as not its format, one line,
exit 2), and importing a file again as the same kind still does nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.db import make_engine
from store.samples import odsherred_register, write_register_csv
from tests.ingest.phone.samples import DK_HEADER, config_text, csv_bytes, dk_rows, table_counts


@pytest.fixture
def run(tmp_path: Path, sqlite_url: str, cli):
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_text(), "utf-8")

    def go(*args: str):
        return cli("--config", str(cfg), "--db", sqlite_url, *args)

    return go


def _refused(r, what: str) -> None:
    assert r.code == 2, (r.out, r.err)
    assert "allerede importeret" not in r.out + r.err
    assert "Traceback" not in r.out + r.err
    assert what in r.err, r.err


def test_register_then_calls(run, tmp_path: Path, sqlite_url: str) -> None:
    reg = write_register_csv(odsherred_register()[:20], tmp_path / "register.csv")
    r = run("import-register", str(reg))
    assert r.code == 0, r.err
    engine = make_engine(sqlite_url)
    before = table_counts(engine)
    _refused(run("import-calls", str(reg)), "unknown header")
    assert table_counts(engine) == before
    r = run("import-register", str(reg))
    assert r.code == 0 and "allerede importeret" in r.out, r.out
    assert table_counts(engine) == before
    engine.dispose()


def test_calls_then_register(run, tmp_path: Path, sqlite_url: str) -> None:
    calls = tmp_path / "uge40.csv"
    calls.write_bytes(csv_bytes(DK_HEADER, dk_rows()))
    r = run("import-calls", str(calls))
    assert r.code == 0 and "importerede 6 opkald" in r.out, r.out
    engine = make_engine(sqlite_url)
    before = table_counts(engine)
    _refused(run("import-register", str(calls)), "unknown column")
    assert table_counts(engine) == before
    r = run("import-calls", str(calls))
    assert r.code == 0 and "allerede importeret" in r.out, r.out
    assert table_counts(engine) == before
    engine.dispose()
