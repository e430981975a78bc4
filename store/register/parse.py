"""Turning register rows into validated cases and contacts, collecting every problem."""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections import defaultdict
from dataclasses import dataclass, field

from store.addresses import normalise_email, normalise_phone
from store.cases import CLASSIFICATION_FIELDS
from store.config.taxonomy import Taxonomy
from store.dateinput import parse_date, parse_moment
from store.errors import shown_cell
from store.register.columns import (
    BOOLEANS,
    CASE_COLUMNS,
    CASE_KINDS,
    CHANNELS,
    CONTACT_COLUMNS,
    DIRECTIONS,
    PARTY_KINDS,
    canonical,
)
from store.tabular import Table

MAX_LISTED = 50


@dataclass
class CaseRow:
    ref: str
    lines: list[int]
    values: dict[str, str]  # raw non-empty case-column values, for disagreement checks
    party_ref: str | None = None
    party_name: str | None = None
    party_kind: str = "citizen"
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    kind: str = "citizen"
    classification: dict[str, str | None] = field(default_factory=dict)
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    excluded: bool = False
    excluded_reason: str | None = None
    wanted_to_complain: bool = False


@dataclass(slots=True)
class ContactRow:
    line: int
    case_ref: str
    occurred_at: dt.datetime
    channel: str
    direction: str
    summary: str | None
    day: dt.date  # the Copenhagen calendar date of occurred_at
    source_ref: str = ""


@dataclass
class ParsedRegister:
    cases: dict[str, CaseRow]
    contacts: list[ContactRow]
    problems: list[str]
    # taxonomy field -> value -> line numbers, for values not in the config
    unknown_taxonomy: dict[tuple[str, str], list[int]]
    rows: int


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def contact_source_ref(c: ContactRow, occurrence: int) -> str:
    """Stable identity of a register contact, independent of the file it came in: the
    same row imported again (from this file or a later, longer export) adds nothing."""
    key = "\x1f".join(
        [
            c.case_ref,
            str(int(c.occurred_at.timestamp())),
            c.channel,
            c.direction,
            c.summary or "",
            str(occurrence),
        ]
    )
    return "register:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]


def parse_register(table: Table, source: str, taxonomy: Taxonomy) -> ParsedRegister:
    problems: list[str] = []
    index: dict[str, int] = {}
    unknown_cols = []
    for i, name in enumerate(table.header):
        col = canonical(name)
        if col is None:
            if name:
                unknown_cols.append(name)
            continue
        if col in index:
            problems.append(f"{source}: line 1: column {name!r} repeats column {col!r}")
        index[col] = i
    if unknown_cols:
        shown = ", ".join(shown_cell(c) for c in unknown_cols)
        problems.append(
            f"{source}: line 1: unknown column(s) {shown}; "
            "see docs/register.md for the column names"
        )
    if "case_ref" not in index:
        problems.append(f"{source}: line 1: the required column 'case_ref' is missing")
        return ParsedRegister({}, [], problems, {}, 0)

    allowed = {f: taxonomy.values(f) for f in CLASSIFICATION_FIELDS}
    allowed_party_kinds = set(taxonomy.party_kinds)
    cases: dict[str, CaseRow] = {}
    first_values: dict[str, tuple[str, ...]] = {}
    contacts: list[ContactRow] = []
    unknown: dict[tuple[str, str], list[int]] = defaultdict(list)
    n_rows = 0

    def bad(line: int, col: str, value: str, why: str) -> None:
        problems.append(f"{source}: line {line}: column {col}: {value!r}: {why}")

    # The hot loop runs a million times for a large register: plain index look-ups, and
    # case columns compared as one tuple against the case's first row.
    case_cols = [(c, index[c]) for c in CASE_COLUMNS if c in index]
    i_ref = index["case_ref"]
    i_at, i_ch, i_dir, i_sum = (index.get(c, -1) for c in CONTACT_COLUMNS)
    width = max(index.values()) + 1
    idx = [i for _, i in case_cols]
    get_case = operator.itemgetter(*idx) if len(idx) > 1 else (lambda cells: (cells[idx[0]],))

    for line, cells in table.rows:
        n_rows += 1
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        ref = cells[i_ref].strip()
        if not ref:
            bad(line, "case_ref", "", "every row needs a case reference")
            continue
        raw_vals = get_case(cells)
        case = cases.get(ref)
        if case is None:
            vals = tuple(v.strip() for v in raw_vals)
            values = {c: v for (c, _), v in zip(case_cols, vals, strict=True) if v}
            case = CaseRow(ref=ref, lines=[line], values=values)
            cases[ref] = case
            first_values[ref] = raw_vals
            _fill_case(case, values, line, bad, allowed, allowed_party_kinds, unknown)
        else:
            case.lines.append(line)
            if raw_vals != first_values[ref]:  # the common case: an identical repeat
                for (col, _), v in zip(case_cols, raw_vals, strict=True):
                    v = v.strip()
                    if not v:
                        continue
                    prev = case.values.get(col)
                    if prev is None:
                        case.values[col] = v
                        _fill_case(case, {col: v}, line, bad, allowed, allowed_party_kinds, unknown)
                    elif prev != v:
                        problems.append(
                            f"{source}: case {ref!r}: rows disagree on {col}: {prev!r} "
                            f"(line {case.lines[0]}) vs {v!r} (line {line}); make them agree"
                        )
        at = cells[i_at].strip() if i_at >= 0 else ""
        if not at:
            continue  # a row with no contact registers the case only
        try:
            moment, day = parse_moment(at)
        except ValueError as e:
            bad(line, "contact_at", at, str(e))
            continue
        raw_ch = cells[i_ch].strip() if i_ch >= 0 else ""
        channel = CHANNELS.get(raw_ch.lower())
        if channel is None:
            bad(
                line,
                "channel",
                raw_ch,
                "use phone|email|meeting|letter|home_visit (telefon|mail|møde|brev|hjemmebesøg)",
            )
            continue
        raw_dir = (cells[i_dir].strip() if i_dir >= 0 else "") or "in"
        direction = DIRECTIONS.get(raw_dir.lower())
        if direction is None:
            bad(line, "direction", raw_dir, "use in|out (ind|ud)")
            continue
        summary = cells[i_sum].strip() if i_sum >= 0 else ""
        contacts.append(ContactRow(line, ref, moment, channel, direction, summary or None, day))

    # The earliest contact day of each case: its opening date when none is given.
    first_day: dict[str, dt.date] = {}
    for c in contacts:
        d = c.day
        if c.case_ref not in first_day or d < first_day[c.case_ref]:
            first_day[c.case_ref] = d
    for case in cases.values():
        if case.opened_on is None:
            if case.ref in first_day:
                case.opened_on = first_day[case.ref]
            elif "case_opened" not in case.values:
                problems.append(
                    f"{source}: line {case.lines[0]}: case {case.ref!r} has neither "
                    "case_opened nor a contact; give it a case_opened date"
                )
        if case.opened_on and case.closed_on and case.closed_on < case.opened_on:
            problems.append(
                f"{source}: line {case.lines[0]}: case {case.ref!r} closes "
                f"{case.closed_on} before it opens {case.opened_on}"
            )
        dep = case.classification.get("department")
        if dep and case.opened_on:
            for dep_def in taxonomy.departments:
                if dep_def.name == dep and not dep_def.valid_on(case.opened_on):
                    problems.append(
                        f"{source}: line {case.lines[0]}: case {case.ref!r}: department "
                        f"{dep!r} was not valid on {case.opened_on} "
                        f"(valid {dep_def.valid_from or '…'} – {dep_def.valid_to or '…'})"
                    )
        _check_action(case, taxonomy, source, problems)

    seen: dict[tuple[str, dt.datetime, str, str, str], int] = defaultdict(int)
    for c in contacts:
        key = (c.case_ref, c.occurred_at, c.channel, c.direction, c.summary or "")
        c.source_ref = contact_source_ref(c, seen[key])
        seen[key] += 1
    return ParsedRegister(cases, contacts, problems, dict(unknown), n_rows)


