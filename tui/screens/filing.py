"""Filing contacts into cases, as every screen that files does it: linking asks first
when the case is closed (reopen / link anyway / cancel); after a link or a new case the
desk offers, one key each, to add an address the party did not have and to link the
sender's other waiting contacts and the rest of the mail thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from store.desk.rows import (
    AckResult,
    ContactPreview,
    FileTo,
    IfClosed,
    NewCaseRequest,
    NewContactRequest,
    Related,
    SearchHit,
)
from store.timeutil import local_date
from tui.i18n import t
from tui.safe import clean
from tui.screens.dialogs import LinkCaseDialog, TextPrompt
from tui.screens.forms import AckDialog, ChoiceDialog, NewCaseDialog, NewContactDialog

if TYPE_CHECKING:
    from store.desk import Desk
    from tui.screens.base import DeskScreen


@dataclass(frozen=True)
class Filed:
    """What a link or a new case left to offer."""

    case_id: int
    ref: str
    count: int
    reopened: bool
    party_id: int | None
    new_addresses: tuple[str, ...]
    related: tuple[int, ...]  # waiting contacts to offer linking too
    related_lines: str


def _related(desk: Desk, ids: Sequence[int]) -> tuple[tuple[int, ...], str]:
    rel: Related = desk.related(ids[0])
    seen = set(ids)
    out: list[int] = []
    lines: list[str] = []
    for row in (*rel.same_sender, *rel.thread):
        if row.contact_id not in seen:
            seen.add(row.contact_id)
            out.append(row.contact_id)
            lines.append(f"  · {clean(row.who, limit=30)}: {clean(row.subject, limit=50)}")
    return tuple(out), "\n".join(lines[:8])


def link_now(desk: Desk, ids: Sequence[int], case_id: int, if_closed: IfClosed) -> Filed:
    res = desk.link(ids, case_id, if_closed)
    party = None
    if res.new_addresses:
        detail = desk.case(case_id)
        party = detail.party_id if detail is not None else None
    rel, lines = _related(desk, ids)
    return Filed(
        case_id, res.case_ref, len(ids), res.reopened, party, res.new_addresses, rel, lines
    )


def new_case_now(desk: Desk, request: NewCaseRequest) -> Filed:
    case_id, ref = desk.new_case(request)
    rel, lines = ((), "") if not request.contact_ids else _related(desk, request.contact_ids)
    return Filed(case_id, ref, len(request.contact_ids), False, None, (), rel, lines)


def link(
    screen: DeskScreen, ids: Sequence[int], hit: SearchHit, after: Callable[[], None] | None = None
) -> None:
    """Link `ids` to the case of `hit`, asking first if it is closed."""
    ids = list(ids)

    def run(how: IfClosed) -> None:
        if after is not None:
            after()
        screen.command(
            lambda: link_now(screen.desk, ids, hit.id, how), linked_text, lambda f: offer(screen, f)
        )

    if_closed(screen, hit, run)


def if_closed(screen: DeskScreen, hit: SearchHit, run: Callable[[IfClosed], None]) -> None:
    """Run at once for an open case; for a closed one, ask first: reopen it, file into
    it anyway, or (esc) neither."""
    if hit.tag != "closed":
        run(IfClosed.ask)
        return

    def chosen(answer: str | None) -> None:
        if answer:
            run(IfClosed(answer))

    ref = hit.label.split(" ", 1)[0]
    screen.app.push_screen(
        ChoiceDialog(
            t("dlg.closed.title", ref=ref),
            "",
            [
                ("g", t("dlg.closed.reopen"), IfClosed.reopen.value),
                ("t", t("dlg.closed.link"), IfClosed.link.value),
            ],
        ),
        chosen,
    )


def linked_text(f: Filed) -> str:
    if f.reopened:
        return t("n.reopened_linked", ref=f.ref, n=f.count)
    return t("n.linked", n=f.count, ref=f.ref)


def offer(screen: DeskScreen, f: Filed) -> None:
    """After filing: first the addresses the party lacks, then the related contacts."""
    addresses = list(f.new_addresses) if f.party_id is not None else []

    def next_address() -> None:
        if not addresses:
            offer_related(screen, f)
            return
        address = addresses.pop(0)

        def chosen(answer: str | None) -> None:
            if answer and f.party_id is not None:
                party = f.party_id
                screen.command(
                    lambda: screen.desk.add_party_address(party, address), lambda _r: t("n.saved")
                )
            next_address()

        screen.app.push_screen(
            ChoiceDialog(
                t("dlg.address.title"),
                t("dlg.address.body", address=address),
                [("a", t("dlg.address.add", address=address), "add")],
            ),
            chosen,
        )

    next_address()


def offer_related(screen: DeskScreen, f: Filed) -> None:
    if not f.related:
        return
    ids = list(f.related)

    def chosen(answer: str | None) -> None:
        if answer:
            screen.command(
                lambda: link_now(screen.desk, ids, f.case_id, IfClosed.link), linked_text
            )

    screen.app.push_screen(
        ChoiceDialog(
            t("dlg.related.title", ref=f.ref),
            t("dlg.related.body", n=len(ids), lines=f.related_lines),
            [("l", t("dlg.related.link", ref=f.ref), "link")],
        ),
        chosen,
    )


# ---------------------------------------------------------------- the triage keys


def ask_link(
    screen: DeskScreen, ids: Sequence[int], after: Callable[[], None] | None = None
) -> None:
    def chosen(hit: SearchHit | None) -> None:
        if hit is not None:
            link(screen, ids, hit, after)

    screen.app.push_screen(LinkCaseDialog(screen.desk, len(ids)), chosen)


def ask_new_case(
    screen: DeskScreen,
    ids: Sequence[int],
    preview: ContactPreview | None,
    opened_on: dt.date | None,
    after: Callable[[], None] | None = None,
) -> None:
    """The new-case form for `ids`, opened on the earliest contact's date unless edited."""
    ids = tuple(ids)

    def chosen(request: NewCaseRequest | None) -> None:
        if request is not None:
            if after is not None:
                after()
            full = replace(request, contact_ids=ids)
            screen.command(
                lambda: new_case_now(screen.desk, full),
                lambda f: t("n.created", ref=f.ref),
                lambda f: offer(screen, f),
            )

    today = local_date(screen.desk.now())
    screen.app.push_screen(NewCaseDialog(screen.desk.config, preview, today, opened_on), chosen)


