"""Two desks (two advisor roles) triage the same mail: the second is told, in Danish,
who took it; nothing of hers is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlmodel import Session

from store.concurrency import TRIAGE, ContactTaken, StaleEdit
from store.config import Config
from store.db import make_engine
from store.desk import Desk
from store.models import Case, Contact
from tui import i18n

WHEN = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_the_second_desk_is_told_who_took_the_mail_and_who_edited_the_case(
    pg_url: str, person: Callable[[str], str], odsherred_config: Config
) -> None:
    engine = make_engine(pg_url)
    with Session(engine) as s:
        case = Case(ref="2026-001", opened_on=WHEN.date())
        mail = Contact(channel="email", direction="in", occurred_at=WHEN, occurred_on=WHEN.date())
        s.add_all([case, mail])
        s.commit()
        case_id, mail_id = int(case.id or 0), int(mail.id or 0)
    engine.dispose()
    anne = Desk(make_engine(person("advisor")), odsherred_config)
    bo = Desk(make_engine(person("advisor")), odsherred_config)
    before = i18n.language()
    i18n.set_language("da")
    try:
        anne.dismiss([mail_id], "spam")
        with pytest.raises(ContactTaken) as taken:
            bo.link([mail_id], case_id, seen={mail_id: TRIAGE})
        assert taken.value.params["who"] == anne.me()
        assert i18n.error_text(taken.value).startswith(
            f"Henvendelsen er allerede taget af {anne.me()} kl. "
        )
        assert anne.case(case_id) is not None  # the case is untouched
        # A stale edit: Bo opened the case at version 1; Anne assigned it since.
        anne.assign_case(case_id, anne.me(), version=1)
        with pytest.raises(StaleEdit) as stale:
            bo.assign_case(case_id, bo.me(), version=1)
        text = i18n.error_text(stale.value)
        assert text.startswith(f"Sag 2026-001 blev ændret af {anne.me()} kl. ")
        assert "(tildeling Tildelt)" in text  # what changed, in the UI language
    finally:
        i18n.set_language(before)
        anne.engine.dispose()
        bo.engine.dispose()
