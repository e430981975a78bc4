"""Writing generated registers to real files, in the formats advisors keep them in."""

from __future__ import annotations

from pathlib import Path

from store.samples import REGISTER_HEADER
from store.samples import write_register_csv as write_csv

__all__ = ["write_csv", "write_xlsx"]


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
