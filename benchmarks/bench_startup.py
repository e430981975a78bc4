"""Start-up as a user feels it (issue 20): whole processes in a pseudo-terminal.

Each row is a fresh process started in a tmux window (120x40); the time runs from asking
tmux for the window until `capture-pane` shows the row's expected text. A command that
prints and exits counts until its process has ended (tmux's `pane_dead`): all its output
is on the screen then, whatever the help's layout. The rows run
interleaved, round after round, in one run, and each is compared with its floor:

- a one-Static Textual app (the floor for the desk);
- `borgerdesk` on a store, until Indbakke shows its first row (target <= 2x; 1.5x moonshot);
- `python -c "import typer, rich"` (the floor for the CLI's own start);
- `borgerdesk --help` (target <= 2x the typer+rich floor);
- `borgerdesk CMD --no-such-option` for followups, report and import-calls, failing on a
  bad argument (as fast as --help).

With --cold, `borgerdesk` and `borgerdesk --help` run once more each round as the first
start after an install without compiled bytecode (`uv tool install` without
--compile-bytecode): every `__pycache__` of the environment's site-packages and of the
project is removed (untimed) before the run, which compiles and writes them again.

The timed processes write bytecode as a user's machine does (PYTHONDONTWRITEBYTECODE is
removed from their environment), and every row runs once untimed first to write it.

    uv run python benchmarks/bench_startup.py                  # the demo's store
    uv run python benchmarks/bench_startup.py --size 1000000   # bench_tui's 1,000,000 contacts
    uv run python benchmarks/bench_startup.py --rounds 11
    uv run python benchmarks/bench_startup.py --cold           # + first start without .pyc
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
FLOOR_APP = """
from textual.app import App
from textual.widgets import Static


class Floor(App[None]):
    def compose(self):
        yield Static("one static ready")


Floor().run()
"""


EXITED = "<exited>"  # in Row.expect: the process has also ended


@dataclass
class Row:
    name: str
    argv: list[str]
    expect: tuple[str, ...]  # texts that, all on the screen, mean "ready"
    floor: str | None = None  # the row this one is compared with
    target: float | None = None
    before: Callable[[], None] | None = None  # untimed, before each run
    after: Callable[[], None] | None = None  # untimed, after each run


class Tmux:
    """A private tmux server; each run is a new window whose pane stays after exit."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"bench-startup-{os.getpid()}"
        self.env = env
        self.n = 0
        self._tmux("new-session", "-d", "-s", "bench", "-x", "120", "-y", "40", "sleep 86400")
        self._tmux("set-option", "-g", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            check=True,
            capture_output=True,
            text=True,
            env=self.env,
        ).stdout

    def run(self, argv: list[str], expect: tuple[str, ...], timeout: float = 120.0) -> float:
        """Seconds from starting `argv` until every text of `expect` is on its screen
        (EXITED: until its process has ended, all its output written)."""
        self.n += 1
        target = f"bench:w{self.n}"
        command = " ".join(_quote(a) for a in argv)
        texts = [t for t in expect if t != EXITED]
        t0 = time.perf_counter()
        self._tmux("new-window", "-d", "-n", f"w{self.n}", command)
        try:
            while True:
                # The screen with its history (when a pane dies, tmux scrolls lines out
                # of the visible screen for its "Pane is dead"), then whether it has died.
                out = self._tmux(
                    "capture-pane",
                    "-p",
                    "-S",
                    "-",
                    "-t",
                    target,
                    ";",
                    "display-message",
                    "-p",
                    "-t",
                    target,
                    "#{pane_dead}",
                )
                screen, _, dead = out.rstrip("\n").rpartition("\n")
                if all(t in screen for t in texts) and (EXITED not in expect or dead == "1"):
                    return time.perf_counter() - t0
                if time.perf_counter() - t0 > timeout:
                    raise RuntimeError(
                        f"{argv}: {expect!r} not on screen after {timeout} s:\n{screen}"
                    )
                time.sleep(0.002)
        finally:
            self._tmux("kill-window", "-t", target)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


class NoBytecode:
    """The state of an environment installed without --compile-bytecode, before its first
    start: `hide()` moves every `__pycache__` of site-packages and of the project aside,
    `restore()` drops what the run compiled and puts them back (so the other rows stay
    warm)."""

    ASIDE = "__pycache__.bench-aside"

    def __init__(self) -> None:
        self.moved: list[Path] = []

    def caches(self) -> list[Path]:
        site = Path(sys.executable).parent.parent / "lib"
        tops = (site, *(ROOT / p for p in ("store", "tui", "borgerdesk", "ingest")))
        return [c for top in tops for c in top.rglob("__pycache__")]

    def hide(self) -> None:
        for cache in self.caches():
            cache.rename(cache.with_name(self.ASIDE))
            self.moved.append(cache)

    def restore(self) -> None:
        for cache in self.caches():
            shutil.rmtree(cache, ignore_errors=True)
        for cache in self.moved:
            cache.with_name(self.ASIDE).rename(cache)
        self.moved = []