def _fill_case(case, values, line, bad, allowed, allowed_party_kinds, unknown) -> None:  # type: ignore[no-untyped-def]
    for col, v in values.items():
        match col:
            case "party_ref":
                case.party_ref = v
            case "party_name":
                case.party_name = v
            case "party_kind":
                kind = PARTY_KINDS.get(v.lower(), v)
                if kind not in allowed_party_kinds:
                    unknown[("party_kind", v)].append(line)
                case.party_kind = kind
            case "party_email":
                for e in _split_list(v):
                    norm = normalise_email(e)
                    if norm is None:
                        bad(line, col, e, "not an e-mail address")
                    else:
                        case.emails.append(norm)
            case "party_phone":
                for p in _split_list(v):
                    norm = normalise_phone(p)
                    if norm is None:
                        bad(line, col, p, "not a phone number")
                    else:
                        case.phones.append(norm)
            case "case_kind":
                kind = CASE_KINDS.get(v.lower())
                if kind is None:
                    bad(line, col, v, "use citizen|consultancy|whistleblower")
                else:
                    case.kind = kind
            case "case_opened" | "case_closed":
                try:
                    d = parse_date(v)
                except ValueError as e:
                    bad(line, col, v, str(e))
                else:
                    if col == "case_opened":
                        case.opened_on = d
                    else:
                        case.closed_on = d
            case "excluded" | "wanted_to_complain":
                b = BOOLEANS.get(v.lower())
                if b is None:
                    bad(line, col, v, "use true/false, 1/0 or ja/nej")
                elif col == "excluded":
                    case.excluded = b
                else:
                    case.wanted_to_complain = b
            case "excluded_reason":
                case.excluded_reason = v
            case _ if col in allowed:
                if v not in allowed[col]:
                    unknown[(col, v)].append(line)
                case.classification[col] = v


def _check_action(case: CaseRow, taxonomy: Taxonomy, source: str, problems: list[str]) -> None:
    action = case.classification.get("action")
    outcome = case.classification.get("outcome")
    category = case.classification.get("category")
    for a in taxonomy.actions:
        if a.name != action:
            continue
        if outcome is not None and a.outcomes and outcome not in a.outcomes:
            problems.append(
                f"{source}: line {case.lines[0]}: case {case.ref!r}: outcome {outcome!r} "
                f"is not allowed after action {action!r} (allowed: {', '.join(a.outcomes)})"
            )
        if category is not None and a.categories and category not in a.categories:
            problems.append(
                f"{source}: line {case.lines[0]}: case {case.ref!r}: action {action!r} "
                f"does not apply to category {category!r}"
            )


def taxonomy_problems(parsed: ParsedRegister, source: str) -> list[str]:
    out = []
    for (field_, value), lines in sorted(parsed.unknown_taxonomy.items()):
        shown = ", ".join(str(n) for n in lines[:20]) + (" …" if len(lines) > 20 else "")
        out.append(
            f"{source}: column {field_}: {value!r} is not in the config's taxonomy "
            f"(line {shown}); add it to the config or use --create-taxonomy"
        )
    return out
