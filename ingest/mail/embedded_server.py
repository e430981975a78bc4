"""An in-process IMAP server (pymap's in-memory backend) on a free loopback port.

Used by the test suite as a real IMAP server that needs no installation, and by the
product's demo mode, so it is product code: it speaks real IMAP over a real socket, and
borgerdesk talks to it exactly as it talks to Exchange or Dovecot.

    with EmbeddedServer({"INBOX": [raw1, raw2], "Sent": [raw3]}) as srv:
        srv.host, srv.port, srv.username, srv.password

The server runs its asyncio loop in a daemon thread. The helpers that change the mailbox
(`append`, `expunge`, `recreate_folder`, `restart`) exist for demos and fault tests; they
are never called by the sync code.

pymap has no public API to seed or inspect its in-memory backend, so this module uses its
private attributes; pyproject.toml pins pymap's minor version and tests/test_private_apis.py
runs every helper that touches them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import socket
import threading
from argparse import Namespace
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EmbeddedServer", "Seed"]


@dataclass(frozen=True)
class Seed:
    """One message to put into a folder: raw bytes, flags, and arrival time."""

    raw: bytes
    flags: tuple[str, ...] = ()
    when: dt.datetime | None = None


SeedLike = bytes | Seed


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _as_seed(item: SeedLike) -> Seed:
    return item if isinstance(item, Seed) else Seed(raw=item)


@dataclass
class EmbeddedServer:
    """A pymap IMAP server with the given folders, reachable at (host, port).

    `content` maps folder name -> messages. "INBOX" always exists. Login is plain
    LOGIN without TLS, which borgerdesk allows only because the host is loopback.
    """

    content: Mapping[str, Sequence[SeedLike]] = field(default_factory=dict)
    username: str = "advisor@example.dk"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    host: str = "127.0.0.1"
    port: int = 0

    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _stop: asyncio.Event | None = field(default=None, init=False, repr=False)
    _backend: Any = field(default=None, init=False, repr=False)
    _config: Any = field(default=None, init=False, repr=False)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> EmbeddedServer:
        import logging

        # pymap logs the whole protocol at DEBUG, passwords and message text included:
        # never let that reach a log, even of a demo.
        logging.getLogger("pymap").setLevel(logging.WARNING)
        if self.port == 0:
            self.port = free_port(self.host)
        ready: Future[None] = Future()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=f"pymap:{self.port}", daemon=True
        )
        self._thread.start()
        ready.result(timeout=30)
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        self._loop = None
        self._thread = None

    def restart(self, *, keep_content: bool = True) -> None:
        """Stop and start again on the same port. pymap keeps no state on disk, so the
        folders are rebuilt from their current messages, and every folder gets a new
        UIDVALIDITY: exactly what a server whose UID database was lost looks like."""
        snapshot = self.dump() if keep_content else {}
        self.stop()
        self.content = snapshot
        self.start()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, ready: Future[None]) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve(ready))
        except BaseException as e:  # pragma: no cover - surfaced through `ready`
            if not ready.done():
                ready.set_exception(e)
        finally:
            # Close the open client connections the way a stopping server does.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    async def _serve(self, ready: Future[None]) -> None:
        from pymap.backend.dict import Config, DictBackend
        from pymap.imap import IMAPService

        class _Config(Config):
            # pymap's default greeting resolves the FQDN, which can stall on a
            # machine without DNS; a loopback demo server needs no name.
            @property
            def greeting(self) -> bytes:
                return b"Server ready borgerdesk-embedded"

        args = Namespace(
            debug=False,
            host=self.host,
            port=self.port,
            cert=None,
            key=None,
            tls=False,
            inherited_sockets=None,
            proxy_protocol=None,
            passlib_cfg=None,
            demo_data=False,
            demo_user=self.username,
            demo_password=self.password,
        )
        config = _Config.from_args(
            args, reject_dnsbl=False, invalid_user_sleep=0.0, bad_command_limit=None
        )
        login_cls = __import__("pymap.backend.dict", fromlist=["Login"]).Login
        login = login_cls(config)
        await DictBackend._add_demo_user(config, login)
        backend = DictBackend(login, config)
        config.apply_context()
        self._backend, self._config = backend, config
        self._stop = asyncio.Event()
        async with AsyncExitStack() as stack:
            await backend.start(stack)
            await IMAPService(backend, config).start(stack)
            for folder, items in self.content.items():
                await self._append_all(folder, [_as_seed(i) for i in items])
            ready.set_result(None)
            await self._stop.wait()

    # ------------------------------------------------------------------ mailbox access

    async def _mailbox_set(self) -> Any:
        from pymap.backend.dict import Identity

        identity = Identity(self.username, self._backend.login, None, frozenset())
        async with identity.new_session() as session:
            return session.mailbox_set

    async def _mailbox(self, folder: str, *, create: bool = True) -> Any:
        mset = await self._mailbox_set()
        try:
            return await mset.get_mailbox(folder)
        except KeyError:
            if not create:
                raise
            await mset.add_mailbox(folder)
            return await mset.get_mailbox(folder)

    async def _append_all(self, folder: str, seeds: Iterable[Seed]) -> list[int]:
        from pymap.parsing.message import AppendMessage
        from pymap.parsing.specials.flag import Flag

        mbx = await self._mailbox(folder)
        uids = []
        for seed in seeds:
            when = seed.when or dt.datetime.now(dt.UTC)
            flags = frozenset(Flag(f.encode()) for f in seed.flags)
            msg = await mbx.append(AppendMessage(seed.raw, when, flags))
            uids.append(msg.uid)
        return uids

    def _call(self, coro: Any) -> Any:
        assert self._loop is not None, "server not running"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)

    def append(self, folder: str, *items: SeedLike) -> list[int]:
        """Deliver messages into a folder (as a mail server's delivery would)."""
        return list(self._call(self._append_all(folder, [_as_seed(i) for i in items])))

    def expunge(self, folder: str, uids: Iterable[int]) -> None:
        """Delete messages, as another client (the advisor's Outlook) would."""

        async def _do() -> None:
            mbx = await self._mailbox(folder, create=False)
            await mbx.delete(list(uids))

        self._call(_do())

    def recreate_folder(self, folder: str) -> None:
        """Rebuild one folder with its messages under a new UIDVALIDITY."""

        async def _do() -> None:
            from pymap.backend.dict.mailbox import MailboxData
            from pymap.mailbox import MailboxSnapshot

            mbx = await self._mailbox(folder, create=False)
            async with mbx.messages_lock.write_lock():
                msgs = sorted(mbx._messages.values(), key=lambda m: m.uid)
                mbx._uid_validity = MailboxSnapshot.new_uid_validity()
                mbx._messages = {}
                # New UIDs start from a different base, as after a server migration.
                mbx._max_uid = 1000
                for m in msgs:
                    mbx._max_uid += 1
                    mbx._messages[mbx._max_uid] = type(m).copy(m, uid=mbx._max_uid)
                mbx._mod_sequences.update(list(mbx._messages))
            assert isinstance(mbx, MailboxData)

        self._call(_do())

    def dump(self) -> dict[str, list[Seed]]:
        """The current content of every folder, in UID order."""

        async def _do() -> dict[str, list[Seed]]:
            mset = await self._mailbox_set()
            names = ["INBOX", *sorted(mset._set.keys())]
            out: dict[str, list[Seed]] = {}
            for name in names:
                mbx = await mset.get_mailbox(name)
                seeds = []
                for m in sorted(mbx._messages.values(), key=lambda m: m.uid):
                    seeds.append(
                        Seed(
                            raw=bytes(m._content),
                            flags=tuple(f.value.decode() for f in m.permanent_flags),
                            when=m.internal_date,
                        )
                    )
                out[name] = seeds
            return out

        return dict(self._call(_do()))

    def state(self) -> dict[str, dict[str, Any]]:
        """Per folder: UIDVALIDITY, message count and the flags of every UID. Tests
        compare this before and after a sync to prove it changed nothing."""

        async def _do() -> dict[str, dict[str, Any]]:
            mset = await self._mailbox_set()
            out: dict[str, dict[str, Any]] = {}
            for name in ["INBOX", *sorted(mset._set.keys())]:
                mbx = await mset.get_mailbox(name)
                out[name] = {
                    "uidvalidity": mbx.uid_validity,
                    "count": len(mbx._messages),
                    "flags": {
                        uid: sorted(f.value.decode() for f in m.permanent_flags)
                        for uid, m in mbx._messages.items()
                    },
                    "recent": sorted(uid for uid, m in mbx._messages.items() if m.recent),
                }
            return out

        return dict(self._call(_do()))
