"""Shared fixtures: real databases (SQLite files; PostgreSQL when
BORGERDESK_TEST_DATABASE_URL is set, for the store suite), configs, and the CLI."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from store.config import Config, load_config_text, preset_text
from store.db import make_engine, upgrade

PG_URL = os.environ.get("BORGERDESK_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; each test gets a copy (migrating per test
    would cost ~0.3 s each)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_migrated() -> str | None:
    if not PG_URL:
        return None
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(PG_URL)
    return PG_URL


def _truncate_pg(url: str) -> None:
    import store.models  # noqa: F401

    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A fresh, migrated SQLite database file."""
    dest = tmp_path / "db" / "borgerdesk.sqlite3"
    dest.parent.mkdir(mode=0o700)
    shutil.copyfile(_sqlite_template, dest)
    os.chmod(dest, 0o600)
    return f"sqlite:///{dest}"


@pytest.fixture
def db_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """The store suite's database: PostgreSQL in CI's second pass, else SQLite."""
    if PG_URL and "tests/store" in str(request.node.path).replace(os.sep, "/"):
        url = request.getfixturevalue("_pg_migrated")
        _truncate_pg(url)
        return str(url)
    return sqlite_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def odsherred_config() -> Config:
    return load_config_text(preset_text("odsherred"), "odsherred")


@pytest.fixture
def haderslev_config() -> Config:
    return load_config_text(preset_text("haderslev"), "haderslev")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run the console script in-process: `cli("report", "--year", "2024")`.

    HOME and the XDG dirs point into tmp_path so no test touches the user's real config.
    """
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("BORGERDESK_CONFIG", raising=False)
    monkeypatch.delenv("BORGERDESK_DATABASE_URL", raising=False)
    from borgerdesk.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def pytest_report_header(config: pytest.Config) -> str:
    return (
        f"store database: {'PostgreSQL' if PG_URL else 'SQLite'}; python {sys.version.split()[0]}"
    )
