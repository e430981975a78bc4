"""`doctor` on PostgreSQL checks the role's grants, row-level security and the server's
clock; through the CLI, as a desk person would run it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from borgerdesk.commands.demo import demo_config_text
from store.db import make_engine
from store.team.health import checks


def _config(tmp_path: Path, lang: str = "da") -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(mode=0o700)
    cfg = tmp_path / "c.toml"
    text = demo_config_text("odsherred", port=1, username="x", inbox=inbox)
    assert 'language = "da"' in text
    cfg.write_text(text.replace('language = "da"', f'language = "{lang}"'), "utf-8")
    return cfg


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one line per check


def test_doctor_as_an_advisor_passes_the_team_checks(
    cli, tmp_path: Path, pg_url: str, person: Callable[[str], str]
) -> None:
    """Danish by default, as every line doctor prints."""
    r = cli("--config", str(_config(tmp_path)), "--db", person("advisor"), "doctor", "--skip-mail")
    assert "rettighederne er som de skal være" in r.out, r.out
    assert "slået til på alle" in r.out
    assert "databaseserveren og denne maskine afviger" in r.out
    assert "FEJL" not in r.out.split("databaserolle")[1], r.out
    for english in ("grants as expected", "on for all", "database role", "differ by"):
        assert english not in r.out, r.out


def test_doctor_team_checks_in_english_when_chosen(
    cli, tmp_path: Path, pg_url: str, person: Callable[[str], str]
) -> None:
    url = person("advisor")
    owner = make_engine(pg_url)
    with owner.begin() as conn:
        conn.exec_driver_sql("GRANT DELETE ON audit_log TO borgerdesk_advisor")
    owner.dispose()
    r = cli("--config", str(_config(tmp_path, "en")), "--db", url, "doctor", "--skip-mail")
    assert r.code == 1, r.out
    role = next(line for line in r.out.splitlines() if "database role" in line)
    assert "FAIL" in role and "DELETE on audit_log granted" in role, r.out
    assert "on for all" in r.out and "database server and this machine differ by" in r.out
    (tmp_path / "da").mkdir()
    r = cli("--config", str(_config(tmp_path / "da", "da")), "--db", url, "doctor", "--skip-mail")
    role = next(line for line in r.out.splitlines() if "databaserolle" in line)
    assert "FEJL" in role and "DELETE på audit_log er givet" in role, r.out


def test_doctor_fails_when_the_compartment_is_open_or_grants_are_wrong(
    pg_url: str, person: Callable[[str], str]
) -> None:
    url = person("advisor")
    owner = make_engine(pg_url)
    with owner.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE contact DISABLE ROW LEVEL SECURITY")
        conn.exec_driver_sql("GRANT DELETE ON audit_log TO borgerdesk_advisor")
    owner.dispose()
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    got = {c.name: c for c in checks(engine, now)}
    assert got["row-level security"].ok is False and "contact" in got["row-level security"].detail
    assert got["database role"].ok is False
    assert "DELETE on audit_log granted" in got["database role"].detail
    assert got["database clock"].ok is True
    skewed = {c.name: c for c in checks(engine, now + dt.timedelta(minutes=5))}
    assert skewed["database clock"].ok is False
    engine.dispose()
