"""Benchmark: IMAP ingestion against a local Dovecot (issue 20).

1. First sync of a generated mailbox (default 20,000 messages, ~580 MB: Danish text,
   30 % with an HTML alternative, 10 % with a 20-300 KB attachment), whole processes,
   interleaved in one run:
   - the floor: a bare BODY.PEEK[] loop, a Python process that imports imapclient, logs
     in, EXAMINEs, SEARCHes ALL and fetches every message's BODY.PEEK[] in batches of 500,
     throwing the bytes away;
   - `borgerdesk sync --once` (the console script, as a user or cron runs it) with a
     config of that one folder, on a copy of a migrated, empty SQLite database: imports,
     config, connect and login, STATUS, EXAMINE, UID SEARCH; headers + RFC822.SIZE, then
     BODY.PEEK[] of every message (for a folder this large by two fetch processes, which
     also parse: ingest.mail.fetch_process); every message parsed, stored with its raw
     bytes, its contact and reply targets, one commit and UID state per batch; the WAL
     checkpointed; the process ended.
   Target: sync throughput >= 0.7x the bare loop. Both are timed from exec to exit,
   with bytecode cached (one untimed sync first, as after an install).
   Also printed, for reference and not the target: the bare loop with imaplib's debug
   formatting off (borgerdesk's client turns it off: ingest.mail.connect), and client
   CPU per message (the processes and what they waited for; Dovecot not included).
   `--before DIR` also times the sync of the code in DIR (a `git archive` of another
   commit, say), in the same rounds: before and after under the same machine noise.
2. A no-change poll of a 100,000-message folder (the whole `sync_all` call: connect,
   login, STATUS, logout). Floor: <= 50 ms.

Runs alternate (bare, sync, bare, sync, ...) so both see the same machine noise; medians
are reported, with the load average before and after (the machine may be shared: say
so). Needs /usr/sbin/dovecot (apt-get install dovecot-imapd).

    uv run python benchmarks/bench_imap_sync.py                      # the issue's sizes
    uv run python benchmarks/bench_imap_sync.py --messages 3000 --skip-poll
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_PROSE = (
    "borger kommune afgørelse klage sagsbehandling ansøgning forvaltning jobcenter "
    "hjemmehjælp børnesag bevilling partshøring aktindsigt begrundelse tilsagn ydelse "
    "frist svar henvendelse rådgiver handicap bolig skole pension støtte økonomi "
    "ældre plejehjem sagsbehandler møde telefon brev kopi afslag genoptagelse tak "
    "venlig hilsen desværre hurtigst muligt uge måned ventetid forståelse "
)
WORDS = _PROSE.split()


def _text(rng: random.Random, n_bytes: int) -> str:
    out: list[str] = []
    size = 0
    while size < n_bytes:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16)))
        sentence = sentence.capitalize() + ".\n"
        out.append(sentence)
        size += len(sentence.encode())
    return "".join(out)


def make_message(i: int, rng: random.Random, *, tiny: bool = False) -> bytes:
    when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=7 * i)
    head = (
        f"From: Borger {i} <borger{i % 3000}@example.org>\r\n"
        f"To: Borgerrådgiveren <advisor@example.dk>\r\n"
        f"Subject: =?utf-8?q?Sp=C3=B8rgsm=C3=A5l_om_min_sag_{i}?=\r\n"
        f"Date: {format_datetime(when)}\r\n"
        f"Message-ID: <bench{i}@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    if tiny:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\nHej, kort.\r\n").encode()
    body = _text(rng, rng.randint(1500, 9000)).replace("\n", "\r\n")
    html = rng.random() < 0.30
    attach = rng.random() < 0.10
    b = f"b{i}"
    if html:
        html_body = (
            "<html><body>"
            + "".join(f"<p>{line}</p>" for line in body.split("\r\n") if line)
            + "</body></html>"
        )
        text_part = (
            f'Content-Type: multipart/alternative; boundary="a{b}"\r\n\r\n'
            f"--a{b}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            f"{body}\r\n--a{b}\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            f"{html_body}\r\n--a{b}--\r\n"
        )
    else:
        text_part = (
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            f"\r\n{body}\r\n"
        )
    if not attach:
        return (head + text_part).encode()
    payload = base64.encodebytes(rng.randbytes(rng.randint(20_000, 300_000))).decode()
    payload = payload.replace("\n", "\r\n")
    return (
        head
        + f'Content-Type: multipart/mixed; boundary="m{b}"\r\n\r\n--m{b}\r\n'
        + text_part
        + f'--m{b}\r\nContent-Type: application/pdf; name="bilag{i}.pdf"\r\n'
        'Content-Disposition: attachment; filename="bilag{i}.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + payload + f"--m{b}--\r\n"
    ).encode()


def build_maildir(server: object, folder: str, n: int, *, tiny: bool, seed: int = 7) -> int:
    """Write messages straight into the Maildir (as a delivery agent would)."""
    rng = random.Random(seed)
    total = 0
    d = server.folder_dir(folder)  # type: ignore[attr-defined]
    for sub in ("cur", "new", "tmp"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    base = 1_700_000_000
    for i in range(n):
        raw = make_message(i, rng, tiny=tiny)
        total += len(raw)
        (d / "cur" / f"{base + i}.M{i:08d}P1.bench:2,S").write_bytes(raw)
    return total


def warm(server: object, folder: str) -> None:
    """Let Dovecot build its index (and the page cache fill) before anything is timed."""
    import imapclient

    c = imapclient.IMAPClient(server.host, port=server.port, ssl=False)  # type: ignore[attr-defined]
    c.login(server.username, server.password)  # type: ignore[attr-defined]
    c.select_folder(folder, readonly=True)
    uids = c.search("ALL")
    for i in range(0, len(uids), 2000):
        c.fetch(uids[i : i + 2000], [b"RFC822.SIZE", b"BODY.PEEK[HEADER]"])
    c.logout()


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its ended children (the sync's fetch
    processes; Dovecot's processes are not ours): less noisy than wall time on a shared
    box."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    k = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + k.ru_utime + k.ru_stime


BARE_CHILD = """
import sys, time, os
t0 = time.perf_counter()
import imapclient
host, port, user, folder, batch, debug = sys.argv[1:7]
c = imapclient.IMAPClient(host, port=int(port), ssl=False)
if debug == "0":
    c._imap.debug = 0
