"""The reply's RFC 5322 bytes: what a careful client writes, and no header injection from
hostile subjects, names or addresses."""

from __future__ import annotations

import datetime as dt
import email
from email.policy import default

import pytest

from store.outbox.message import MessageError, build, new_message_id, thread_ids

NOW = dt.datetime(2026, 12, 14, 8, 30, tzinfo=dt.UTC)


def _build(**kw: object) -> bytes:
    args: dict[str, object] = {
        "sender": "raad@odsherred.dk", "sender_name": "Borgerrådgiveren", "to": "a@example.org",
        "to_name": "Søren Ærø", "subject": "Sv: Spørgsmål om ældrepleje",
        "body": "Kære Søren\n\nÆ, ø og å.\n", "message_id": "<1.2@odsherred.dk>", "date": NOW,
        "in_reply_to": "<m1@example.org>", "references": "<m0@example.org> <m1@example.org>",
    }  # fmt: skip
    args.update(kw)
    return build(**args)  # type: ignore[arg-type]


def test_a_careful_clients_message() -> None:
    raw = _build()
    assert raw.isascii() and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = email.message_from_bytes(raw, policy=default)
    assert str(msg["Subject"]) == "Sv: Spørgsmål om ældrepleje"
    assert msg["To"].addresses[0].display_name == "Søren Ærø"
    assert msg["From"].addresses[0].addr_spec == "raad@odsherred.dk"
    assert msg["Date"] == "Mon, 14 Dec 2026 09:30:00 +0100"  # Copenhagen time
    assert msg["Message-ID"] == "<1.2@odsherred.dk>"
    assert msg["In-Reply-To"] == "<m1@example.org>"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content().replace("\r\n", "\n") == "Kære Søren\n\nÆ, ø og å.\n"
    assert "Auto-Submitted" not in msg and "Precedence" not in msg
    assert b"=?utf-8?" in raw  # RFC 2047 encoded words, not raw 8-bit headers


@pytest.mark.parametrize(
    "field",
    [
        {"subject": "Hej\r\nBcc: victim@example.org"},
        {"subject": "Hej\nBcc: victim@example.org"},
        {"to_name": "Søren\r\nBcc: victim@example.org"},
        {"to": "a@example.org\r\nBcc: victim@example.org"},
        {"sender_name": "x\rBcc: y@example.org"},
        {"in_reply_to": "<a@b>\r\nBcc: x@example.org"},
    ],
)
def test_line_breaks_in_headers_are_refused(field: dict[str, str]) -> None:
    with pytest.raises(MessageError, match="line break") as err:
        _build(**field)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "to", ["not-an-address", "a@", "@example.org", "a b@example.org", "søren@example.org",
           "a@example.org, b@example.org"],
)  # fmt: skip
def test_bad_recipient_is_one_line(to: str) -> None:
    with pytest.raises(MessageError, match="not an e-mail address"):
        _build(to=to)


def test_hostile_display_names_stay_inside_the_quotes() -> None:
    name = 'Eve "<evil@x.org>", Bcc: victim@example.org; (x) \\'
    msg = email.message_from_bytes(_build(to_name=name), policy=default)
    [addr] = msg["To"].addresses
    assert addr.addr_spec == "a@example.org" and addr.display_name == name
    assert msg["Bcc"] is None and msg["Cc"] is None


def test_thread_ids_keep_only_well_formed_ids() -> None:
    assert thread_ids("<m1@x.org>", "<m0@x.org> junk <bad>") == (
        "<m1@x.org>",
        "<m0@x.org> <m1@x.org>",
    )
    assert thread_ids("not an id", None) == (None, "")
    many = " ".join(f"<r{i}@x.org>" for i in range(40))
    _parent, refs = thread_ids("<last@x.org>", many)
    assert refs.split()[-1] == "<last@x.org>" and len(refs.split()) == 20


def test_message_id_on_the_senders_domain() -> None:
    mid = new_message_id("Raad@Odsherred.DK")
    assert mid.startswith("<") and mid.endswith("@odsherred.dk>")
    assert mid != new_message_id("raad@odsherred.dk")
