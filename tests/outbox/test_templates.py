"""Reply templates: config validation, Danish dates on the targets' calendar, and a
substitution that never reads citizen text as a template."""

from __future__ import annotations

import datetime as dt

import pytest

from store.config import ConfigError, load_config_text, preset_text
from store.config.replies import Replies
from store.config.templates import default_templates
from store.outbox.templates import ReplyContext, danish_date, expected_date, render

BASE = preset_text("odsherred")
ONE = 'municipality = "X"\n[[replies.templates]]\nname = "mine"\nsubject = "s"\n'


def _replies() -> Replies:
    return load_config_text(BASE, "test.toml").replies


@pytest.mark.parametrize("preset", ["odsherred", "haderslev"])
def test_presets_carry_the_defaults_with_their_comments(preset: str) -> None:
    text = preset_text(preset)
    assert load_config_text(text, preset).replies.templates == default_templates()
    assert "# An acknowledgement with a concrete date" in text


def test_a_config_without_templates_uses_the_defaults() -> None:
    cfg = load_config_text('municipality = "X"\n', "bare.toml")
    assert [t.name for t in cfg.replies.templates] == ["kvittering", "forsinkelse", "afslutning"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Hej {fornavm}", "template 'mine', key body: unknown variable {fornavm}"),
        ("Hej {fornavn", "template 'mine', key body: a lone '{'"),
        ("Hej {0.__class__}", "unknown variable {0.__class__}"),
    ],
)
def test_a_bad_placeholder_is_a_config_error_naming_template_and_key(body: str, words: str) -> None:
    toml = ONE + f'body = "{body}"\n'
    with pytest.raises(ConfigError) as err:
        load_config_text(toml, "c.toml")
    line = str(err.value)
    assert "c.toml" in line and words in line and "\n" not in line


def test_an_unknown_kind_names_the_key() -> None:
    toml = ONE + 'body = "b"\nkind = "spam"\n'
    with pytest.raises(ConfigError, match=r"replies\.templates\[0\]\.kind"):
        load_config_text(toml, "c.toml")


def test_danish_dates() -> None:
    assert danish_date(dt.date(2026, 12, 14)) == "mandag den 14. december"
    assert danish_date(dt.date(2027, 5, 1)) == "lørdag den 1. maj"


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        # Friday before Christmas 2026: 24 (closed), 25, 26 and the weekend skipped.
        (dt.date(2026, 12, 18), 5, dt.date(2026, 12, 29)),
        # Across Easter 2026: Maundy Thursday 2 Apr, Good Friday 3 Apr, Easter Monday 6 Apr.
        (dt.date(2026, 3, 27), 5, dt.date(2026, 4, 8)),
        # Across New Year: 31 Dec closed, 1 Jan a holiday.
        (dt.date(2026, 12, 30), 1, dt.date(2027, 1, 4)),
        # Asked on a Sunday with 0 days: the next working day.
        (dt.date(2026, 12, 13), 0, dt.date(2026, 12, 14)),
    ],
)
def test_expected_date_counts_danish_working_days(
    today: dt.date, days: int, expected: dt.date
) -> None:
    replies = _replies()
    assert expected_date(replies, today, days) == expected


def test_render_fills_danish_text_and_keeps_citizen_text_inert() -> None:
    replies = _replies()
    ctx = ReplyContext(
        name="Ærø {underskrift} Østergård",
        case_ref="BR-2026-0007",
        subject="Re: {forventet_dato} {{x}} æøå",
        received=dt.datetime(2026, 12, 14, 8, 30, tzinfo=dt.UTC),
    )
    out = render(replies.template("kvittering"), replies, ctx, today=dt.date(2026, 12, 18))
    assert out.subject == "Re: {forventet_dato} {{x}} æøå"
    assert out.body.startswith("Kære Ærø\n")
    assert "modtog mandag den 14. december kl. 09.30" in out.body  # 08:30 UTC = 09:30 CET
    assert "senest tirsdag den 29. december" in out.body
    assert out.body.rstrip().endswith("Borgerrådgiveren, Odsherred Kommune")
    assert out.expected == dt.date(2026, 12, 29)


def test_render_takes_an_expected_date_from_the_dialog_and_literal_braces() -> None:
    extra = (
        '\n[[replies.templates]]\nname = "x"\nsubject = "Sv: {emne}"\n'
        'body = "{{sag}} er {sag}; svar {forventet_dato}; {navn}"\n'
    )
    text = BASE.replace("[reports]", extra + "\n[reports]", 1)
    replies = load_config_text(text, "t").replies
    ctx = ReplyContext(
        name=None, case_ref="K-1", subject=None, received=dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    )
    out = render(
        replies.template("x"),
        replies,
        ctx,
        today=dt.date(2026, 7, 1),
        expected=dt.date(2026, 7, 10),
    )
    assert out.body == "{sag} er K-1; svar fredag den 10. juli; borger"
    assert out.subject == "Sv: Din henvendelse"
