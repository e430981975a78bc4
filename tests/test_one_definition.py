"""Shapes and rules with one definition, in the layer that owns it: the classification
fields (store/cases.py), the "waiting in triage" predicate (store/contacts.py), the
shape of a source's health (store/source_health.py) and the columns of a bulk-inserted
contact row (store/bulkload.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLASSIFICATION = ("department", "category", "theme", "action", "outcome")


def _sources() -> list[tuple[str, ast.AST]]:
    out = []
    for package in ("store", "ingest", "tui", "borgerdesk"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "migrations" not in rel:
                out.append((rel, ast.parse(path.read_text("utf-8"))))
    return out


def test_the_classification_fields_are_spelled_out_once() -> None:
    hits = [
        rel
        for rel, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Tuple | ast.List)
        and tuple(getattr(e, "value", None) for e in node.elts[:5]) == CLASSIFICATION
        and len(node.elts) == 5
    ]
    assert hits == ["store/classification.py"], hits


def test_the_triage_predicate_is_written_once() -> None:
    """`case_id IS NULL` beside `dismissed` is the triage rule: only store/contacts.py."""
    hits = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            text = ast.unparse(node) if isinstance(node, ast.Call) else ""
            if "case_id" in text and ".is_(None)" in text and "dismissed" in text:
                hits.append(rel)
    assert set(hits) == {"store/contacts.py"}, sorted(set(hits))


def test_one_source_health_shape() -> None:
    from store.desk import rows

    # The header's rows carry store.source_health's own class (imported for typing only:
    # the first frame loads no ORM, issue 20).
    assert rows.Status.__annotations__["sources"] == "tuple[SourceHealth, ...]"
    classes = [
        rel
        for rel, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name in {"SourceHealth", "HealthSummary"}
    ]
    assert classes == ["store/source_health.py"], classes


def test_the_contact_row_columns_are_listed_once() -> None:
    """A register import, a mail sync and a phone import insert contact rows as plain
    tuples: their columns are store.bulkload.CONTACT_COLS, not a tuple of their own (a
    literal naming both `channel` and `occurred_on`)."""
    hits = [
        rel
        for rel, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Tuple | ast.List)
        and {"channel", "occurred_on"} <= {getattr(e, "value", None) for e in node.elts}
    ]
    assert hits == ["store/bulkload.py"], hits


def test_the_contact_row_columns_fill_every_required_column() -> None:
    """A column the model requires (NOT NULL, no default in the database) added to
    Contact must be added to the one definition, or every bulk insert fails."""
    from store.bulkload import CALL_COLS, CONTACT_COLS
    from store.models import Contact

    table = Contact.__table__  # type: ignore[attr-defined]
    required = {
        c.name
        for c in table.columns
        if not c.nullable and c.server_default is None and not c.primary_key
    }
    assert required <= set(CONTACT_COLS), required - set(CONTACT_COLS)
    assert set(CONTACT_COLS) | set(CALL_COLS) <= {c.name for c in table.columns}
    assert len(set(CONTACT_COLS + CALL_COLS)) == len(CONTACT_COLS) + len(CALL_COLS)
