"""Header decoding is linear and bounded: a subject of millions of encoded words is kept
and flagged, never a minute of parsing, never dropped."""

from __future__ import annotations

import base64
from email.header import decode_header
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlmodel import Session

from ingest.mail.parse import (
    MAX_ENCODED_WORDS,
    decode_bytes,
    decode_header_value,
    parse_message,
)
from ingest.mail.sync import sync_all
from store.models import EmailMessage


def bomb(words: int) -> bytes:
    subject = " ".join(
        f"=?utf-8?b?{base64.b64encode(f'ord{i} '.encode()).decode()}?=" for i in range(words)
    )
    return (
        f"From: borger@example.org\r\nSubject: {subject}\r\n"
        "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n\r\nMin sag.\r\n"
    ).encode()


def stdlib(value: str) -> str:
    """What the stdlib's decode_header gives (the behaviour kept, without its cost)."""
    return "".join(
        decode_bytes(c, cs) if isinstance(c, bytes) else c for c, cs in decode_header(value)
    ).strip()


WORD = st.builds(
    lambda text, cs, enc: (
        f"=?{cs}?b?{base64.b64encode(text.encode(cs, 'replace')).decode()}?="
        if enc == "b"
        else f"=?{cs}?q?{''.join(f'={b:02X}' for b in text.encode(cs, 'replace'))}?="
    ),
    st.text(alphabet="abc æøå ÆØÅ-", min_size=1, max_size=8),
    st.sampled_from(["utf-8", "iso-8859-1"]),
    st.sampled_from(["b", "q"]),
)


@given(st.lists(st.one_of(WORD, st.sampled_from(["Sv:", "re", "(sag)", " "])), max_size=8))
def test_decoding_agrees_with_the_stdlib(parts: list[str]) -> None:
    value = " ".join(parts)
    assert decode_header_value(value) == stdlib(value)


def test_a_character_split_across_two_words_is_whole() -> None:
    data = "Spørgsmål".encode()
    value = (
        f"=?utf-8?b?{base64.b64encode(data[:3]).decode()}?= "
        f"=?utf-8?b?{base64.b64encode(data[3:]).decode()}?="
    )
    assert decode_header_value(value) == "Spørgsmål"


def test_a_subject_of_too_many_encoded_words_is_read_in_part_and_flagged() -> None:
    p = parse_message(bomb(MAX_ENCODED_WORDS + 10))
    assert p.subject is not None and p.subject.startswith("ord0 ord1 ")
    assert f"ord{MAX_ENCODED_WORDS - 1}" in p.subject and f"ord{MAX_ENCODED_WORDS}" not in p.subject
    assert p.parse_error == (
        f"headers: Subject holds more than {MAX_ENCODED_WORDS:,} encoded "
        "words; only the first are read (the raw message keeps all)"
    )
    assert p.text == "Min sag." and p.sent_at is not None


def test_a_3_mb_subject_is_read_in_part_and_flagged() -> None:
    p = parse_message(bomb(130_000))  # 3.4 MB: a minute of parsing before the bound
    assert p.parse_error is not None and p.parse_error.startswith(
        "headers: Subject is longer than 100,000 characters; only its start is read"
    )
    assert p.text == "Min sag." and p.subject and p.subject.startswith("ord0 ord1 ")


def test_such_a_subject_syncs_kept_and_flagged(
    make_server: Any, make_config: Any, password_env: Any, engine: Engine
) -> None:
    raw = bomb(3 * MAX_ENCODED_WORDS)  # pymap itself would take minutes over 3 MB
    srv = make_server({"INBOX": [raw]})
    password_env(srv)
    reports = sync_all(engine=engine, config=make_config(srv, folders=["INBOX"]))
    assert reports[0].error is None and reports[0].new == 1
    with Session(engine) as s:
        m = s.execute(select(EmailMessage)).scalar_one()
    assert m.raw == raw and m.text == "Min sag."
    assert m.parse_error is not None and "encoded words; only the first" in m.parse_error
    assert m.subject is not None and f"ord{MAX_ENCODED_WORDS}" not in m.subject
