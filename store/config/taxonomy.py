"""The municipality's taxonomy: departments (with validity periods), categories, themes,
actions with their allowed outcomes, and party kinds."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from store.config.base import Section


class Department(Section):
    name: str = Field(min_length=1)
    # Departments get reorganised; a case is classified under a department valid on the
    # date it was opened. None means open-ended.
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Department:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Action(Section):
    name: str = Field(min_length=1)
    # The categories this action applies to; empty means every category.
    categories: list[str] = []
    # The outcomes allowed after this action; empty means the action has no outcomes.
    outcomes: list[str] = []


class Taxonomy(Section):
    departments: list[Department] = []
    categories: list[str] = []
    themes: list[str] = []
    actions: list[Action] = []
    party_kinds: list[str] = ["citizen", "company", "association"]

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        for a in self.actions:
            unknown = [c for c in a.categories if c not in self.categories]
            if unknown:
                raise ValueError(
                    f"action {a.name!r} names unknown categories {unknown}; "
                    "add them to taxonomy.categories"
                )
        for label, values in (
            ("categories", self.categories),
            ("themes", self.themes),
            ("party_kinds", self.party_kinds),
        ):
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"{label} lists {dupes} more than once")
        return self

    # ---- look-ups used by validation of imports and edits

    def department_names(self) -> set[str]:
        return {d.name for d in self.departments}

    def action_names(self) -> set[str]:
        return {a.name for a in self.actions}

    def outcome_names(self) -> set[str]:
        return {o for a in self.actions for o in a.outcomes}

    def values(self, field: str) -> set[str]:
        """The allowed values of a classification field."""
        match field:
            case "department":
                return self.department_names()
            case "category":
                return set(self.categories)
            case "theme":
                return set(self.themes)
            case "action":
                return self.action_names()
            case "outcome":
                return self.outcome_names()
            case "party_kind":
                return set(self.party_kinds)
        raise KeyError(field)
