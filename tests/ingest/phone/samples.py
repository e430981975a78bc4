"""Sample exports as the phone systems write them, and helpers shared by the phone tests.

Files are written byte for byte (encodings, BOMs, CRLF, "sep=" lines) so the tests read
what an advisor would download.
"""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.config import Config, load_config_text, preset_text

ADVISOR_UPN = "borgerraadgiver@odsherred.dk"
COLLEAGUE_UPN = "kollega@odsherred.dk"
ADVISOR_EXT = "4711"
ADVISOR_NUMBER = "+4559664711"
VOICEMAIL_PILOT = "4999"

DK_HEADER = ["Dato", "Tidspunkt", "Retning", "Nummer", "Varighed", "Status"]
TEAMS_HEADER = [
    "UsageId",
    "Call ID",
    "UPN",
    "User Display Name",
    "Caller ID",
    "Call Type",
    "Number Type",
    "Destination Dialed",
    "Destination Number",
    "Start Time",
    "End Time",
    "Duration Seconds",
    "Currency",
]
CUCM_HEADER = [
    "cdrRecordType",
    "globalCallID_callManagerId",
    "globalCallID_callId",
    "dateTimeOrigination",
    "callingPartyNumber",
    "originalCalledPartyNumber",
    "finalCalledPartyNumber",
    "dateTimeConnect",
    "dateTimeDisconnect",
    "duration",
]
CUCM_TYPES = [
    "INTEGER",
    "INTEGER",
    "INTEGER",
    "INTEGER",
    "VARCHAR(50)",
    "VARCHAR(50)",
    "VARCHAR(50)",
    "INTEGER",
    "INTEGER",
    "INTEGER",
]

PHONE_TOML = f"""
[phone]
own_upns = ["{ADVISOR_UPN}"]
own_extensions = ["{ADVISOR_EXT}"]
own_numbers = ["{ADVISOR_NUMBER}"]
voicemail_numbers = ["{VOICEMAIL_PILOT}"]
stable_seconds = 0.3
max_wait_seconds = 1.5
"""


def config_text(extra: str = "") -> str:
    return preset_text("odsherred") + PHONE_TOML + extra


def make_config(extra: str = "") -> Config:
    return load_config_text(config_text(extra), "test")


def csv_bytes(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ";",
    encoding: str = "cp1252",
    bom: bool = False,
    sep_line: bool = False,
    newline: str = "\r\n",
    trailer: Sequence[Sequence[str]] = (),
) -> bytes:
    def line(cells: Sequence[str]) -> str:
        out = []
        for c in cells:
            if delimiter in c or '"' in c or "\n" in c:
                c = '"' + c.replace('"', '""') + '"'
            out.append(c)
        return delimiter.join(out)

    lines = ([f"sep={delimiter}"] if sep_line else []) + [line(header)]
    lines += [line(r) for r in rows] + [line(r) for r in trailer]
    text = newline.join(lines) + newline
    data = text.encode(encoding)
    if bom:
        if encoding.replace("-", "").lower() == "utf8":
            data = codecs.BOM_UTF8 + data
        elif encoding.lower() in ("utf-16", "utf16"):
            pass  # Python's utf-16 codec writes the BOM itself
    return data


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def dk_rows() -> list[list[str]]:
    """A week of the advisor's calls, numbers in every format exports use."""
    return [
        ["01-10-2024", "09:15:00", "Indgående", "22 33 44 55", "125", "Besvaret"],
        ["01-10-2024", "09:40", "Indgående", "+45 22334455", "0", "Ubesvaret"],
        ["01-10-2024", "10:05:10", "Udgående", "004522334455", "02:05", "Besvaret"],
        ["02-10-2024", "08:01:00", "Indgående", "Skjult nummer", "0", "Telefonsvarer"],
        ["02-10-2024", "13:30:00", "Indgående", "33 44 55 66", "1:02:05", "Besvaret"],
        ["03-10-2024", "11:00:00", "Udgående", "+46 8 123 456 78", "61", "Ubesvaret"],
    ]


def teams_row(
    upn: str, call_type: str, caller: str, callee: str, start: str, duration: int
) -> list[str]:
    return [
        "u-" + start,
        "c-" + start,
        upn,
        "Borgerrådgiver",
        caller,
        call_type,
        "user",
        callee,
        callee,
        start,
        start,
        str(duration),
        "DKK",
    ]


def cucm_row(
    origin: int, calling: str, called: str, final: str, connect: int, duration: int
) -> list[str]:
    return [
        "1",
        "1",
        str(origin % 100000),
        str(origin),
        calling,
        called,
        final,
        str(connect),
        str(origin + duration + 5),
        str(duration),
    ]


def epoch(y: int, mo: int, d: int, h: int, mi: int, s: int = 0) -> int:
    return int(dt.datetime(y, mo, d, h, mi, s, tzinfo=dt.UTC).timestamp())


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table: "nothing written" means these do not change."""
    out = {}
    with Session(engine) as s:
        for t in SQLModel.metadata.sorted_tables:
            out[t.name] = s.execute(select(func.count()).select_from(t)).scalar_one()
    return out


def xlsx_bytes(
    header: Sequence[str], rows: Sequence[Sequence[object]], path: Path, title: str | None = None
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path.read_bytes()
