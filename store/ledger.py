"""The file-hash ledger (`imported_file`): which files each kind of import has taken in.

A file is known by its kind of import and the SHA-256 of its bytes, so importing a file
again as the same kind does nothing, while the same bytes given to the other import are
that import's to judge (a register given to `import-calls` is refused as not a call list,
not waved through as "already imported").
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlmodel import Session, col

from store.models import ImportedFile

LedgerKind = Literal["register", "calls"]
REGISTER: LedgerKind = "register"
CALLS: LedgerKind = "calls"


def already_imported(session: Session, kind: LedgerKind, sha256: str) -> bool:
    """Whether a file with these bytes was imported before by this kind of import."""
    return (
        session.execute(
            select(col(ImportedFile.id)).where(
                col(ImportedFile.kind) == kind, col(ImportedFile.sha256) == sha256
            )
        ).first()
        is not None
    )
