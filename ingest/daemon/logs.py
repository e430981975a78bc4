"""Logging for the daemon: one structured line per event, to stderr and optionally a
rotating file.

Lines are logfmt (`level=info logger=... event="..." key=value`), readable by people and
by journald's and Loki's parsers. When stderr is the journal (systemd sets JOURNAL_STREAM)
each line starts with the sd-daemon `<N>` priority prefix so journalctl shows levels.

What never reaches a log: message bodies (no code logs them), passwords (no code logs
them), and addresses in full: a filter masks every e-mail address and phone number in
every record, whatever code produced it, as the last line of defence.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from store.addresses import redact

_STANDARD = frozenset(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_SYSLOG = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}


def _quote(value: object) -> str:
    s = str(value)
    if s and not any(c in s for c in ' "=\n\t'):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class LogfmtFormatter(logging.Formatter):
    """`level=info logger=borgerdesk.daemon event="mail sync done" source=work new=12`.

    Extra fields come from `logger.info("...", extra={"fields": {...}})`.
    """

    def __init__(self, *, journal: bool = False, timestamps: bool = True) -> None:
        super().__init__()
        self.journal = journal
        self.timestamps = timestamps

    def format(self, record: logging.LogRecord) -> str:
        parts = []
        if self.timestamps:
            parts.append("ts=" + self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"))
        parts += [
            f"level={record.levelname.lower()}",
            f"logger={record.name}",
            "event=" + _quote(redact(record.getMessage())),
        ]
        fields = dict(getattr(record, "fields", None) or {})
        # Other modules pass `extra={"account": ...}`: those attributes are fields too.
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key != "fields" and not key.startswith("_"):
                fields.setdefault(key, value)
        for key, value in fields.items():
            parts.append(f"{key}={_quote(redact(str(value)))}")
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            # The exception's type and (redacted) message; a traceback could quote data.
            parts.append("error=" + _quote(redact(f"{type(exc).__name__}: {exc}")[:500]))
        line = " ".join(parts)
        if self.journal:
            line = f"<{_SYSLOG.get(record.levelno, 6)}>{line}"
        return line


def setup_logging(*, level: str = "info", log_file: Path | None = None) -> None:
    """Configure the root logger for the daemon process."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(level.upper())
    journal = bool(os.environ.get("JOURNAL_STREAM"))
    err = logging.StreamHandler(sys.stderr)
    # journald stamps lines itself.
    err.setFormatter(LogfmtFormatter(journal=journal, timestamps=not journal))
    root.addHandler(err)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fh = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8"
        )
        fh.setFormatter(LogfmtFormatter())
        root.addHandler(fh)
        os.chmod(log_file, 0o600)
    # APScheduler logs every job start at INFO; that is noise once a minute.
    logging.getLogger("apscheduler").setLevel(max(root.level, logging.WARNING))
