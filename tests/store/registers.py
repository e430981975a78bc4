"""Writing generated registers to real files, in the formats advisors keep them in."""

from __future__ import annotations

import csv
from pathlib import Path

from store.samples import REGISTER_HEADER


def write_csv(
    rows: list[dict[str, str]],
    path: Path,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    header: tuple[str, ...] = REGISTER_HEADER,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(c, "") for c in REGISTER_HEADER])
    return path


def write_xlsx(rows: list[dict[str, str]], path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(REGISTER_HEADER))
    for r in rows:
        ws.append([r.get(c, "") for c in REGISTER_HEADER])
    wb.save(path)
    return path
