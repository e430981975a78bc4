"""IMAP fixtures: every test runs against pymap in-process, and against Dovecot when
/usr/sbin/dovecot exists (CI installs it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import imapclient
import pytest
from sqlalchemy import Engine

from ingest.mail.embedded_server import EmbeddedServer, SeedLike
from store.config import Config
from store.config.mail import Mail, MailAccount
from tests.servers import dovecot


class Server(Protocol):
    host: str
    port: int
    username: str
    password: str


SERVERS = [
    "pymap",
    pytest.param(
        "dovecot",
        marks=pytest.mark.skipif(
            not dovecot.available(), reason="Dovecot not installed (CI installs dovecot-imapd)"
        ),
    ),
]


class ServerFactory:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.started: list[Any] = []

    def __call__(self, content: Mapping[str, Sequence[SeedLike]]) -> Any:
        if self.kind == "pymap":
            srv: Any = EmbeddedServer(content).start()
        else:
            srv = dovecot.DovecotServer(content).start()
        self.started.append(srv)
        return srv

    def close(self) -> None:
        for s in self.started:
            if isinstance(s, EmbeddedServer):
                s.stop()
            else:
                s.cleanup()


@pytest.fixture(params=SERVERS)
def make_server(request: pytest.FixtureRequest) -> Iterator[ServerFactory]:
    f = ServerFactory(request.param)
    yield f
    f.close()


@pytest.fixture
def make_config(odsherred_config: Config) -> Callable[..., Config]:
    def make(server: Any, *, port: int | None = None, **account: Any) -> Config:
        acct = MailAccount(
            name=account.pop("name", "advisor"),
            host=server.host,
            port=port or server.port,
            security="none",
            username=server.username,
            password_env="BD_TEST_IMAP_PW",
            internal_domains=account.pop("internal_domains", ["example.dk"]),
            **account,
        )
        return odsherred_config.model_copy(update={"mail": Mail(accounts=[acct])})

    return make


@pytest.fixture(autouse=True)
def _fresh_folder_cache() -> Iterator[None]:
    # Servers come and go on reused ports here; a daemon's mailbox does not.
    from ingest.mail import session, sync

    sync._folders_cache.clear()
    session.close_all()
    yield
    sync._folders_cache.clear()
    session.close_all()


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests must never read or write the developer's real keyring.
    monkeypatch.setattr("store.secrets._keyring_get", lambda key: None)


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], None]:
    def set_(server: Any) -> None:
        monkeypatch.setenv("BD_TEST_IMAP_PW", server.password)

    return set_


def snapshot(server: Any) -> dict[str, Any]:
    """Everything a sync must not change, read by a separate read-only client: per folder
    STATUS counts and every message's UID and flags (\\Recent included)."""
    c = imapclient.IMAPClient(server.host, port=server.port, ssl=False)
    c.login(server.username, server.password)
    out: dict[str, Any] = {}
    try:
        for _flags, _d, name in c.list_folders():
            st = c.folder_status(
                name, [b"MESSAGES", b"RECENT", b"UNSEEN", b"UIDNEXT", b"UIDVALIDITY"]
            )
            c.select_folder(name, readonly=True)
            uids = c.search("ALL")
            flags = c.get_flags(uids) if uids else {}
            out[name] = {"status": st, "flags": {u: sorted(f) for u, f in flags.items()}}
    finally:
        c.logout()
    return out


@pytest.fixture
def db(engine: Engine) -> Engine:
    return engine