c.login(user, os.environ["BENCH_IMAP_PW"])
c.select_folder(folder, readonly=True)
uids = c.search("ALL")
n = 0
for i in range(0, len(uids), int(batch)):
    n += len(c.fetch(uids[i : i + int(batch)], [b"BODY.PEEK[]"]))
c.logout()
print(n)
"""


def _child_env(server: object) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached
    env["BENCH_IMAP_PW"] = server.password  # type: ignore[attr-defined]
    env["PYTHONPATH"] = str(ROOT)
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run a whole process: (stdout, wall seconds from exec to exit, CPU seconds of it
    and of every process it waited for)."""
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({r.returncode}): {r.stderr[-2000:]}")
    return r.stdout, wall, cpu_seconds() - c0


def bare_loop(
    server: object, folder: str, batch: int = 500, *, imaplib_debug: bool = True
) -> tuple[int, float, float]:
    """The floor, a whole process: start Python, import imapclient, log in, EXAMINE,
    SEARCH ALL, fetch every message's BODY.PEEK[] in batches of 500 and throw it away.
    With `imaplib_debug=False`, imaplib's debug formatting off (a reference)."""
    out, wall, cpu = _timed(
        [
            sys.executable,
            "-c",
            BARE_CHILD,
            server.host,
            str(server.port),  # type: ignore[attr-defined]
            server.username,
            folder,
            str(batch),
            "1" if imaplib_debug else "0",
        ],  # type: ignore[attr-defined]
        _child_env(server),
    )
    return int(out.strip()), wall, cpu


def write_config(server: object, folder: str, path: Path) -> Path:
    from store.config import preset_text

    path.write_text(
        preset_text("odsherred")
        + f"""
[[mail.accounts]]
name = "bench"
host = "{server.host}"
port = {server.port}
security = "none"
username = "{server.username}"
password_env = "BENCH_IMAP_PW"
folders = ["{folder}"]
internal_domains = ["example.dk"]
"""
    )  # type: ignore[attr-defined]
    return path


