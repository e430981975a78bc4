"""On a team desk the person behind a change is the database role she connects as: the
case history, her notes and the audit log all name the role, never the OS user of the
machine the desk runs on (a shared server's login names nobody)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import make_url, text

from store.audit import os_user
from store.db import make_engine
from store.desk import Desk
from tests.team.world import build
from tests.tui.conftest import NOW, make_config


def test_history_notes_and_audit_name_the_role(pg_url: str, person: Callable[[str], str]) -> None:
    ids = build(pg_url)
    url = person("advisor")
    role = str(make_url(url).username)
    assert role != os_user()
    engine = make_engine(url)
    desk = Desk(engine, make_config(), clock=lambda: NOW)
    case_id = ids["general"]
    desk.add_note(case_id, "ringede tilbage")
    desk.classify(case_id, "category", "Vejledning")
    detail = desk.case(case_id)
    engine.dispose()  # the fixture drops the database, and may not end her session
    assert detail is not None
    mine = [n for n in detail.notes if n.text == "ringede tilbage"]
    assert [n.user for n in mine] == [role]
    assert detail.history and {h.user for h in detail.history} == {role}
    owner = make_engine(pg_url)
    with owner.connect() as conn:
        users = set(
            conn.execute(
                text("SELECT os_user FROM audit_log WHERE entity = 'case' AND entity_id = :i"),
                {"i": str(case_id)},
            ).scalars()
        )
    owner.dispose()
    assert users == {role}
