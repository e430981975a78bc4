"""The values a count field can take in a period: the rows a table shows (zeros included)
and what a `--where` filter may name."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from typing import Any

from store.config import Config
from store.counts.query import NONE_LABEL
from store.errors import UserError
from store.models import Channel

CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def months(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def valid_values(
    config: Config,
    field: str,
    start: dt.date,
    end: dt.date,
    where: Mapping[str, str] | None = None,
) -> list[str]:
    """In taxonomy order. Departments only when valid on some day of the period; actions
    only those that apply to a filtered category; outcomes only a filtered action's."""
    t = config.taxonomy
    where = where or {}
    match field:
        case "department":
            return [
                d.name
                for d in t.departments
                if (d.valid_from is None or d.valid_from <= end)
                and (d.valid_to is None or start <= d.valid_to)
            ]
        case "category":
            return list(t.categories)
        case "theme":
            return list(t.themes)
        case "action":
            cat = where.get("category")
            return [
                a.name for a in t.actions if cat is None or not a.categories or cat in a.categories
            ]
        case "outcome":
            act = where.get("action")
            seen: list[str] = []
            for a in t.actions:
                if act is None or a.name == act:
                    seen += [o for o in a.outcomes if o not in seen]
            return seen
        case "party_kind":
            return list(t.party_kinds)
        case "channel":
            return list(CHANNELS)
        case "month":
            return months(start, end)
    raise KeyError(field)


def check_where(
    config: Config, where: Mapping[Any, str], start: dt.date, end: dt.date, option: str = "--where"
) -> None:
    """A filter value that cannot match is a user error naming the field, the value and
    the nearest valid values (a typo would otherwise give a table of zeros)."""
    for field, value in where.items():
        if value == NONE_LABEL:
            continue
        if field == "month":
            m = _MONTH.fullmatch(value)
            if m is None or not 1 <= int(m[2]) <= 12:
                raise UserError(
                    f"{option} month={value!r}: not a month; use YYYY-MM, e.g. {start:%Y-%m}"
                )
            continue
        allowed = valid_values(config, field, dt.date.min, dt.date.max)
        if value in allowed:
            continue
        near = difflib.get_close_matches(value, allowed, n=3, cutoff=0.5) or allowed[:3]
        hint = ", ".join(repr(v) for v in near) if near else "none configured"
        raise UserError(
            f"{option} {field}={value!r}: not a {field} in the taxonomy; nearest: {hint}"
        )
