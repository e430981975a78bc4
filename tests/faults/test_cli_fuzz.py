"""Issue 17, done when: every CLI command, given hostile arguments, ends without a
traceback, with exit code 0, 1 or 2 and (on failure) one error line.

The commands are read from the typer app, so a command added later is fuzzed without
touching this file. Each case runs `borgerdesk.cli.main` in a forked child of this
process: a real process (its own exit code, stdout and stderr on real descriptors, stdin
/dev/null, a memory limit) that starts in milliseconds because the parent has imported
everything already. A case that does not finish within its time limit is killed.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import resource
import shutil
import signal
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer

BIG = str(2**64)
LONG = "/tmp/" + "x" * 100_000
MARKUP = "[bold red]Knud[/] \x1b[31m\x1b]0;title\x07 {{ 7*7 }} =1+1"
MARKUP_FILE = MARKUP.replace("/", "-") + ".csv"
CLOSED_PG = "postgresql://advisor:s3cret@127.0.0.1:1/borgerdesk"
SECONDS = 8.0  # per case; a hang is a failure unless the command runs until stopped
SHORT = 2.0  # for a command that runs until stopped

# Commands that legitimately run until stopped: reaching the time limit means they
# accepted the arguments and started (the UI on a pipe, the demo's year of mail).
RUNS_UNTIL_STOPPED = {"tui", "demo"}

# Flags set on every case of a command that has them, so the hostile argument reaches
# the command's work instead of a confirmation prompt (stdin is /dev/null) or a loop.
ALWAYS_SET = {"yes", "once", "no_ui"}


@dataclass(frozen=True)
class Case:
    command: str  # "db upgrade"
    target: str  # the parameter made hostile ("--db", "file", ...)
    shape: str  # the hostile value's name
    argv: tuple[str, ...]


def leaf_commands() -> list[tuple[str, object]]:
    from borgerdesk.app import app

    out: list[tuple[str, object]] = []

    def walk(cmd: object, path: str) -> None:
        subs = getattr(cmd, "commands", None)
        if subs is not None:
            for name, sub in sorted(subs.items()):
                walk(sub, f"{path} {name}".strip())
        else:
            out.append((path, cmd))

    walk(typer.main.get_command(app), "")
    return out


def _annotation(param: object) -> str:
    ann = str(getattr(getattr(param, "type_descriptor", None), "annotation", ""))
    if "Path" in ann:
        return "path"
    if "int" in ann:
        return "int"
    return "str"


def path_shapes(world: Path) -> dict[str, str]:
    """Every path parameter gets all but the last two; those take turns (one each)."""
    return {
        "folder": str(world / "a-folder"),
        # Relative names are each case's own, in its working folder (see _fork): a case
        # that writes its output there cannot change another case's input.
        "missing": "no/such.csv",
        "fifo": "a-fifo.csv",
        "/dev/zero": str(world / "zero.csv"),  # a link to /dev/zero
        # The test's own full device (see `world`): a command under test that replaced the
        # node with a regular file must not break the machine's /dev/full.
        "/dev/full": str(world / "full"),
        "markup name": MARKUP_FILE,
        "100k path": LONG,
        "NUL": str(world / "nul\x00.csv"),
    }


# Every text parameter gets the first three; the rest take turns (two each), so every
# command meets each of them without multiplying the run time.
TEXT_SHAPES = {
    "0001-01-01": "0001-01-01",
    "0001-01-01T00:00": "0001-01-01T00:00",
    "past 64 bits": BIG,
    "minus 64 bits": "-" + BIG,
    "id past 64 bits": "id:" + BIG,
    "markup": MARKUP,
    "NUL": "a\x00b",
    "garbage URL": "mysql://u:typed-here@h/x",
    "empty": "",
    "100k text": "x" * 100_000,
}
INT_SHAPES = {"past 64 bits": BIG, "minus 64 bits": "-" + BIG, "zero": "0", "word": "many"}


def global_shapes(world: Path) -> dict[str, dict[str, str]]:
    return {
        "--db": {
            "mysql": "mysql://u:s3cret@h/x",
            "garbage": "::not a url::",
            "closed port": CLOSED_PG,
            "folder": f"sqlite:///{world / 'a-folder'}",
            "/dev/zero": "sqlite:////dev/zero",
            "100k path": "sqlite:///" + LONG,
            "damaged": f"sqlite:///{world / 'damaged.sqlite3'}",
        },
        "--config": {
            "folder": str(world / "a-folder"),
            "missing": str(world / "no-config.toml"),
            "fifo": "a-fifo",
            "/dev/zero": "/dev/zero",
            "100k path": LONG,
            "markup": str(world / "markup.toml"),
        },
    }


@dataclass
class Command:
    """One leaf command and a benign value for each parameter it requires."""

    path: str  # "db upgrade"
    params: list[typer.core.TyperArgument | typer.core.TyperOption]
    fill: dict[str, list[str]]

    def argv(
        self, db: str, cfg: str, target: str | None = None, value: str = ""
    ) -> tuple[str, ...]:
        args = ["--config", cfg, "--db", db, *self.path.split()]
        for p in self.params:
            if p.name == target:
                args += _given(p, value)
            else:
                args += self.fill.get(str(p.name), [])
        return tuple(args)


def _given(p: typer.core.TyperArgument | typer.core.TyperOption, value: str) -> list[str]:
    return [p.opts[0], value] if p.opts[0].startswith("-") else [value]


def _command(path: str, cmd: object, world: Path) -> Command:
    params = [p for p in getattr(cmd, "params", []) if p.name != "help"]
    fill: dict[str, list[str]] = {}
    for p in params:
        if getattr(p, "is_flag", False):
            if p.name in ALWAYS_SET:
                fill[str(p.name)] = [p.opts[0]]
        elif p.required:
            kind = _annotation(p)
            fill[str(p.name)] = _given(p, str(world / "new" / "out.csv") if kind == "path" else "1")
    return Command(path, params, fill)


def build_cases(world: Path, db_url: str, config: Path) -> list[Case]:
    cases: list[Case] = []
    glob = global_shapes(world)
    rotation = {name: itertools.cycle(sorted(values)) for name, values in glob.items()}
    fixed_text, turns = list(TEXT_SHAPES)[:3], itertools.cycle(list(TEXT_SHAPES)[3:])
    paths = path_shapes(world)
    fixed_paths, path_turns = list(paths)[:-2], itertools.cycle(list(paths)[-2:])
    for path, cmd in leaf_commands():
        c = _command(path, cmd, world)
        for p in c.params:
            if getattr(p, "is_flag", False):
                continue
            kind = _annotation(p)
            shapes = INT_SHAPES if kind == "int" else {}
            if kind == "path":
                shapes = {name: paths[name] for name in [*fixed_paths, next(path_turns)]}
            if kind == "str":
                names = [*fixed_text, next(turns), next(turns)]
                shapes = {name: TEXT_SHAPES[name] for name in names}
            target = p.opts[0] if p.opts[0].startswith("-") else str(p.name)
            for shape, value in shapes.items():
                argv = c.argv(db_url, str(config), str(p.name), value)
                cases.append(Case(path, target, shape, argv))
        # Two hostile databases and one hostile config file per command, in turn, so
        # every value meets several commands without multiplying the run time.
        for _ in range(2):
            shape = next(rotation["--db"])
            cases.append(Case(path, "--db", shape, c.argv(glob["--db"][shape], str(config))))
        shape = next(rotation["--config"])
        cases.append(Case(path, "--config", shape, c.argv(db_url, glob["--config"][shape])))
    return cases


@dataclass
class Outcome:
    code: int | None  # None: killed at the time limit
    signal: int | None
    out: str
    err: str
    seconds: float


def _fork(case: Case, folder: Path, env: dict[str, str]) -> int:
    """Start `case` in a child: a console-script run in all but the exec."""
    folder.mkdir(parents=True)
    # A FIFO per case: two cases sharing one could feed each other.
    for name in ("a-fifo", "a-fifo.csv"):
        os.mkfifo(folder / name)
    (folder / MARKUP_FILE).write_text(f"{MARKUP}\n{MARKUP}\n", "utf-8")
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        os.setpgid(0, 0)
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(env)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.dup2(os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from borgerdesk.cli import main

        try:
            main(list(case.argv))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 70
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _outcome(status: int | None, folder: Path, seconds: float) -> Outcome:
    out = (folder / "stdout").read_text("utf-8", "replace")
    err = (folder / "stderr").read_text("utf-8", "replace")
    if status is None:
        return Outcome(None, None, out, err, seconds)
    if os.WIFSIGNALED(status):
        return Outcome(None, os.WTERMSIG(status), out, err, seconds)
    return Outcome(os.WEXITSTATUS(status), None, out, err, seconds)


def run_all(cases: list[Case], root: Path, env: dict[str, str], workers: int = 2) -> list[Outcome]:
    """Every case in a forked child, `workers` at a time, each killed at its limit."""
    results: dict[int, Outcome] = {}
    pending = list(enumerate(cases))
    running: dict[int, tuple[int, float, Path]] = {}  # pid -> (case index, start, folder)
    while pending or running:
        while pending and len(running) < workers:
            i, case = pending.pop(0)
            folder = root / str(i)
            running[_fork(case, folder, env)] = (i, time.monotonic(), folder)
        for pid, (i, started, folder) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            case = cases[i]
            limit = SHORT if case.command in RUNS_UNTIL_STOPPED else SECONDS
            if not done and time.monotonic() - started < limit:
                continue
            if not done:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            results[i] = _outcome(status if done else None, folder, time.monotonic() - started)
            del running[pid]
        time.sleep(0.005)
    return [results[i] for i in range(len(cases))]


def problem(case: Case, o: Outcome) -> str | None:
    """What is wrong with the outcome, or None."""
    if "Traceback" in o.err or "Traceback" in o.out:
        # The exception's own line: the last one not indented (SQLAlchemy adds a link).
        raised = [x for x in o.err.splitlines() if x and not x.startswith((" ", "("))]
        return "traceback: " + (raised[-1] if raised else o.err.strip()[-200:])[:300]
    if o.signal is not None:
        return f"killed by signal {o.signal}"
    if o.code is None:
        if case.command in RUNS_UNTIL_STOPPED:
            return None
        return f"no answer within {SECONDS:g} s"
    if o.code not in (0, 1, 2):
        return f"exit code {o.code}"
    lines = o.err.strip().splitlines()
    errors = [n for n, line in enumerate(lines) if line.startswith("borgerdesk: error: ")]
    if len(errors) > 1 or (o.code == 2 and not errors):
        return f"not one error line: {o.err[:300]!r}"
    # Before the error line at most one line of what would have been done; after it
    # only the problems it counts (an import lists every bad row).
    if len(lines) > 2 and not (errors and errors[0] <= 1 and "problem(s)" in lines[errors[0]]):
        return f"{len(lines)} lines on stderr: {o.err[:300]!r}"
    for stream, text in (("stderr", o.err), ("stdout", o.out)):
        if "\x1b" in text or "\x07" in text:
            return f"a terminal escape on {stream}: {text[:300]!r}"
    if "s3cret" in o.err + o.out:
        return "a password in the output"
    return None


@pytest.fixture
def world(tmp_path: Path, _sqlite_template: Path) -> Iterator[tuple[Path, str, Path]]:
    from store.config import preset_text
    from tests.faults.broken import broken_copy

    world = tmp_path / "world"
    (world / "a-folder").mkdir(parents=True)
    (world / "a-folder" / "something").write_text("x")
    (world / "new").mkdir()
    (world / "zero.csv").symlink_to("/dev/zero")
    try:
        os.mknod(world / "full", 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except PermissionError:
        (world / "full").symlink_to("/dev/full")
    (world / "markup.toml").write_text(f'[ui]\nlanguage = "{MARKUP}"\n', "utf-8")
    broken_copy(_sqlite_template, world, "page-overwritten").rename(world / "damaged.sqlite3")
    db = world / "db.sqlite3"
    shutil.copyfile(_sqlite_template, db)
    os.chmod(db, 0o600)
    config = world / "config.toml"
    config.write_text(
        preset_text("odsherred")
        + '\n[[mail.accounts]]\nname = "advisor"\nhost = "127.0.0.1"\nport = 1\n'
        'security = "none"\nusername = "advisor@example.dk"\npassword_env = "BD_FUZZ_PW"\n',
        "utf-8",
    )
    yield world, f"sqlite:///{db}", config


def _import_everything() -> None:
    """Import what the commands import lazily, once here, so each fork starts at once."""
    import importlib
    import pkgutil

    import alembic.command  # noqa: F401
    import psycopg  # noqa: F401

    import borgerdesk
    import ingest
    import store

    for pkg in (store, ingest, borgerdesk):
        for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if ".migrations" not in m.name and not m.name.endswith("__main__"):
                importlib.import_module(m.name)


def test_every_command_with_hostile_arguments(world, tmp_path: Path) -> None:
    _import_everything()

    folder, db_url, config = world
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "TMPDIR": str(tmp_path),
        "LANG": "C.UTF-8",
        "BD_FUZZ_PW": "s3cret",
        "BORGERDESK_BUSY_TIMEOUT": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TERM": "dumb",
    }
    cases = build_cases(folder, db_url, config)
    commands = {c.command for c in cases}
    assert {"backup", "db upgrade", "import-register", "followups"} <= commands
    failures: list[str] = []
    started = time.monotonic()
    for case, outcome in zip(cases, run_all(cases, tmp_path / "runs", env), strict=True):
        wrong = problem(case, outcome)
        if wrong:
            shown = " ".join(a if len(a) < 60 else a[:30] + "…" for a in case.argv[4:])
            failures.append(f"borgerdesk {shown!r} [{case.target}={case.shape}]: {wrong}")
    elapsed = time.monotonic() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"{len(cases)} cases over {len(commands)} commands in {elapsed:.1f} s "
        f"({used.ru_utime + used.ru_stime:.1f} CPU-s in the children)"
    )
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures)
