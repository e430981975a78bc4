"""Shapes and rules with one definition, in the layer that owns it: the classification
fields (store/cases.py), the "waiting in triage" predicate (store/contacts.py) and the
shape of a source's health (store/source_health.py)."""

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
