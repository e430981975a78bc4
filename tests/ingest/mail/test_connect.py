"""Transport security against a real Dovecot with TLS: certificates are checked, a custom
CA can be configured, STARTTLS is enforced, plaintext only on loopback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from ingest.mail.connect import MailError, connect
from store.config.mail import MailAccount
from tests.servers import dovecot

pytestmark = pytest.mark.skipif(not dovecot.available(), reason="Dovecot not installed")


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("tls")
    ca_key, ca, key, csr, cert = (d / n for n in ("ca.key", "ca.pem", "s.key", "s.csr", "s.pem"))
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=borgerdesk test CA",
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    ext = d / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    srv = dovecot.DovecotServer(
        {"INBOX": [b"From: a@example.org\r\n\r\nx\r\n"]}, ssl_cert=(cert, key)
    )
    srv.start()
    yield srv, ca
    srv.cleanup()


def _account(srv, **kw) -> MailAccount:  # type: ignore[no-untyped-def]
    return MailAccount(name="t", host=srv.host, port=srv.port, username=srv.username, **kw)


def test_starttls_with_custom_ca_logs_in(tls_server) -> None:  # type: ignore[no-untyped-def]
    srv, ca = tls_server
    client = connect(_account(srv, security="starttls", ca_file=ca), password=srv.password)
    try:
        assert client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"] == 1
    finally:
        client.logout()


def test_untrusted_certificate_is_refused_with_a_clear_message(tls_server) -> None:  # type: ignore[no-untyped-def]
    srv, _ca = tls_server
    with pytest.raises(MailError) as e:
        connect(_account(srv, security="starttls"), password=srv.password)
    msg = str(e.value)
    assert "certificate was not accepted" in msg and "ca_file" in msg
    assert srv.password not in msg


def test_implicit_tls_on_a_starttls_port_fails_clearly(tls_server) -> None:  # type: ignore[no-untyped-def]
    srv, ca = tls_server
    with pytest.raises(MailError, match="TLS failed"):
        connect(_account(srv, security="tls", ca_file=ca), password=srv.password, timeout=5)


def test_plaintext_only_for_loopback(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="loopback"):
        MailAccount(name="x", host="imap.example.dk", security="none", username="u")
    MailAccount(name="x", host="127.0.0.1", security="none", username="u")
    MailAccount(name="x", host="::1", security="none", username="u")