def ask_dismiss(
    screen: DeskScreen, ids: Sequence[int], after: Callable[[], None] | None = None
) -> None:
    ids = list(ids)

    def chosen(reason: str | None) -> None:
        if reason:
            if after is not None:
                after()
            screen.command(
                lambda: screen.desk.dismiss(ids, reason), lambda _r: t("n.dismissed", n=len(ids))
            )

    screen.app.push_screen(TextPrompt(t("dlg.dismiss.title"), required="dlg.reason_needed"), chosen)


def ask_ack(screen: DeskScreen, ids: Sequence[int]) -> None:
    """Acknowledge with a time (now unless changed) and an optional note; a contact with
    no open deadline is said to have none, not "0 acknowledged"."""
    ids = list(ids)

    def chosen(res: tuple[dt.datetime, str | None] | None) -> None:
        if res is not None:
            at, note = res
            screen.command(lambda: screen.desk.acknowledge(ids, note=note, at=at), ack_text)

    screen.app.push_screen(AckDialog(screen.desk.now(), len(ids)), chosen)


def ack_text(res: AckResult) -> str:
    if res.met == 0 and res.no_deadline:
        return t("n.no_deadline")
    if res.no_deadline:
        return t("n.acked_some", n=res.met, none=len(res.no_deadline))
    return t("n.acked", n=res.met)


def earliest(moments: Sequence[dt.datetime]) -> dt.date | None:
    return local_date(min(moments)) if moments else None


def act(
    screen: DeskScreen,
    action: str,
    ids: Sequence[int],
    preview: ContactPreview,
    after: Callable[[], None] | None = None,
) -> None:
    """A triage key on contacts whose preview is at hand (one from a preview screen)."""
    if action == "link":
        ask_link(screen, ids, after)
    elif action == "new_case":
        ask_new_case(screen, ids, preview, earliest([preview.occurred_at]), after)
    elif action == "not_a_case":
        ask_dismiss(screen, ids, after)
    elif action == "ack":
        ask_ack(screen, ids)
    elif action == "reply":
        screen.reply_to(preview.contact_id)


def ask_new_contact(screen: DeskScreen) -> None:
    """A contact registered by hand (walk-in, meeting, letter, call): the form, then,
    as chosen there, the case to file it into or the new case's form."""

    def chosen(res: tuple[NewContactRequest, str] | None) -> None:
        if res is None:
            return
        request, where = res
        if where == FileTo.case.value:

            def to_case(hit: SearchHit | None) -> None:
                if hit is not None:
                    if_closed(
                        screen,
                        hit,
                        lambda how: add(replace(request, file_to=FileTo.case, case_id=hit.id), how),
                    )

            screen.app.push_screen(LinkCaseDialog(screen.desk, 1), to_case)
        elif where == FileTo.new_case.value:

            def to_new(case: NewCaseRequest | None) -> None:
                if case is not None:
                    add(replace(request, file_to=FileTo.new_case, new_case=case), IfClosed.ask)

            name = request.new_party.name if request.new_party else ""
            day = local_date(request.occurred_at)
            screen.app.push_screen(
                NewCaseDialog(
                    screen.desk.config,
                    None,
                    local_date(screen.desk.now()),
                    day,
                    title=request.summary or "",
                    party_name=name,
                ),
                to_new,
            )
        else:
            add(request, IfClosed.ask)

    def add(request: NewContactRequest, if_closed: IfClosed) -> None:
        screen.command(
            lambda: screen.desk.add_contact(request, if_closed),
            lambda r: (
                t("n.contact_added_case", ref=r.case_ref) if r.case_ref else t("n.contact_added")
            ),
        )

    screen.app.push_screen(NewContactDialog(screen.desk, screen.desk.now()), chosen)
