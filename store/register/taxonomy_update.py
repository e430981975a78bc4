"""`--create-taxonomy`: add the register's new values to the config file, keeping its
comments (tomlkit), so later validation knows them."""

from __future__ import annotations

from collections import defaultdict

import tomlkit
from tomlkit.items import AoT, Table

from store.register.parse import ParsedRegister

_LISTS = {"category": "categories", "theme": "themes", "party_kind": "party_kinds"}


def add_values(config_text: str, parsed: ParsedRegister, new: tuple[tuple[str, str], ...]) -> str:
    """The config text with the new taxonomy values added."""
    doc = tomlkit.parse(config_text)
    tax = doc.get("taxonomy")
    if tax is None:
        tax = tomlkit.table()
        doc["taxonomy"] = tax
    assert isinstance(tax, Table)
    # Outcomes belong to actions: add each new outcome to the actions it follows in the file.
    outcome_actions: dict[str, set[str]] = defaultdict(set)
    for c in parsed.cases.values():
        o, a = c.classification.get("outcome"), c.classification.get("action")
        if o and a:
            outcome_actions[o].add(a)
    for field, value in new:
        if field in _LISTS:
            key = _LISTS[field]
            if key not in tax:
                tax[key] = tomlkit.array()
            if value not in tax[key]:
                tax[key].append(value)
        elif field in ("department", "action"):
            key = "departments" if field == "department" else "actions"
            if key not in tax:
                tax[key] = tomlkit.aot()
            aot = tax[key]
            assert isinstance(aot, AoT)
            if not any(t.get("name") == value for t in aot):
                t = tomlkit.table()
                t["name"] = value
                aot.append(t)
    for field, value in new:
        if field != "outcome":
            continue
        if "actions" not in tax:
            tax["actions"] = tomlkit.aot()
        for t in tax["actions"]:
            if t.get("name") in outcome_actions.get(value, set()):
                outs = t.setdefault("outcomes", tomlkit.array())
                if value not in outs:
                    outs.append(value)
    return tomlkit.dumps(doc)