def make_config(server: object, folder: str):  # type: ignore[no-untyped-def]
    from store.config import load_config_text, preset_text
    from store.config.mail import Mail, MailAccount

    os.environ["BENCH_IMAP_PW"] = server.password  # type: ignore[attr-defined]
    cfg = load_config_text(preset_text("odsherred"), "bench")
    acct = MailAccount(
        name="bench",
        host=server.host,
        port=server.port,
        security="none",  # type: ignore[attr-defined]
        username=server.username,
        password_env="BENCH_IMAP_PW",  # type: ignore[attr-defined]
        folders=[folder],
        internal_domains=["example.dk"],
    )
    return cfg.model_copy(update={"mail": Mail(accounts=[acct])})


BORGERDESK = Path(sys.executable).with_name("borgerdesk")


def our_sync(
    server: object, folder: str, workdir: Path, template: Path, run: int, tree: Path | None = None
) -> tuple[int, float, float, Path]:
    """`borgerdesk sync --once`, a whole process (the console script, as a user or cron
    runs it) on a copy of a migrated, empty database: (messages stored, wall seconds,
    CPU seconds of it and its fetch processes, the database)."""
    db = workdir / f"run{run}.sqlite3"
    shutil.copyfile(template, db)
    cfg = write_config(server, folder, workdir / f"run{run}.toml")
    env = _child_env(server)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)  # its `borgerdesk` and `ingest` come first
    _out, wall, cpu = _timed(
        [str(BORGERDESK), "--config", str(cfg), "--db", f"sqlite:///{db}", "sync", "--once"], env
    )
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as con:
        stored = con.execute("SELECT count(*) FROM mail_location").fetchone()[0]
    return stored, wall, cpu, db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=20_000)
    ap.add_argument("--poll-messages", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--polls", type=int, default=15)
    ap.add_argument("--skip-poll", action="store_true")
    ap.add_argument("--skip-sync", action="store_true")
    ap.add_argument(
        "--before",
        type=Path,
        default=None,
        help="also time the sync of the code in this directory, same rounds",
    )
    args = ap.parse_args()

    from store.db import upgrade
    from tests.servers.dovecot import DovecotServer, available

    if not available():
        raise SystemExit("needs Dovecot: apt-get install dovecot-imapd")
    work = Path(tempfile.mkdtemp(prefix="bench-imap-"))
    template = work / "template.sqlite3"
    upgrade(f"sqlite:///{template}")
    server = DovecotServer()
    try:
        if not args.skip_sync:
            t = time.perf_counter()
            size = build_maildir(server, "INBOX", args.messages, tiny=False)
            print(
                f"built {args.messages} messages, {size / 1e6:.0f} MB "
                f"in {time.perf_counter() - t:.1f} s"
            )
        if not args.skip_poll:
            t = time.perf_counter()
            build_maildir(server, "Big", args.poll_messages, tiny=True)
            print(
                f"built {args.poll_messages} small messages in folder Big "
                f"in {time.perf_counter() - t:.1f} s"
            )
        build_maildir(server, "Warmup", 50, tiny=False, seed=3)
        server.start()
        # One untimed sync of a small folder: the first run after an install compiles
        # and caches the bytecode (a user pays that once, not per sync).
        our_sync(server, "Warmup", work, template, 99)[3].unlink()
        if args.before is not None:
            our_sync(server, "Warmup", work, template, 98, args.before)[3].unlink()
        if not args.skip_sync:
            warm(server, "INBOX")
            bare: list[float] = []
            quiet: list[float] = []
            ours: list[float] = []
            bare_cpu: list[float] = []
            ours_cpu: list[float] = []
            ratios: list[float] = []
            before: list[float] = []
            before_cpu: list[float] = []
            print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
            for run in range(args.repeat):
                n, secs, cpu = bare_loop(server, "INBOX")
                bare_cpu.append(cpu / n * 1000)
                bare.append(n / secs)
                nq, secsq, _cpu = bare_loop(server, "INBOX", imaplib_debug=False)
                quiet.append(nq / secsq)
                if args.before is not None and run % 2:
                    # Every other round the other tree goes first: no order bias.
                    sb, secsb, cpub, dbb = our_sync(
                        server, "INBOX", work, template, run + 50, args.before
                    )
                    dbb.unlink()
                    before.append(sb / secsb)
                    before_cpu.append(cpub / sb * 1000)
                stored, secs2, cpu2, db = our_sync(server, "INBOX", work, template, run)
                if stored != n:
                    raise SystemExit(f"sync stored {stored} of {n} messages")
                ours_cpu.append(cpu2 / stored * 1000)
                ours.append(stored / secs2)
                ratios.append(ours[-1] / bare[-1])
                print(
                    f"run {run + 1}: bare {n / secs:7.0f} msg/s ({secs:.2f} s)   "
                    f"sync {stored / secs2:7.0f} msg/s ({secs2:.2f} s, {stored} stored)   "
                    f"ratio {ratios[-1]:.2f}   [bare, debug off: {nq / secsq:6.0f} msg/s]",
                    flush=True,
                )
                db.unlink()
                if args.before is not None and not run % 2:
                    sb, secsb, cpub, dbb = our_sync(
                        server, "INBOX", work, template, run, args.before
                    )
                    dbb.unlink()
                    before.append(sb / secsb)
                    before_cpu.append(cpub / sb * 1000)
                if args.before is not None:
                    print(
                        f"        before ({args.before}): sync {sb / secsb:7.0f} msg/s "
                        f"({secsb:.2f} s) ratio {before[-1] / bare[-1]:.2f}",
                        flush=True,
                    )
            print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
            cb, co = statistics.median(bare_cpu), statistics.median(ours_cpu)
            print(
                f"client CPU per message (median; whole processes, the sync's fetch "
                f"processes included, Dovecot not): bare {cb:.2f} ms, sync {co:.2f} ms"
            )
            mb, mo, mq = statistics.median(bare), statistics.median(ours), statistics.median(quiet)
            ratio = mo / mb
            print(
                f"initial sync, whole processes, {args.messages} messages: `borgerdesk sync "
                f"--once` median {mo:.0f} msg/s vs bare BODY.PEEK[] loop {mb:.0f} msg/s"
                f" -> ratio {ratio:.2f} (target 0.70: {'PASS' if ratio >= 0.7 else 'FAIL'}; "
                f"median of the per-run ratios {statistics.median(ratios):.2f})"
            )
            print(
                f"reference, not the floor: bare loop with imaplib's debug formatting off "
                f"{mq:.0f} msg/s -> sync at {mo / mq:.2f} of it"
            )
            if before:
                bm = statistics.median(before)
                print(
                    f"before ({args.before}): median {bm:.0f} msg/s -> ratio {bm / mb:.2f}; "
                    f"client CPU per message {statistics.median(before_cpu):.2f} ms"
                )
        if not args.skip_poll:
            from ingest.mail.sync import sync_all
            from store.db import make_engine

            warm(server, "Big")
            db = work / "poll.sqlite3"
            shutil.copyfile(template, db)
            engine = make_engine(f"sqlite:///{db}")
            cfg = make_config(server, "Big")
            t = time.perf_counter()
            reports = sync_all(engine=engine, config=cfg)
            print(
                f"first sync of {args.poll_messages} messages: "
                f"{time.perf_counter() - t:.1f} s ({reports[0].new} stored)"
            )
            from ingest.mail import session

            times = []
            cold = []
            for _ in range(args.polls):
                # As the daemon polls: the account's connection is kept between polls.
                t = time.perf_counter()
                reports = sync_all(engine=engine, config=cfg)
                times.append((time.perf_counter() - t) * 1000)
                assert reports[0].unchanged, reports
                # As a one-off `borgerdesk sync`: connect, log in, STATUS, log out.
                session.close_all()
                t = time.perf_counter()
                reports = sync_all(engine=engine, config=cfg)
                session.close_all()
                cold.append((time.perf_counter() - t) * 1000)
                assert reports[0].unchanged, reports
            med = statistics.median(times)
            print(
                f"no-change poll of {args.poll_messages} messages (kept connection, as the "
                f"daemon polls): median {med:.1f} ms (min {min(times):.1f}, max "
                f"{max(times):.1f}; {args.polls} polls; ceiling 50 ms: "
                f"{'PASS' if med <= 50 else 'FAIL'}; ratio {med / 50:.2f})"
            )
            cmed = statistics.median(cold)
            print(
                f"no-change poll, cold (connect + login + STATUS + logout): median "
                f"{cmed:.1f} ms (min {min(cold):.1f}; ceiling 50 ms: "
                f"{'PASS' if cmed <= 50 else 'FAIL'}; ratio {cmed / 50:.2f})"
            )
            engine.dispose()
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
