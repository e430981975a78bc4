"""What the annual report says, counted: plain dataclasses built by the count engine
(store.counts) and the reply compliance (store.replies.compliance), nothing rendered."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session, col

from store.config import Config
from store.config.reports import ReportPreset
from store.counts.engine import contact_totals, total
from store.counts.period import Period
from store.counts.presets import TableResult, run_preset, run_query
from store.counts.query import CountQuery, CountResult
from store.models import WHISTLEBLOWER_OUTCOMES, Case, Contact, ReplyTarget, WhistleblowerFacts
from store.replies.calendar import calendar_for, working_time_between
from store.replies.compliance import compliance
from store.team.counts import sealed_whistleblower_counts
from store.timeutil import CPH, period_bounds


@dataclass(frozen=True)
class KeyFigure:
    key: str  # parties | contacts | cases
    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def change_share(self) -> float | None:
        return self.change / self.previous if self.previous else None


@dataclass(frozen=True)
class AckLine:
    """Acknowledgements (the 48-hour rule) for one group: a channel, a month, or all."""

    label: str
    in_time: int
    late: int
    still_open: int


@dataclass(frozen=True)
class Acknowledgement:
    rules: tuple[str, ...]
    total: AckLine
    median_hours: float | None
    by_channel: tuple[AckLine, ...]
    by_month: tuple[AckLine, ...]


@dataclass(frozen=True)
class Whistleblower:
    received: int
    within_scope: int
    outside_scope: int
    forwarded: int
    examined: int
    outcomes: tuple[tuple[str, int], ...]  # WHISTLEBLOWER_OUTCOMES order
    ack_in_time: int  # receipt acknowledged within the rule (7 days)
    ack_targets: int
    feedback_in_time: int  # feedback within the rule (3 months)
    feedback_targets: int


@dataclass(frozen=True)
class AnnualFigures:
    period: Period
    previous: Period
    key: tuple[KeyFigure, ...]
    channels: CountResult
    consultancy: CountResult
    tables: tuple[TableResult, ...]
    acknowledgement: Acknowledgement
    whistleblower: Whistleblower


def _key_figures(session: Session, p: Period) -> dict[str, int]:
    contacts, parties = contact_totals(
        session=session,
        query=CountQuery(unit="contacts", start=p.start, end=p.end, rows="category"),
    )
    cases = total(
        session=session, query=CountQuery(unit="cases", start=p.start, end=p.end, rows="category")
    )
    return {"parties": parties, "contacts": contacts, "cases": cases}


def _acknowledgement(
    session: Session, config: Config, p: Period, now: dt.datetime
) -> Acknowledgement:
    rules = tuple(r.name for r in config.replies.rules if r.applies_to == "day_to_day")
    lo, hi = period_bounds(p.start, p.end)
    cal = calendar_for(config.replies)
    rows = session.execute(
        select(
            col(ReplyTarget.state),
            col(ReplyTarget.received_at),
            col(ReplyTarget.due_at),
            col(ReplyTarget.met_at),
            col(Contact.channel),
        )
        .join(Contact, col(Contact.id) == col(ReplyTarget.contact_id))
        .where(
            col(ReplyTarget.rule).in_(rules),
            col(ReplyTarget.received_at) >= lo,
            col(ReplyTarget.received_at) < hi,
        )
    ).all()
    groups: dict[tuple[str, str], list[int]] = {}
    hours: list[float] = []
    for state, received, due, met, channel in rows:
        if state == "waived":
            continue
        slot = (
            0 if state == "met" and met is not None and met <= due else 1 if (state == "met") else 2
        )
        if state == "met" and met is not None:
            hours.append(working_time_between(received, met, cal) / dt.timedelta(hours=1))
        month = received.astimezone(CPH).strftime("%Y-%m")
        for key in (("all", ""), ("channel", str(channel)), ("month", month)):
            groups.setdefault(key, [0, 0, 0])[slot] += 1

    def line(key: tuple[str, str]) -> AckLine:
        a = groups.get(key, [0, 0, 0])
        return AckLine(key[1], a[0], a[1], a[2])

    from store.counts.values import CHANNELS, months

    return Acknowledgement(
        rules=rules,
        total=line(("all", "")),
        median_hours=round(statistics.median(hours), 1) if hours else None,
        by_channel=tuple(line(("channel", c)) for c in CHANNELS if ("channel", c) in groups),
        by_month=tuple(line(("month", m)) for m in months(p.start, p.end)),
    )


def _whistleblower(session: Session, config: Config, p: Period, now: dt.datetime) -> Whistleblower:
    """Counts only. On a team's PostgreSQL through the compartment's security-definer
    function (store.team.counts): the role making the report may not read the rows."""
    rules = {r.name: r.applies_to for r in config.replies.rules}
    ack_rules = [n for n, a in rules.items() if a == "whistleblower_ack"]
    fb_rules = [n for n, a in rules.items() if a == "whistleblower_feedback"]
    lo, hi = period_bounds(p.start, p.end)
    c = sealed_whistleblower_counts(
        session.connection(),
        first_day=p.start,
        last_day=p.end,
        lo=lo,
        hi=hi,
        ack_rules=ack_rules,
        feedback_rules=fb_rules,
    )
    if c is None:
        c = _whistleblower_counts(session, config, p, now, ack_rules, fb_rules)
    return Whistleblower(
        received=c["received"],
        within_scope=c["within_scope"],
        outside_scope=c["outside_scope"],
        forwarded=c["forwarded"],
        examined=c["examined"],
        outcomes=tuple((o, c[o]) for o in WHISTLEBLOWER_OUTCOMES),
        ack_in_time=c["ack_in_time"],
        ack_targets=c["ack_targets"],
        feedback_in_time=c["feedback_in_time"],
        feedback_targets=c["feedback_targets"],
    )


def _whistleblower_counts(
    session: Session,
    config: Config,
    p: Period,
    now: dt.datetime,
    ack_rules: list[str],
    fb_rules: list[str],
) -> dict[str, int]:
    """The same counts read from the rows, where every row is visible to the caller."""
    cases = select(col(Case.id)).where(
        col(Case.kind) == "whistleblower", col(Case.opened_on).between(p.start, p.end)
    )
    received = int(session.execute(select(func.count()).select_from(cases.subquery())).scalar_one())
    facts = session.execute(
        select(
            col(WhistleblowerFacts.in_scope),
            col(WhistleblowerFacts.forwarded),
            col(WhistleblowerFacts.examined),
            col(WhistleblowerFacts.outcome),
        ).where(col(WhistleblowerFacts.case_id).in_(cases))
    ).all()
    comp = compliance(session=session, config=config, start=p.start, end=p.end, now=now)
    ack = [r for r in comp if r.rule in ack_rules]
    fb = [r for r in comp if r.rule in fb_rules]
    return {
        "received": received,
        "within_scope": sum(1 for f in facts if f.in_scope is True),
        "outside_scope": sum(1 for f in facts if f.in_scope is False),
        "forwarded": sum(1 for f in facts if f.forwarded),
        "examined": sum(1 for f in facts if f.examined),
        **{o: sum(1 for f in facts if f.outcome == o) for o in WHISTLEBLOWER_OUTCOMES},
        "ack_in_time": sum(r.met_in_time for r in ack),
        "ack_targets": sum(r.targets for r in ack),
        "feedback_in_time": sum(r.met_in_time for r in fb),
        "feedback_targets": sum(r.targets for r in fb),
    }


def gather(
    *, session: Session, config: Config, preset: ReportPreset, period: Period, now: dt.datetime
) -> AnnualFigures:
    prev = period.previous()
    now_k, prev_k = _key_figures(session, period), _key_figures(session, prev)
    key = tuple(KeyFigure(u, now_k[u], prev_k[u]) for u in ("parties", "contacts", "cases"))
    channels = run_query(
        session=session,
        config=config,
        query=CountQuery(unit="contacts", start=period.start, end=period.end, rows="channel"),
        zero_rows=False,
    )
    consultancy = run_query(
        session=session,
        config=config,
        query=CountQuery(
            unit="cases", start=period.start, end=period.end, rows="category", kind="consultancy"
        ),
        zero_rows=False,
    )
    tables = run_preset(
        session=session, config=config, preset=preset, start=period.start, end=period.end
    )
    return AnnualFigures(
        period=period,
        previous=prev,
        key=key,
        channels=channels,
        consultancy=consultancy,
        tables=tuple(tables),
        acknowledgement=_acknowledgement(session, config, period, now),
        whistleblower=_whistleblower(session, config, period, now),
    )
