"""`borgerdesk followups | ack | no-reply | compliance | replies recompute` through the
console script's entry point, on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from store.config import Config
from store.db import make_engine, session_scope
from store.models import AuditLog, ReplyTarget
from tests.store._replies_support import cph, mail

CONFIG = """
[replies]
internal_domains = ["kommune.dk"]
"""


@pytest.fixture
def env(tmp_path: Path, db_url: str, cli):
    cfg_path = tmp_path / "config.toml"
    cfg_path.write_text(CONFIG, "utf-8")
    engine = make_engine(db_url)
    cfg = Config()
    with session_scope(engine) as s:
        a = mail(s, cfg, at=cph(2024, 3, 26, 15), addr="knud@example.dk")  # due 2 Apr 15:00
        b = mail(s, cfg, at=cph(2024, 3, 22, 15), addr="lis@example.dk")  # due 26 Mar 15:00
        mail(s, cfg, at=cph(2024, 3, 25, 9), direction="out", addr="lis@example.dk")
        c = mail(s, cfg, at=cph(2024, 3, 27, 10), addr="ole@example.dk\x1b[31m")  # due 3 Apr
        ids = {"a": a.id, "b": b.id, "c": c.id}

    def run(*args: str, config: Path = cfg_path):
        return cli("--config", str(config), "--db", db_url, *args)

    yield run, engine, ids, tmp_path
    engine.dispose()


def one_line_error(r) -> str:
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith("borgerdesk: error: ")
    assert "Traceback" not in r.err + r.out
    return lines[0]


def test_followups_json(env) -> None:
    run, _, ids, _ = env
    r = run("followups", "--now", "2024-04-02T15:30+02:00", "--status", "all", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [d["contact_id"] for d in data] == [ids["b"], ids["a"], ids["c"]]
    assert [d["status"] for d in data] == ["met", "overdue", "pending"]
    assert set(data[0]) == {
        "contact_id",
        "case_ref",
        "party",
        "channel",
        "received_at",
        "due_at",
        "status",
        "rule",
        "explanation",
    }
    assert data[1]["due_at"] == "2024-04-02T15:00:00+02:00"
    assert data[1]["received_at"] == "2024-03-26T15:00:00+01:00"
    assert data[1]["case_ref"] is None and data[1]["party"] == "knud@example.dk"


@pytest.mark.parametrize(
    ("now", "status", "expect"),
    [
        ("2024-04-02T15:30", "overdue", ["a"]),
        ("2024-04-02T15:30", "pending", ["c"]),
        ("2024-04-02T15:30", "due-soon", []),
        ("2024-04-03T05:00+02:00", "due-soon", ["c"]),
        ("2024-04-03T05:00+02:00", "open", ["a", "c"]),
        ("2024-04-03T05:00+02:00", "met", ["b"]),
        ("2024-04-03T05:00+02:00", "met-late", []),
    ],
)
def test_followups_status_filter(env, now: str, status: str, expect: list[str]) -> None:
    run, _, ids, _ = env
    r = run("followups", "--now", now, "--status", status, "--format", "json")
    assert r.code == 0, r.err
    assert [d["contact_id"] for d in json.loads(r.out)] == [ids[k] for k in expect]


def test_followups_table_is_plain_text(env, tmp_path: Path) -> None:
    run, _, ids, _ = env
    english = tmp_path / "en.toml"
    english.write_text('language = "en"\n' + CONFIG, "utf-8")
    r = run("followups", "--now", "2024-04-02T15:30", config=english)
    assert r.code == 0, r.err
    assert f"#{ids['a']}  overdue   due Tue 2 Apr 15:00  email  knud@example.dk" in r.out
    assert "28 Mar–1 Apr are Easter holidays" in r.out
    assert "\x1b" not in r.out  # a terminal escape in an address is neutralised
    # Danish by default: status, due time, channel and explanation.
    r = run("followups", "--now", "2024-04-02T15:30")
    assert r.code == 0, r.err
    assert f"#{ids['a']}  overskredet  frist tir. 2. apr. 15:00  mail  knud@example.dk" in r.out
    assert "påskehelligdage" in r.out and "[indbakke]" in r.out, r.out
    assert run("followups", "--now", "2024-04-02T15:30", "--status", "waived").out.strip() == (
        "ingen svarfrister med status waived"
    )
    assert (
        run(
            "followups", "--now", "2024-04-02T15:30", "--status", "waived", config=english
        ).out.strip()
        == "no reply targets with status waived"
    )
    # Seen months later, the due date names its year (not "next" April).
    r = run("followups", "--now", "2024-11-20T10:00", "--status", "all", config=english)
    assert f"#{ids['a']}  met" in r.out or f"#{ids['a']}  overdue" in r.out
    assert "due Tue 2 Apr 2024 15:00" in r.out and "due Tue 2 Apr 15:00" not in r.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("followups", "--now", "yesterday"), "--now 'yesterday': not a date and time"),
        (("followups", "--status", "late"), "--status 'late': use one of"),
        (("followups", "--format", "xml"), "--format 'xml'"),
        (("ack", "999"), "contact 999: no such contact"),
        (("ack", "abc"), "CONTACT_ID 'abc': not a contact id"),
        (("ack", "1", "--at", "soon"), "--at 'soon': not a date and time"),
        (
            ("ack", "1", "--at", "2024-03-01T10:00"),
            "contact 1: acknowledgement time 2024-03-01 10:00 (Copenhagen time) is before "
            "the contact was received (2024-03-26 15:00)",
        ),
        (("ack", "1", "--at", "2999-01-01T10:00"), "2999-01-01 10:00 (Copenhagen time) is in"),
        (("no-reply", "1"), "no-reply needs a reason: --reason TEXT"),
        (("no-reply", "1", "--reason", " "), "no-reply needs a reason"),
        (("no-reply", "999", "--reason", "x"), "contact 999: no such contact"),
        (("no-reply", "1", "--reason", "x", "--rule", "nope"), "--rule 'nope': no such reply"),
        (("compliance",), "give the period"),
        (("compliance", "--year", "2024", "--format", "xlsx"), "--format xlsx needs --out"),
    ],
)
def test_user_errors_are_one_line_exit_2(env, args: tuple[str, ...], needle: str) -> None:
    run, engine, _, _ = env
    with Session(engine) as s:
        before = len(s.exec(select(AuditLog)).all())
    msg = one_line_error(run(*args))
    assert needle in msg, msg
    with Session(engine) as s:
        assert len(s.exec(select(AuditLog)).all()) == before  # nothing written


def test_ack_and_no_reply_write_audit(env) -> None:
    run, engine, ids, _ = env
    r = run(
        "ack",
        str(ids["a"]),
        "--note",
        "Ringede, svar i næste uge",
        "--at",
        "02-04-2024 14:00",  # the Danish form every other option takes (14:00 CEST)
    )
    assert r.code == 0, r.err
    assert r.out.strip() == f"henvendelse {ids['a']}: 1 svarfrist(er) kvitteret (dag-til-dag)"
    r = run("no-reply", str(ids["c"]), "--reason", "Tak for svaret-mail")
    assert r.code == 0, r.err
    assert r.out.strip() == f"henvendelse {ids['c']}: 1 svarfrist(er) markeret 'intet svar'"
    again = run("no-reply", str(ids["c"]), "--reason", "x")
    assert "nothing to waive" in one_line_error(again)
    with Session(engine) as s:
        acts = {a.action: json.loads(a.detail or "{}") for a in s.exec(select(AuditLog))}
        assert acts["reply-ack"]["note"] == "Ringede, svar i næste uge"
        assert acts["reply-waive"]["reason"] == "Tak for svaret-mail"
        states = {t.contact_id: t.state for t in s.exec(select(ReplyTarget))}
    assert states == {ids["a"]: "met", ids["b"]: "met", ids["c"]: "waived"}
    r = run("followups", "--now", "2024-04-10T12:00", "--status", "met", "--format", "json")
    [d] = [d for d in json.loads(r.out) if d["contact_id"] == ids["a"]]
    assert d["explanation"].startswith(
        "met Tue 2 Apr 14:00 by manual acknowledgement (Ringede, svar i næste uge)"
    )


def test_compliance_formats(env) -> None:
    run, _, _, tmp = env
    r = run("compliance", "--year", "2024", "--now", "2024-04-10T12:00", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    [dag] = [x for x in data["rules"] if x["rule"] == "dag-til-dag"]
    assert (dag["targets"], dag["met_in_time"], dag["still_open"], dag["overdue_now"]) == (
        3,
        1,
        2,
        2,
    )
    assert dag["median_hours"] == 18.0  # Fri 15:00 -> Mon 09:00: 9 h + 9 h, weekend not counted
    r = run("compliance", "--from", "2024-03-01", "--to", "2024-03-31", "--now", "2024-04-10")
    assert r.code == 0, r.err
    # Danish by default: headers, period in words
    assert "dag-til-dag" in r.out and "Median, timer" in r.out
    # The share's column says it is a percentage: a bare "I tide" over 74,0 read as a count.
    assert "I tide, %" in r.out
    assert r.out.startswith("Svarfrister, 1. marts – 31. marts 2024")
    out = tmp / "c.xlsx"
    r = run("compliance", "--period", "2024", "--format", "xlsx", "--out", str(out))
    assert r.code == 0, r.err
    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Svarfrister, 1. januar – 31. december 2024"
    assert rows[2][:3] == ("Regel", "Frister", "Svaret i tide")
    assert rows[3][:2] == ("dag-til-dag", 3)
    assert ws.freeze_panes == "B4"
    in_time = ws.cell(row=4, column=10)
    assert in_time.number_format == "0.0%" and in_time.value == pytest.approx(1 / 3)


def test_recompute_command(env, tmp_path: Path) -> None:
    run, engine, ids, _ = env
    r = run("replies", "recompute")
    assert r.code == 0, r.err
    assert r.out.strip() == "3 svarfrist(er) beregnet igen; 0 frist(er) ændret"
    # The municipality closes on Tue 2 Apr 2024: the open targets around it move.
    closed = tmp_path / "closed.toml"
    closed.write_text('language = "en"\n[replies]\nclosed_dates = ["2024-04-02"]\n', "utf-8")
    r = run("replies", "recompute", config=closed)
    assert r.code == 0, r.err
    assert r.out.strip() == "recomputed 3 reply target(s); 2 due time(s) changed"
    with Session(engine) as s:
        t = s.exec(select(ReplyTarget).where(ReplyTarget.contact_id == ids["a"])).one()
    assert t.due_at == cph(2024, 4, 3, 15)
    # Under the first config again, `followups` notes that the due times follow other
    # rules (on stderr, so JSON on stdout stays clean) until they are recomputed.
    r = run("followups", "--now", "2024-04-02T15:30+02:00", "--format", "json")
    assert r.code == 0, r.err
    json.loads(r.out)
    assert "[replies] er ændret siden svarfristerne blev beregnet" in r.err
    assert "borgerdesk replies recompute" in r.err
    assert run("replies", "recompute").code == 0
    r = run("followups", "--now", "2024-04-02T15:30+02:00", "--format", "json")
    assert r.code == 0 and r.err == "", r.err
