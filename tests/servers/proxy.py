"""A small TCP proxy between the client and a real IMAP server.

It records every command line the client sends (to count IMAP commands on the wire, not
by trusting the client library), and can cut the connection after a given number of
bytes from the server (a network failure in the middle of a FETCH).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class TcpProxy:
    target_host: str
    target_port: int
    host: str = "127.0.0.1"
    port: int = 0
    # Cut every connection once this many bytes came from the server (None: never).
    drop_after_server_bytes: int | None = None
    client_lines: list[bytes] = field(default_factory=list)
    server_bytes: int = 0
    dropped: int = 0
    _sock: socket.socket | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)
    _conns: list[socket.socket] = field(default_factory=list, repr=False)

    def start(self) -> TcpProxy:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self.host, self.port))
        self.port = self._sock.getsockname()[1]
        self._sock.listen(8)
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        for c in list(self._conns):
            with contextlib.suppress(OSError):
                c.close()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def commands(self) -> list[str]:
        """The IMAP command names the client sent (tag stripped), e.g. 'STATUS', 'UID'."""
        out = []
        for line in self.client_lines:
            parts = line.split(b" ")
            if len(parts) >= 2 and parts[0][:1].isalnum() and parts[1][:1].isalpha():
                name = parts[1].upper().decode(errors="replace")
                if name == "UID" and len(parts) > 2:
                    name = "UID " + parts[2].upper().decode(errors="replace")
                out.append(name)
        return out

    def reset(self) -> None:
        with self._lock:
            self.client_lines.clear()

    def _accept(self) -> None:
        assert self._sock is not None
        while True:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            server = socket.create_connection((self.target_host, self.target_port))
            self._conns += [client, server]
            budget = [self.drop_after_server_bytes]
            for args in ((client, server, True, budget), (server, client, False, budget)):
                t = threading.Thread(target=self._pipe, args=args, daemon=True)
                t.start()

    def _pipe(
        self, src: socket.socket, dst: socket.socket, from_client: bool, budget: list[int | None]
    ) -> None:
        pending = b""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client:
                    pending += data
                    *lines, pending = pending.split(b"\r\n")
                    with self._lock:
                        # Literal payloads would appear as lines too; commands are short.
                        self.client_lines.extend(ln for ln in lines if len(ln) < 4096)
                else:
                    with self._lock:
                        self.server_bytes += len(data)
                        if budget[0] is not None:
                            if len(data) >= budget[0]:
                                dst.sendall(data[: budget[0]])
                                self.dropped += 1
                                raise ConnectionAbortedError("proxy cut the connection")
                            budget[0] -= len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()