def demo_store(folder: Path) -> tuple[str, Path | None]:
    """The demo's database, built as `borgerdesk demo --keep DIR --no-ui` does."""
    db = folder / "demo.sqlite3"
    if not db.exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            [str(BIN / "borgerdesk"), "demo", "--keep", str(folder), "--no-ui"],
            check=True,
            capture_output=True,
        )
    return f"sqlite:///{db}", folder / "config.toml"


def big_store(size: int) -> tuple[str, Path | None]:
    """bench_tui's store of `size` contacts (built once, cached in the temp dir)."""
    from benchmarks.bench_tui import build_store, store_path

    path = store_path(size)
    if not path.exists():
        t = time.perf_counter()
        build_store(path, size)
        print(f"built {size:,} contacts in {time.perf_counter() - t:.1f} s: {path}")
    return f"sqlite:///{path}", None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--size",
        type=int,
        default=0,
        help="contacts in bench_tui's store (default 0: the demo's store)",
    )
    ap.add_argument("--rounds", type=int, default=7, help="timed runs per row (median)")
    ap.add_argument(
        "--cold", action="store_true", help="also time the first start without compiled bytecode"
    )
    ap.add_argument(
        "--demo-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "borgerdesk-bench-startup-demo",
        help="where the demo's store is kept between runs",
    )
    args = ap.parse_args()

    url, config = big_store(args.size) if args.size else demo_store(args.demo_dir)
    home = Path(tempfile.mkdtemp(prefix="bench-startup-home-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONDONTWRITEBYTECODE", "BORGERDESK_CONFIG", "TMUX"}
    }
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), TERM="xterm-256color")
    floor_app = home / "floor.py"
    floor_app.write_text(FLOOR_APP, "utf-8")
    desk = [str(BIN / "borgerdesk"), "--db", url]
    if config is not None:
        desk += ["--config", str(config)]
    py = str(BIN / "python")
    rows = [
        Row("one-Static Textual app", [py, str(floor_app)], ("one static ready",)),
        Row("borgerdesk (Indbakke with rows)", desk, first_row(url), "one-Static Textual app", 2.0),
        Row(
            'python -c "import typer, rich"',
            [py, "-c", "import typer, rich; print('typer and rich ready')"],
            ("typer and rich ready", EXITED),
        ),
        Row(
            "borgerdesk --help",
            [str(BIN / "borgerdesk"), "--help"],
            ("Usage:", EXITED),
            'python -c "import typer, rich"',
            2.0,
        ),
        *(
            Row(
                f"borgerdesk {cmd} --no-such-option",
                [str(BIN / "borgerdesk"), cmd, "--no-such-option"],
                ("error:", EXITED),
                "borgerdesk --help",
                1.0,
            )
            for cmd in ("followups", "report", "import-calls")
        ),
    ]
    if args.cold:
        pyc = NoBytecode()
        rows += [
            Row(
                "borgerdesk, first start without .pyc",
                desk,
                rows[1].expect,
                "borgerdesk (Indbakke with rows)",
                None,
                pyc.hide,
                pyc.restore,
            ),
            Row(
                "borgerdesk --help, first start without .pyc",
                rows[3].argv,
                rows[3].expect,
                "borgerdesk --help",
                None,
                pyc.hide,
                pyc.restore,
            ),
        ]

    tmux = Tmux(env)
    try:
        for row in rows:  # untimed: writes the bytecode, warms the page cache
            if row.before is None:
                tmux.run(row.argv, row.expect)
        times: dict[str, list[float]] = {r.name: [] for r in rows}
        for _ in range(args.rounds):
            for row in rows:
                if row.before is not None:
                    row.before()
                try:
                    times[row.name].append(tmux.run(row.argv, row.expect))
                finally:
                    if row.after is not None:
                        row.after()
    finally:
        tmux.close()
        shutil.rmtree(home, ignore_errors=True)

    load = os.getloadavg()
    store = f"{args.size:,} contacts" if args.size else "the demo's store"
    print(
        f"whole processes in tmux, median of {args.rounds}, {store}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    med = {name: statistics.median(t) * 1000 for name, t in times.items()}
    for row in rows:
        line = f"  {row.name:<40} {med[row.name]:8.0f} ms"
        if row.floor:
            ratio = med[row.name] / med[row.floor]
            line += f"  {ratio:5.2f}x {row.floor}"
            if row.target:
                verdict = "met" if ratio <= row.target else "NOT met"
                line += f" (target <= {row.target}x: {verdict})"
        print(line)
    return 0


def first_row(url: str) -> tuple[str, ...]:
    """Indbakke and who its first row (the newest contact waiting in triage) is from:
    the desk's first screen counts once its table shows a row."""
    import sqlite3

    path = url.removeprefix("sqlite:///")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute(
            "SELECT coalesce(party.name, contact.counterpart) FROM contact "
            "LEFT JOIN party ON party.id = contact.party_id "
            "WHERE contact.case_id IS NULL AND contact.dismissed = 0 "
            "ORDER BY contact.occurred_at DESC, contact.id DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    if row is None or not row[0]:
        raise SystemExit(f"{url}: no contact waits in triage; the desk would show no rows")
    return ("Indbakke", str(row[0])[:12])


if __name__ == "__main__":
    sys.exit(main())
