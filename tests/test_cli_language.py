"""Every command's human-readable lines speak the UI language: Danish by default (no
`language` in the config, or no config at all), English with `language = "en"`. Each
command runs once in each language through the console script's entry point on a real
SQLite file; error lines and JSON stay English and are checked elsewhere."""

from __future__ import annotations

import ast
import io
import re
import string
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from store.db import make_engine, session_scope
from store.models import PartyCreate
from store.parties import create_party
from tests.conftest import CliResult

CONFIG = """
[taxonomy]
categories = ["Vejledning", "Klage"]
[[taxonomy.departments]]
name = "Andet"
"""

Run = Callable[..., CliResult]


@pytest.fixture(params=["da", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(tmp_path: Path, db_url: str, cli, lang: str) -> Run:
    """The CLI with a config that says nothing about language (Danish) or says "en"."""
    cfg_path = tmp_path / "config.toml"
    cfg_path.write_text(('language = "en"\n' if lang == "en" else "") + CONFIG, "utf-8")
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        for name, email in (("Jens Jensen", "jens@example.dk"), ("Jens  jensen", "jj@example.dk")):
            create_party(session=s, party_in=PartyCreate(name=name, emails=[email]))
    engine.dispose()

    def go(*args: str, code: int = 0) -> CliResult:
        r = cli("--config", str(cfg_path), "--db", db_url, *args)
        assert r.code == code, (args, r.err)
        return r

    go.url = db_url  # type: ignore[attr-defined]
    return go


def words(lang: str, da: str, en: str) -> str:
    return da if lang == "da" else en


def test_contact_commands(run: Run, lang: str) -> None:
    out = run(
        "contact", "add", "--channel", "letter", "--party", "1", "--at", "2026-12-01 10:30"
    ).out
    assert out.startswith(
        words(
            lang,
            "henvendelse 1 registreret (01-12-2026 10:30), i indbakken",
            "contact 1 registered (2026-12-01 10:30), in triage",
        )
    ), out
    out = run("contact", "add", "--channel", "phone", "--party", "1", "--new-case").out
    assert words(lang, "i sag 2026-0001", "in case 2026-0001") in out, out
    assert run("contact", "dismissed").out.strip() == words(
        lang, "ingen henvendelser er markeret 'ikke en sag'", "no contacts are marked 'not a case'"
    )
    assert run("contact", "dismiss", "1", "--reason", "Reklame").out.strip() == words(
        lang, "henvendelse 1: ikke en sag", "contact 1: not a case"
    )
    out = run("contact", "dismissed").out
    assert words(lang, "  brev  ", "  letter  ") in out and "[Reklame]" in out, out
    assert run("contact", "undismiss", "1").out.strip() == words(
        lang, "henvendelse 1: tilbage i indbakken", "contact 1: back in triage"
    )
    run("contact", "add", "--channel", "meeting", "--party", "2", "--new-case")
    assert run("contact", "move", "2", "--case", "2026-0002").out.strip() == words(
        lang, "henvendelse 2: flyttet til sag 2026-0002", "contact 2: moved to case 2026-0002"
    )
    assert run("contact", "unlink", "2").out.strip() == words(
        lang,
        "henvendelse 2: taget ud af sag 2026-0002, tilbage i indbakken",
        "contact 2: taken out of case 2026-0002, back in triage",
    )


def test_party_commands(run: Run, lang: str) -> None:
    out = run("party", "show", "jens@example.dk").out.splitlines()
    assert out[0] == words(lang, "part 1: Jens Jensen (borger)", "party 1: Jens Jensen (citizen)")
    assert out[2] == words(lang, "  0 sag(er), 0 henvendelse(r)", "  0 case(s), 0 contact(s)")
    assert out[3] == words(
        lang,
        "  sandsynligvis den samme som part 2 (Jens  jensen): samme navn",
        "  likely the same as party 2 (Jens  jensen): same name",
    )
    out = run("party", "edit", "1", "--kind", "association").out
    assert words(lang, "(forening)", "(association)") in out, out
    assert run("party", "merge", "1", "id:2").out.strip() == words(
        lang,
        "part 2 lagt sammen med part 1: 1 adresse(r), 0 henvendelse(r), 0 sag(er) flyttet",
        "party 2 merged into party 1: 1 address(es), 0 contact(s), 0 case(s) moved",
    )


def test_no_config_at_all_is_danish(cli, db_url: str) -> None:
    r = cli("--db", db_url, "contact", "dismissed")
    assert r.code == 0, r.err
    assert r.out.strip() == "ingen henvendelser er markeret 'ikke en sag'"


def test_privacy_commands(run: Run, lang: str, tmp_path: Path) -> None:
    run("contact", "add", "--channel", "letter", "--party", "1", "--new-case")
    out = run("purge", "--dry-run").out
    assert out.strip() == words(
        lang,
        "opbevaringstider er ikke sat op ([retention] i opsætningen); intet slettet",
        "retention is not configured ([retention] in the config); nothing purged",
    )
    out = run("export-party", "id:1", "--out", str(tmp_path / "x")).out
    assert out.startswith(words(lang, "eksporterede part 1 til ", "exported party 1 to ")), out
    assert (
        words(
            lang,
            ": 1 sag(er), 1 henvendelse(r), 0 mail(s) (0 .eml), 0 opkald",
            ": 1 case(s), 1 contact(s), 0 message(s) (0 .eml), 0 call record(s)",
        )
        in out
    )
    r = run("erase-party", "id:1", "--yes")
    assert (
        words(
            lang,
            "part 1: 1 sag(er), 1 henvendelse(r), 0 mail(s), 0 opkald, 0 notat(er) "
            "mister deres persondata",
            "party 1: 1 case(s), 1 contact(s), 0 message(s), "
            "0 call record(s), 0 note(s) will lose their personal data",
        )
        in r.err
    ), r.err
    assert r.out.startswith(words(lang, "slettede persondata for part 1: ", "erased party 1: "))
    head = run("audit").out.splitlines()[0]
    assert (
        head.split()
        == words(
            lang,
            "tid (København) bruger handling objekt detaljer",
            "time (Copenhagen) user action entity detail",
        ).split()
    )
    if not run.url.startswith("sqlite"):  # type: ignore[attr-defined]
        return  # a PostgreSQL database is backed up with pg_dump, not this command
    out = run("backup", str(tmp_path / "b.sqlite3")).out
    assert out.startswith(words(lang, "sikkerhedskopi skrevet til", "backup written to")), out
    # The seconds with the language's decimal mark.
    assert re.search(words(lang, r", \d+,\d s\)", r", \d+\.\d s\)"), out), out


def test_register_and_db_commands(run: Run, lang: str, tmp_path: Path) -> None:
    run(
        "contact",
        "add",
        "--channel",
        "letter",
        "--party",
        "1",
        "--new-case",
        "--department",
        "Andet",
        "--category",
        "Klage",
    )
    out = tmp_path / "register.csv"
    assert run("export-register", str(out)).out.strip() == words(
        lang, f"skrev 1 række(r) til {out}", f"wrote 1 row(s) to {out}"
    )
    r = run("import-register", str(out), "--dry-run")
    assert re.search(
        words(
            lang,
            r": 1 række\(r\); ville tilføje 0 sag\(er\), \d+ "
            r"henvendelse\(r\), 0 part\(er\)$",
            r": 1 rows; would add 0 case\(s\), \d+ contact\(s\), "
            r"0 part\(y/ies\)$",
        ),
        r.out.strip(),
    ), r.out
    assert run("db", "upgrade").out.startswith(
        words(lang, "databasen er på migration ", "database at migration ")
    )
    assert words(lang, "; kode: ", "; code: ") in run("db", "current").out


def test_outbox(run: Run, lang: str) -> None:
    assert run("outbox").out.strip() == words(lang, "udbakken er tom", "the outbox is empty")


def test_install_service(run: Run, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The unit runs the installed script; in-process tests run from pytest.
    monkeypatch.setattr(sys, "argv", [str(Path(sys.executable).with_name("borgerdesk"))])
    out = run("install-service").out
    assert words(lang, "aktivér og start den med:", "enable and start it with:") in out, out
    assert words(lang, "følg dens log: journalctl", "follow its log: journalctl") in out, out


@pytest.mark.slow
def test_demo_speaks_its_presets_danish(cli) -> None:
    """The demo never reads the user's config: it speaks its own (the Danish preset's)."""
    r = cli("demo", "--no-ui")
    assert r.code == 0, r.err
    assert re.search(
        r"^DEMO: \d+ henvendelse\(r\) i indbakken, \d+ overskredet, \d+ snart$", r.out, re.M
    ), r.out


def test_report_to_a_file(run: Run, lang: str, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    r = run(
        "report",
        "--year",
        "2026",
        "--unit",
        "cases",
        "--rows",
        "category",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert r.out.strip() == words(lang, f"skrev {out}", f"wrote {out}")


def test_every_text_has_both_languages_with_the_same_blanks() -> None:
    """A sentence filled in Danish must fill in English from the same values, and back."""
    from borgerdesk.texts import TEXTS

    def blanks(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, by_lang in TEXTS.items():
        assert set(by_lang) == {"da", "en"}, key
        assert blanks(by_lang["da"]) == blanks(by_lang["en"]), key


ASKERS = {"ask", "ask_yes", "ask_new_secret", "getpass"}


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def test_every_question_is_asked_in_the_ui_language() -> None:
    """click's words around a prompt are English ("[y/N]", "Repeat for confirmation",
    "Error: ..."): the CLI asks only through borgerdesk/ask.py, and each question (and
    its repetition) is a `say(...)` text."""
    root = Path(__file__).resolve().parents[1] / "borgerdesk"
    asked = 0
    for path in sorted(root.rglob("*.py")):
        if path.name == "ask.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for call in _calls(tree):
            name = _name(call)
            where = f"{path.relative_to(root.parent)}:{call.lineno}"
            assert name not in {"prompt", "confirm"}, f"{where}: ask through borgerdesk.ask"
            assert not any(k.arg in {"prompt", "confirmation_prompt"} for k in call.keywords), (
                f"{where}: an option that prompts asks in click's English"
            )
            if name in ASKERS:
                asked += 1
                n_questions = 2 if name == "ask_new_secret" else 1
                for arg in call.args[:n_questions]:
                    assert isinstance(arg, ast.Call) and _name(arg) == "say", (
                        f"{where}: the question is not a say(...) text"
                    )
    assert asked >= 15  # the scan finds them (init, privacy, team, mail, daemon)


@pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")  # stdin is not a terminal here
def test_the_wizard_asks_in_danish(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question of `init`, and the words around them, Danish (the default)."""
    from borgerdesk.texts import TEXTS

    monkeypatch.setenv("BORGERDESK_WIZARD", "1")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    answers = [
        "odsherred",
        "odsherred.dk",
        "imap.odsherred.dk",
        "",
        "br@odsherred.dk",
        "maaske",  # neither yes nor no: asked again, in Danish
        "j",
        "abc",
        "11111111-2222-3333-4444-555555555555",
        "66666666-7777-8888-9999-000000000000",
        "nej",
        str(tmp_path / "tlf"),
        "",
        "",
        "",
        "",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    r = cli("--config", str(tmp_path / "c.toml"), "init")
    assert r.code == 0, r.err
    shown = r.out + r.err
    for key in (
        "init.preset",
        "init.domains",
        "init.host",
        "init.account",
        "init.user",
        "init.m365",
        "init.tenant",
        "init.client",
        "init.unattended",
        "init.inbox",
        "init.own_upns",
        "init.own_extensions",
        "init.own_numbers",
    ):
        question = TEXTS[key]["da"].split("{")[0]
        assert question in shown, key
    assert "[j/N]" in shown and "Svar j (ja) eller n (nej)." in shown
    assert "er ikke et tenant-id" in shown
    english = ("Error", "[y/N]", "[Y/n]", "Repeat for confirmation", "invalid")
    assert not [w for w in english if w in shown], shown


def test_a_confirmation_asks_in_the_ui_language(
    run: Run, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("kanske\nnej\n" if lang == "da" else "maybe\nno\n")
    )
    r = run("erase-party", "id:1", code=1)  # answered no
    assert words(lang, "[j/N]", "[y/N]") in r.err, r.err
    assert words(lang, "Svar j (ja) eller n (nej).", "Answer y (yes) or n (no).") in r.err
    assert "Error" not in r.err
