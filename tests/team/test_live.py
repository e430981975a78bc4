"""Live across the team: a change on one desk reaches another through LISTEN/NOTIFY
within a second; presence shows who else has a case open, and goes when they close it
or their desk dies."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from sqlmodel import Session

from store.config import Config
from store.db import make_engine
from store.desk import Desk
from store.models import Case
from store.team.health import checks
from store.team.presence import STALE

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def _case(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as s:
        case = Case(ref="2026-001", opened_on=NOW.date())
        s.add(case)
        s.commit()
        case_id = int(case.id or 0)
    engine.dispose()
    return case_id


def test_a_change_on_one_desk_shows_on_another_within_a_second(
    pg_url: str, person: Callable[[str], str], odsherred_config: Config
) -> None:
    case_id = _case(pg_url)
    anne = Desk(make_engine(person("advisor")), odsherred_config)
    bo = Desk(make_engine(person("advisor")), odsherred_config)
    listener = bo.change_listener()
    assert listener is not None
    try:
        assert listener.wait(0.2) == set()  # nothing happened yet
        started = time.monotonic()
        anne.assign_case(case_id, anne.me())
        changed = listener.wait(1.0)
        assert "case_" in changed and time.monotonic() - started < 1.0
    finally:
        listener.close()
        anne.engine.dispose()
        bo.engine.dispose()


def test_presence_shows_who_else_has_the_case_open(
    pg_url: str, person: Callable[[str], str], odsherred_config: Config
) -> None:
    case_id = _case(pg_url)
    now = [NOW]
    anne = Desk(make_engine(person("advisor")), odsherred_config, clock=lambda: now[0])
    bo = Desk(make_engine(person("advisor")), odsherred_config, clock=lambda: now[0])
    assert anne.open_case_presence(case_id) == []
    assert bo.open_case_presence(case_id) == [anne.me()]
    assert anne.others_on_case(case_id) == [bo.me()]
    anne.close_case_presence(case_id)
    assert bo.others_on_case(case_id) == []
    # Anne opens it again and her desk dies: no heartbeat, and after STALE she is gone,
    # while Bo's heartbeats keep him present.
    anne.open_case_presence(case_id)
    now[0] = NOW + STALE
    bo.presence_heartbeat()
    now[0] = NOW + STALE + dt.timedelta(seconds=1)
    assert bo.others_on_case(case_id) == []
    assert anne.others_on_case(case_id) == [bo.me()]
    anne.engine.dispose()
    bo.engine.dispose()


def test_sqlite_desks_poll(sqlite_url: str, odsherred_config: Config) -> None:
    desk = Desk(make_engine(sqlite_url), odsherred_config)
    assert desk.change_listener() is None
    desk.engine.dispose()


def test_without_the_triggers_a_desk_polls_and_doctor_says_why(
    pg_url: str, person: Callable[[str], str], odsherred_config: Config
) -> None:
    """A migrated database that never had `team init` (or lost a trigger) sends no
    notifications: a desk listening there would never see a colleague's change, so it
    polls (tests/tui/test_live.py shows it live on PostgreSQL), and doctor names the
    table."""
    owner = make_engine(pg_url)
    with owner.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER borgerdesk_notify ON reply_target")
    desk = Desk(make_engine(person("advisor")), odsherred_config)
    assert desk.change_listener() is None
    live = {c.name: c for c in checks(desk.engine, dt.datetime.now(dt.UTC))}["live updates"]
    assert live.ok is False and live.params == {"tables": "reply_target"}, live
    with owner.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER borgerdesk_notify AFTER INSERT OR UPDATE OR DELETE ON reply_target "
            "FOR EACH STATEMENT EXECUTE FUNCTION borgerdesk_notify()"
        )
    listener = desk.change_listener()
    assert listener is not None
    listener.close()
    live = {c.name: c for c in checks(desk.engine, dt.datetime.now(dt.UTC))}["live updates"]
    assert live.ok is True
    desk.engine.dispose()
    owner.dispose()
