"""The forms of the advisor's day: a new case, a contact registered by hand, the one
classification dialog, a party's details, a choice between a few answers, and the date
fields they share. Each returns a typed request (`store.desk.rows`) through `dismiss`;
dates are read by `store.dateinput` (DD-MM-YYYY or ISO, as shown everywhere)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from store.desk.inputs import read_date, read_moment
from store.desk.rows import (
    Classification,
    ContactPreview,
    DuplicateParty,
    NewCaseRequest,
    NewContactRequest,
    NewParty,
    PartyEdit,
    PartyInfo,
    SearchHit,
)
from store.errors import UserError
from store.timeutil import show
from tui.i18n import error_text, t
from tui.keymap import bindings
from tui.messages import HitsFound
from tui.safe import plain
from tui.screens.dialogs import Dialog, debounce, undebounce

if TYPE_CHECKING:
    from store.config import Config
    from store.desk import Desk

DAY = "%d-%m-%Y"
MOMENT = "%d-%m-%Y %H:%M"
PARTY_KINDS = ("citizen", "company", "association")
CHANNELS = ("meeting", "home_visit", "letter", "phone", "email")


def field_row(label: str, widget: Any) -> Horizontal:
    """A labelled field on one line: the label says what the field is even when it is
    filled (a placeholder disappears as soon as there is a value)."""
    return Horizontal(Label(label, classes="flbl"), widget, classes="frow")


class Form(Dialog):
    """A dialog of fields: Enter moves on (after a dropdown choice too), the save key
    saves, a problem is said on the form's last line and nothing is saved."""

    KEYS_HINT = "dlg.form_hint"
    # A dropdown's list stops at its ends: Textual's lists wrap, and down on the last
    # value went on, unseen, to the blank "(ingen)" at the top.
    BINDINGS = [
        Binding("down", "step(1)", show=False, priority=True),
        Binding("up", "step(-1)", show=False, priority=True),
    ]

    def action_step(self, direction: int) -> None:
        ol = self.focused
        if (
            isinstance(ol, OptionList)
            and ol.highlighted is not None
            and (ol.highlighted + direction < 0 or ol.highlighted + direction >= ol.option_count)
        ):
            return  # at the end: stay
        raise SkipAction()  # anywhere else: the key does what it always does

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        # A Select also says Changed when its first value is set, with the focus elsewhere.
        if event.select.has_focus_within:
            self.focus_next()

    def say(self, text: str) -> None:
        self.query_one("#err", Label).update(plain(text, limit=300))

    def value(self, wid: str) -> str | None:
        v = self.query_one(f"#{wid}", Select).value
        return None if v is Select.NULL else str(v)

    def text(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()


class ChoiceDialog(Dialog):
    """A question with a few answers, one key each (and esc: none of them)."""

    def __init__(self, title: str, body: str, choices: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text, self.body, self.choices = title, body, list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.body:
                yield Static(plain(self.body, one_line=False, limit=2000))
            lines = Text()
            for key, label, _value in self.choices:
                lines.append(f" {key} ", style="bold reverse")
                lines.append(f" {label}\n")
            lines.append(" esc ", style="bold reverse")
            lines.append(f" {t('b.cancel')}")
            yield Static(lines, id="choices")

    def on_key(self, event: Any) -> None:
        for key, _label, value in self.choices:
            if event.character == key:
                event.stop()
                self.dismiss(value)
                return


class NewCaseDialog(Form):
    """A new case, prefilled from the contact: the party's name (a real value, from the
    mail's display name), the title, and the opening date (the earliest contact's: the
    day the matter began). Saving with no department or category takes a second save
    after a warning: such a case counts as "Uden kategori" in the council's tables."""

    KEYS_HINT = "dlg.keys_hint"

    def __init__(
        self,
        config: Config,
        preview: ContactPreview | None,
        today: dt.date,
        opened_on: dt.date | None = None,
        *,
        title: str = "",
        party_name: str = "",
    ) -> None:
        super().__init__()
        self.config, self.preview, self.today = config, preview, today
        self.opened_on = opened_on or today
        self.title_default, self.party_default = title, party_name
        self._warned = False

    def compose(self) -> ComposeResult:
        tax = self.config.taxonomy
        p = self.preview
        known = p is not None and p.party_id is not None
        name = self.party_default
        if p is not None and not known and p.who and p.who != p.counterpart:
            name = p.who  # the display name, as a value that is saved
        with VerticalScroll(classes="dialog tall"):
            yield Label(t("dlg.new.title"), classes="dialog-title")
            if known and p is not None:
                yield Label(plain(t("dlg.new.party_known", name=p.who), limit=70))
            yield field_row(
                t("dlg.new.party"),
                Input(
                    name,
                    placeholder=t("dlg.new.party_hint")
                    + (f" ({p.counterpart})" if p and p.counterpart else ""),
                    id="party",
                    disabled=known,
                ),
            )
            yield field_row(
                t("dlg.new.case_title"),
                Input(p.subject[:300] if p else self.title_default, id="title"),
            )
            yield field_row(
                t("dlg.new.opened"),
                Input(self.opened_on.strftime(DAY), placeholder="DD-MM-ÅÅÅÅ", id="opened"),
            )
            deps = [(d.name, d.name) for d in tax.departments if d.valid_on(self.today)]
            yield field_row(
                t("dlg.new.department"),
                Select(deps, prompt=t("dlg.new.department"), id="department"),
            )
            yield field_row(
                t("dlg.new.category"),
                Select(
                    [(c, c) for c in tax.categories], prompt=t("dlg.new.category"), id="category"
                ),
            )
            kinds = ["citizen", "consultancy"]
            if self.config.ui.whistleblower_register:
                kinds.append("whistleblower")
            yield field_row(
                t("dlg.new.kind"),
                Select(
                    [(t(f"casekind.{k}"), k) for k in kinds],
                    value="citizen",
                    allow_blank=False,
                    id="kind",
                ),
            )
            yield Label("", id="err", classes="err")

    def on_mount(self) -> None:
        super().on_mount()
        first = self.query_one("#party", Input)
        (first if not first.disabled else self.query_one("#title", Input)).focus()

    def action_save(self) -> None:
        try:
            opened = read_date(self.text("opened"), "opened")
        except UserError as e:
            self.say(error_text(e))
            self.query_one("#opened", Input).focus()
            return
        dep, cat = self.value("department"), self.value("category")
        if (dep is None or cat is None) and not self._warned:
            self._warned = True
            self.say(t("dlg.new.unclassified"))
            return
        self.dismiss(
            NewCaseRequest(
                party_name=self.text("party") or None,
                title=self.text("title") or None,
                department=dep,
                category=cat,
                kind=self.value("kind") or "citizen",
                opened_on=opened,
            )
        )


class NewContactDialog(Form):
    """A contact no export will ever hold: a walk-in, a home visit, a letter, a call.
    Channel, direction, when (now by default), what about, who (found, or new), and
    where it goes (triage, an existing case, a new case). Returns the request and where
    to file it; the caller picks the case or fills in the new case."""

    def __init__(self, desk: Desk, now: dt.datetime) -> None:
        super().__init__()
        self.desk, self.now = desk, now
        self.party: SearchHit | None = None
        self._hits: dict[str, SearchHit] = {}
        # As HitPicker (tui/screens/dialogs.py): only the typed name's hits are listed,
        # and an enter before its look-up answered waits for it (a fast typist would get
        # the highlighted person of an earlier prefix).
        self._shown: str | None = None
        self._pick_waiting = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog tall"):
            yield Label(t("dlg.contact.title"), classes="dialog-title")
            yield field_row(
                t("dlg.contact.channel"),
                Select(
                    [(t(f"ch.{c}"), c) for c in CHANNELS],
                    value="meeting",
                    allow_blank=False,
                    id="channel",
                ),
            )
            yield field_row(
                t("dlg.contact.direction"),
                Select(
                    [(t("dir.in"), "in"), (t("dir.out"), "out")],
                    value="in",
                    allow_blank=False,
                    id="direction",
                ),
            )
            yield field_row(
                t("dlg.contact.when"),
                Input(show(self.now, MOMENT), placeholder="DD-MM-ÅÅÅÅ TT:MM", id="when"),
            )
            yield field_row(t("dlg.contact.summary"), Input(id="summary"))
            yield field_row(
                t("dlg.contact.party"), Input(placeholder=t("dlg.contact.party_hint"), id="party-q")
            )
            yield OptionList(id="parties")
            yield Label(t("dlg.contact.no_party"), id="party-chosen")
            yield field_row(
                t("dlg.contact.new_kind"),
                Select(
                    [(t(f"partykind.{k}"), k) for k in PARTY_KINDS],
                    value="citizen",
                    allow_blank=False,
                    id="new-kind",
                ),
            )
            yield field_row(t("dlg.contact.new_email"), Input(id="new-email"))
            yield field_row(t("dlg.contact.new_phone"), Input(id="new-phone"))
            yield field_row(
                t("dlg.contact.file_to"),
                Select(
                    [(t(f"fileto.{f}"), f) for f in ("triage", "case", "new_case")],
                    value="new_case",
                    allow_blank=False,
                    id="file-to",
                ),
            )
            yield Label("", id="err", classes="err")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#parties", OptionList).display = False
        self.query_one("#summary", Input).focus()

    @on(Input.Changed, "#party-q")
    def _party_typed(self, event: Input.Changed) -> None:
        self.party = None
        self._chosen_label()
        debounce(self, lambda: self.lookup(event.value))

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def lookup(self, query: str) -> None:
        hits = (
            tuple(h for h in self.desk.search(query, limit=20) if h.kind == "party")
            if query.strip()
            else ()
        )
        self.post_message(HitsFound(query, hits))

    def on_hits_found(self, msg: HitsFound) -> None:
        if msg.query != self.query_one("#party-q", Input).value:
            return  # an earlier query's: the current one's look-up is on its way
        self._shown = msg.query
        ol = self.query_one("#parties", OptionList)
        ol.clear_options()
        self._hits = {str(h.id): h for h in msg.hits}
        for h in msg.hits:
            txt = plain(h.label, limit=50)
            txt.append("  ")
            txt.append_text(plain(h.detail, limit=40, style="dim"))
            ol.add_option(Option(txt, id=str(h.id)))
        if msg.query.strip():
            ol.add_option(
                Option(Text(t("dlg.contact.new_party", name=msg.query.strip())), id="new")
            )
        ol.display = ol.option_count > 0
        if ol.option_count:
            ol.highlighted = 0
        if self._pick_waiting:
            self._pick_waiting = False
            self._take_highlighted()

    def on_key(self, event: Any) -> None:
        ol = self.query_one("#parties", OptionList)
        if (
            event.key in ("down", "up")
            and self.focused is self.query_one("#party-q")
            and ol.display
            and ol.option_count
        ):
            (ol.action_cursor_down if event.key == "down" else ol.action_cursor_up)()
            event.stop()

    @on(Input.Submitted, "#party-q")
    def _party_entered(self, event: Input.Submitted) -> None:
        if self._shown != event.value:
            undebounce(self)
            self._pick_waiting = True
            self.lookup(event.value)
            return
        self._take_highlighted()

    def _take_highlighted(self) -> None:
        ol = self.query_one("#parties", OptionList)
        if ol.display and ol.highlighted is not None:
            self._take(str(ol.get_option_at_index(ol.highlighted).id))

    @on(OptionList.OptionSelected, "#parties")
    def _party_picked(self, event: OptionList.OptionSelected) -> None:
        self._take(str(event.option.id))

    def _take(self, key: str) -> None:
        self.party = self._hits.get(key)
        self.query_one("#parties", OptionList).display = False
        self._chosen_label()

    def _chosen_label(self) -> None:
        name = self.text("party-q")
        if self.party is not None:
            text = t("dlg.contact.party_is", name=self.party.label)
        elif name:
            text = t("dlg.contact.party_new", name=name)
        else:
            text = t("dlg.contact.no_party")
        self.query_one("#party-chosen", Label).update(plain(text, limit=100))

    def action_save(self) -> None:
        try:
            when = read_moment(self.text("when"), "when")
        except UserError as e:
            self.say(error_text(e))
            return
        name = self.text("party-q")
        new_party = None
        if self.party is None and name:
            email, phone = self.text("new-email"), self.text("new-phone")
            new_party = NewParty(
                name=name,
                kind=self.value("new-kind") or "citizen",
                emails=(email,) if email else (),
                phones=(phone,) if phone else (),
            )
        request = NewContactRequest(
            channel=self.value("channel") or "meeting",
            occurred_at=when,
            direction=self.value("direction") or "in",
            summary=self.text("summary") or None,
            party_id=self.party.id if self.party is not None else None,
            new_party=new_party,
        )
        self.dismiss((request, self.value("file-to") or "triage"))


class ClassifyDialog(Form):
    """The one classification dialog: department, category, theme, action and outcome
    together, each a dropdown (type a letter to jump: "K" finds Klage), blank for none.
    The actions follow the category, the outcomes the action. With `closing`, the case
    is closed on save and an outcome is asked for where the action has outcomes."""

    def __init__(
        self,
        config: Config,
        current: dict[str, str | None],
        opened_on: dt.date,
        *,
        closing: bool = False,
    ) -> None:
        super().__init__()
        self.config, self.current, self.opened_on = config, current, opened_on
        self.closing = closing

    def _actions(self, category: str | None) -> list[str]:
        return [
            a.name
            for a in self.config.taxonomy.actions
            if not a.categories or category is None or category in a.categories
        ]

    def _outcomes(self, action: str | None) -> list[str]:
        return [o for a in self.config.taxonomy.actions if a.name == action for o in a.outcomes]

    def _select(self, wid: str, values: list[str], prompt: str) -> Select[str]:
        cur = self.current.get(wid)
        opts = [(v, v) for v in values]
        if cur and cur not in values:
            opts.insert(0, (cur, cur))  # a stored value no longer listed still shows
        return Select(
            opts, prompt=prompt, id=wid, value=cur if cur else Select.NULL, type_to_search=True
        )

    def compose(self) -> ComposeResult:
        tax = self.config.taxonomy
        title = t("dlg.close.title") if self.closing else t("dlg.classify.title")
        with VerticalScroll(classes="dialog tall"):
            yield Label(title, classes="dialog-title")
            deps = [d.name for d in tax.departments if d.valid_on(self.opened_on)]
            for wid, values in (
                ("department", deps),
                ("category", list(tax.categories)),
                ("theme", list(tax.themes)),
                ("action", self._actions(self.current.get("category"))),
                ("outcome", self._outcomes(self.current.get("action"))),
            ):
                yield field_row(t(f"f.{wid}"), self._select(wid, values, t("dlg.classify.none")))
            yield Label("", id="err", classes="err")

    def on_mount(self) -> None:
        super().on_mount()
        first = (
            "outcome" if self.closing and self._outcomes(self.current.get("action")) else "category"
        )
        self.query_one(f"#{first}", Select).focus()

    @on(Select.Changed, "#category")
    def _category(self) -> None:
        self._refill("action", self._actions(self.value("category")))

    @on(Select.Changed, "#action")
    def _action(self) -> None:
        self._refill("outcome", self._outcomes(self.value("action")))

    def _refill(self, wid: str, values: list[str]) -> None:
        sel: Select[str] = self.query_one(f"#{wid}", Select)
        keep = self.value(wid)
        sel.set_options([(v, v) for v in values])
        if keep in values:
            sel.value = keep

    def action_save(self) -> None:
        action, outcome = self.value("action"), self.value("outcome")
        if self.closing and outcome is None and self._outcomes(action):
            self.say(t("dlg.close.outcome_needed"))
            self.query_one("#outcome", Select).focus()
            return
        self.dismiss(
            (
                Classification(self.value("category"), action, outcome),
                self.value("department"),
                self.value("theme"),
            )
        )


class PartyDialog(Form):
    """A party's name, kind, e-mail addresses and phone numbers (comma-separated), and
    the parties that look like the same person: m merges the highlighted one into this
    one."""

    BINDINGS = [*bindings("dialog"), *bindings("party")]

    def __init__(self, info: PartyInfo, duplicates: tuple[DuplicateParty, ...]) -> None:
        super().__init__()
        self.info, self.duplicates = info, duplicates

    def compose(self) -> ComposeResult:
        i = self.info
        with VerticalScroll(classes="dialog tall"):
            yield Label(t("dlg.party.title", ref=i.ref or i.party_id), classes="dialog-title")
            yield field_row(t("dlg.party.name"), Input(i.name, id="name"))
            yield field_row(
                t("dlg.party.kind"),
                Select(
                    [(t(f"partykind.{k}"), k) for k in PARTY_KINDS],
                    value=i.kind if i.kind in PARTY_KINDS else "citizen",
                    allow_blank=False,
                    id="kind",
                ),
            )
            yield field_row(t("dlg.party.emails"), Input(", ".join(i.emails), id="emails"))
            yield field_row(t("dlg.party.phones"), Input(", ".join(i.phones), id="phones"))
            yield Label(t("dlg.party.counts", cases=i.cases, contacts=i.contacts))
            if self.duplicates:
                yield Label(t("dlg.party.duplicates"), classes="dialog-title")
                yield OptionList(
                    *[
                        Option(
                            plain(f"{d.name}  ({t('dup.' + d.reason)})", limit=80),
                            id=str(d.party_id),
                        )
                        for d in self.duplicates
                    ],
                    id="dups",
                )
            yield Label("", id="err", classes="err")

    def action_merge(self) -> None:
        if not self.duplicates:
            self.say(t("dlg.party.no_duplicates"))
            return
        ol = self.query_one("#dups", OptionList)
        index = ol.highlighted or 0
        self.dismiss(("merge", self.duplicates[index].party_id))

    def action_save(self) -> None:
        def split(wid: str) -> tuple[str, ...]:
            return tuple(v.strip() for v in self.text(wid).split(",") if v.strip())

        self.dismiss(
            (
                "edit",
                PartyEdit(
                    name=self.text("name") or None,
                    kind=self.value("kind") or "citizen",
                    emails=split("emails"),
                    phones=split("phones"),
                ),
            )
        )


class AckDialog(Form):
    """Acknowledge: the time the reply was given (now by default) and a note."""

    def __init__(self, now: dt.datetime, count: int) -> None:
        super().__init__()
        self.now, self.count = now, count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("dlg.ack.title", n=self.count), classes="dialog-title")
            yield field_row(t("dlg.contact.when"), Input(show(self.now, MOMENT), id="when"))
            yield field_row(t("dlg.ack.note"), Input(id="note"))
            yield Label("", id="err", classes="err")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        try:
            when = read_moment(self.text("when"), "when")
        except UserError as e:
            self.say(error_text(e))
            return
        self.dismiss((when, self.text("note") or None))


class PickContactDialog(Dialog):
    """One of a case's contacts (to move or unlink)."""

    def __init__(self, title: str, items: Sequence[tuple[int, str]]) -> None:
        super().__init__()
        self.title_text, self.items = title, list(items)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(
                *[Option(plain(label, limit=100), id=str(cid)) for cid, label in self.items],
                id="contacts",
            )

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))


__all__ = [
    "AckDialog",
    "ChoiceDialog",
    "ClassifyDialog",
    "NewCaseDialog",
    "NewContactDialog",
    "PartyDialog",
    "PickContactDialog",
]
