"""The annual report's whistleblower section on a team's PostgreSQL comes through the
compartment's security-definer function: an advisor, who reads no compartment row,
produces the same section as the owner, and the function counts what the rows say."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from store.annual.figures import _whistleblower, _whistleblower_counts
from store.config import load_config_text, preset_text
from store.counts.period import Period
from store.db import make_engine, write_scope
from store.models import CaseCreate, Contact, ReplyTarget
from store.privacy.whistleblower import open_whistleblower_case
from store.whistleblower_facts import set_whistleblower_facts
from tests.store.test_annual_report import annual, doc_tables

CONFIG = load_config_text(preset_text("odsherred"), "odsherred")
ACK, FEEDBACK = "whistleblower-kvittering", "whistleblower-feedback"
YEAR = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
NOW = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
EXPECTED = {
    "received": 3,
    "within_scope": 2,
    "outside_scope": 1,
    "forwarded": 1,
    "examined": 2,
    "dismissed": 0,
    "criticism": 1,
    "police": 1,
    "ack_targets": 4,
    "ack_in_time": 1,
    "feedback_targets": 2,
    "feedback_in_time": 1,
}


def _at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=dt.UTC)


def _build(url: str) -> None:
    """Three reports in 2024 and one in 2023; receipts and feedback owed on them: met in
    time, met late, waived, still open, and one received before the year."""
    engine = make_engine(url)
    with write_scope(engine) as s:
        cases = []
        for i, (opened, scope, outcome) in enumerate(
            [
                (dt.date(2024, 5, 1), True, "criticism"),
                (dt.date(2024, 5, 2), True, "police"),
                (dt.date(2024, 5, 3), False, None),
                (dt.date(2023, 12, 30), True, "dismissed"),
            ]
        ):
            case = open_whistleblower_case(
                session=s,
                case_in=CaseCreate(ref=f"WB-{i}", opened_on=opened),
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
            cases.append(case.id)
        targets = [  # (rule, received, due, state, met)
            (ACK, _at(5, 1), _at(5, 8), "met", _at(5, 2)),
            (ACK, _at(5, 2), _at(5, 9), "met", _at(5, 20)),
            (ACK, _at(5, 3), _at(5, 10), "waived", None),
            (ACK, _at(12, 20), _at(12, 27), "open", None),
            (ACK, dt.datetime(2023, 12, 30, 9, tzinfo=dt.UTC), _at(1, 6), "met", _at(1, 2)),
            (FEEDBACK, _at(5, 1), _at(8, 1), "met", _at(7, 1)),
            (FEEDBACK, _at(5, 2), _at(8, 2), "open", None),
        ]
        for n, (rule, received, due, state, met) in enumerate(targets):
            contact = Contact(
                channel="email",
                direction="in",
                occurred_at=received,
                occurred_on=received.date(),
                case_id=cases[n % 3],
                summary=f"indberetning {n}",
                source_ref=f"wb:{n}",
            )
            s.add(contact)
            s.flush()
            assert contact.id is not None
            s.add(
                ReplyTarget(
                    contact_id=contact.id,
                    rule=rule,
                    received_at=received,
                    due_at=due,
                    due_soon_at=due,
                    state=state,
                    met_at=met,
                )
            )
    engine.dispose()


def _section(url: str) -> dict[str, object]:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return dataclasses.asdict(_whistleblower(s, CONFIG, YEAR, NOW))
    finally:
        engine.dispose()


def test_an_advisor_counts_the_whistleblower_section_without_reading_it(
    pg_url: str, person: Callable[[str], str]
) -> None:
    _build(pg_url)
    advisor = person("advisor")
    owner_section = _section(pg_url)
    assert _section(advisor) == owner_section
    assert owner_section["received"] == 3
    assert owner_section["outcomes"] == (("dismissed", 0), ("criticism", 1), ("police", 1))
    assert (owner_section["ack_in_time"], owner_section["ack_targets"]) == (1, 4)
    assert (owner_section["feedback_in_time"], owner_section["feedback_targets"]) == (1, 2)
    # The advisor read none of it: the rows are sealed from her.
    engine = make_engine(advisor)
    with engine.connect() as conn:
        for table in ("case_", "whistleblower_facts", "reply_target", "contact"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    engine.dispose()
    # The function counts what the rows say (the owner reads every row).
    engine = make_engine(pg_url)
    with Session(engine) as s:
        rules_ack, rules_fb = [ACK], [FEEDBACK]
        assert _whistleblower_counts(s, CONFIG, YEAR, NOW, rules_ack, rules_fb) == EXPECTED
    engine.dispose()


def test_the_advisors_annual_report_has_the_owners_whistleblower_section(
    pg_url: str,
    person: Callable[[str], str],
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    _build(pg_url)
    cfg = tmp_path / "c.toml"
    assert cli("--config", str(cfg), "init", "--preset", "odsherred").code == 0
    rows = {}
    for who, url in (("owner", pg_url), ("advisor", person("advisor"))):
        out = annual(cli, str(cfg), url, tmp_path / f"{who}.docx", "--year", "2024")
        rows[who] = [row for t in doc_tables(out) for row in t]
    assert ["Indberetninger modtaget", "3"] in rows["advisor"]
    assert ["Udfald: kritik", "1"] in rows["advisor"]
    assert rows["advisor"] == rows["owner"]
