"""A real Dovecot for the IMAP suite, run unprivileged on a free loopback port.

Used when /usr/sbin/dovecot exists (CI installs dovecot-imapd). The server gets its own
temporary config, run and state directories, and a Maildir per user; nothing of the
system's Dovecot is touched. Run as root (CI), the whole server runs as the unprivileged
"dovecot" system user; otherwise as the current user.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest.mail.embedded_server import Seed, SeedLike, free_port

DOVECOT = Path("/usr/sbin/dovecot")


def available() -> bool:
    return DOVECOT.exists()


_FLAG_LETTERS = {
    "\\Seen": "S",
    "\\Answered": "R",
    "\\Flagged": "F",
    "\\Draft": "D",
    "\\Deleted": "T",
}

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = borgerdesk-test-{port}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u:LAYOUT=fs
mail_fsync = never
maildir_very_dirty_syncs = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox "Sent Items" {{
    special_use = \\Sent
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  process_min_avail = 0
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
service imap {{
  process_limit = 20
}}
protocol imap {{
  mail_max_userip_connections = 50
  imap_capability = +XLIST
}}
"""


class DovecotServer:
    """A private Dovecot: `DovecotServer({"INBOX": [...], "Sent": [...]})`."""

    def __init__(
        self,
        content: Mapping[str, Sequence[SeedLike]] | None = None,
        *,
        username: str = "advisor@example.dk",
        password: str = "dovecot-test-password",
        ssl_cert: tuple[Path, Path] | None = None,
    ) -> None:
        self.username = username
        self.password = password
        self.host = "127.0.0.1"
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="borgerdesk-dovecot-"))
        self._ssl_cert = None
        if ssl_cert:
            # Copied in: the server's user must be able to read them.
            (self.root / "tls").mkdir()
            self._ssl_cert = (
                Path(shutil.copy(ssl_cert[0], self.root / "tls" / "cert.pem")),
                Path(shutil.copy(ssl_cert[1], self.root / "tls" / "key.pem")),
            )
        if os.geteuid() == 0:
            # Never run a test server as root: the master and all its processes run as
            # Dovecot's own unprivileged system user.
            pw = pwd.getpwnam("dovecot")
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
            self.user, self.group = pw.pw_name, grp.getgrgid(pw.pw_gid).gr_name
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            self.user = pwd.getpwuid(self.uid).pw_name
            self.group = grp.getgrgid(self.gid).gr_name
        self._counter = 0
        self._proc: subprocess.Popen[bytes] | None = None
        for folder, items in (content or {}).items():
            for sub in ("cur", "new", "tmp"):  # an empty folder exists too
                (self.folder_dir(folder) / sub).mkdir(parents=True, exist_ok=True)
            for item in items:
                self.deliver(folder, item, _chown=False)

    # ------------------------------------------------------------------ files

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / self.username

    def folder_dir(self, folder: str) -> Path:
        return self.maildir if folder.upper() == "INBOX" else self.maildir / folder

    def deliver(self, folder: str, item: SeedLike, *, _chown: bool = True) -> Path:
        """Put a message into a folder the way a local delivery agent does."""
        seed = item if isinstance(item, Seed) else Seed(raw=item)
        d = self.folder_dir(folder)
        for sub in ("cur", "new", "tmp"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        self._counter += 1
        when = seed.when.timestamp() if seed.when else time.time()
        letters = "".join(sorted(_FLAG_LETTERS[f] for f in seed.flags if f in _FLAG_LETTERS))
        name = f"{int(when)}.M{self._counter:08d}P1.borgerdesk:2,{letters}"
        path = d / "cur" / name
        path.write_bytes(seed.raw)
        os.utime(path, (when, when))
        if _chown:
            self._chown_tree()
        return path

    def _chown_tree(self) -> None:
        if os.geteuid() != 0:
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            os.chown(dirpath, self.uid, self.gid)
            for n in dirnames + filenames:
                with contextlib.suppress(FileNotFoundError):
                    os.lchown(os.path.join(dirpath, n), self.uid, self.gid)

    # ------------------------------------------------------------------ lifecycle

    def _write_config(self) -> Path:
        for sub in ("run", "state", "home", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "home" / self.username).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(f"{self.username}:{{PLAIN}}{self.password}::::::\n")
        ssl_files = ""
        if self._ssl_cert:
            cert, key = self._ssl_cert
            ssl_files = f"ssl_cert = <{cert}\nssl_key = <{key}\n"
        conf = self.root / "dovecot.conf"
        conf.write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                user=self.user,
                group=self.group,
                uid=self.uid,
                gid=self.gid,
                ssl="yes" if self._ssl_cert else "no",
                ssl_files=ssl_files,
            )
        )
        self._chown_tree()
        return conf

    def start(self) -> DovecotServer:
        conf = self._write_config()
        kwargs: dict[str, object] = {}
        if os.geteuid() == 0:
            kwargs = {"user": self.uid, "group": self.gid, "extra_groups": []}
        self._proc = subprocess.Popen(  # type: ignore[call-overload]
            [str(DOVECOT), "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **kwargs,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                log = (
                    (self.root / "dovecot.log").read_text(errors="replace")
                    if (self.root / "dovecot.log").exists()
                    else ""
                )
                raise RuntimeError(f"dovecot exited: {err} {log[-2000:]}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start in 20 s")

    def stop(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stderr:
            self._proc.stderr.close()
        self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def reset_uidvalidity(self, folder: str) -> None:
        """Lose the folder's UID list and indexes (as after a server migration or a
        corrupted index): Dovecot assigns a new UIDVALIDITY and new UIDs."""
        running = self._proc is not None
        self.stop()
        d = self.folder_dir(folder)
        for p in d.iterdir():
            if p.name.startswith("dovecot") and p.is_file():
                p.unlink()
        # New UIDVALIDITY is the current time: make sure it differs.
        time.sleep(1.1)
        if running:
            self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
