"""apply_contacts: which contacts owe a reply, and which replies meet them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from store.config import Config
from store.db import session_scope
from tests.store._replies_support import cph, mail, target


@pytest.fixture
def s(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def cfg() -> Config:
    return Config.model_validate(
        {"replies": {"internal_domains": ["kommune.dk"], "ignore_senders": ["noreply@skat.dk"]}}
    )


def test_inbound_mail_gets_a_target_due_in_48_working_hours(s: Session, cfg: Config) -> None:
    m = mail(s, cfg, at=cph(2024, 3, 22, 15))  # Friday
    t = target(s, m)
    assert t.state == "open"
    assert t.due_at == cph(2024, 3, 26, 15)
    assert t.due_soon_at == cph(2024, 3, 26, 7)


def test_reply_in_sent_folder_stored_before_the_inbound_mail(s: Session, cfg: Config) -> None:
    reply = mail(s, cfg, at=cph(2024, 3, 25, 9), direction="out", in_reply_to="<first@x>",
                 addr="someone-else@example.dk")
    m = mail(s, cfg, at=cph(2024, 3, 22, 15), message_id="<first@x>")
    t = target(s, m)
    assert (t.state, t.met_by_contact_id, t.met_at) == ("met", reply.id, cph(2024, 3, 25, 9))
