"""Modal dialogs: prompts, the case picker, the new-case form, manual contacts,
classification, period, search, preview and help. Each returns a plain value through
`dismiss`; none touches the database except through thread workers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from store.config import Config
from store.desk.rows import CaseFilter, ContactPreview, SearchHit
from store.timeutil import show
from tui.i18n import t
from tui.keymap import KEY_DISPLAY, bindings, localise
from tui.messages import HitsFound
from tui.render import WHEN, call_text, channel_name, hit_detail, reply_text, who_text
from tui.safe import plain
from tui.workers import ReportsFailures

if TYPE_CHECKING:
    from store.desk import Desk


def debounce(node: Any, fn: Callable[[], object], delay: float = 0.2) -> None:
    """Run `fn` once typing pauses: a search that finds nothing scans a large table, and
    a thread worker cannot be stopped once started, so do not start one per keystroke."""
    timer = getattr(node, "_debounce_timer", None)
    if timer is not None:
        timer.stop()
    node._debounce_timer = node.set_timer(delay, fn)


class Dialog(ReportsFailures, ModalScreen[Any]):
    BINDINGS = bindings("dialog")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        localise(self)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        self.dismiss(None)

    # An i18n key: the line in the dialog's bottom border naming the keys that save and
    # cancel, for a form where Enter only moves on (the screen's key bar is hidden under
    # a dialog, so nothing else says it). The keys are read as bound: a keymap may remap.
    KEYS_HINT: str | None = None

    def on_mount(self) -> None:
        if self.KEYS_HINT is None:
            return
        keys: dict[str, str] = {}
        for key, active in self.active_bindings.items():
            b = active.binding
            if active.node is self and b.action in ("save", "cancel"):
                keys.setdefault(b.action, b.key_display or KEY_DISPLAY.get(key)
                                or self.app.get_key_display(b))
        hint = t(self.KEYS_HINT, save=keys.get("save", "?"), cancel=keys.get("cancel", "?"))
        # Content, not a str: a str border subtitle is read as markup, and a key display
        # such as "[" would be taken for a tag.
        self.query_one(".dialog").border_subtitle = Content(hint)


class TextPrompt(Dialog):
    """One line of text (a reason, a note, a file name). With `required` (an i18n key),
    an empty line is not taken: the dialog says why nothing happens and stays open."""

    def __init__(self, title: str, initial: str = "", placeholder: str = "",
                 required: str | None = None) -> None:
        super().__init__()
        self.title_text, self.initial, self.placeholder = title, initial, placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.initial, placeholder=self.placeholder, id="prompt")
            yield Label("", id="err", classes="err")

    @on(Input.Submitted)
    def action_save(self) -> None:
        value = self.query_one(Input).value.strip()
        if not value and self.required:
            self.query_one("#err", Label).update(t(self.required))
            return
        self.dismiss(value or None)


class LinkCaseDialog(Dialog):
    """Pick a case with fuzzy search over ref, party and text."""

    def __init__(self, desk: Desk, count: int) -> None:
        super().__init__()
        self.desk, self.count = desk, count
        self._hits: list[int] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label(f"{t('dlg.link.title')} ({t('selected', n=self.count)})",
                        classes="dialog-title")
            yield Input(placeholder=t("dlg.link.placeholder"), id="q")
            yield OptionList(id="hits")

    def on_mount(self) -> None:
        self.lookup("")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        debounce(self, lambda: self.lookup(event.value))

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def lookup(self, query: str) -> None:
        if query.strip():
            hits = self.desk.search_cases(query, limit=30)
        else:
            page = self.desk.cases(CaseFilter(status="open"), limit=30)
            hits = tuple(SearchHit("case", r.case_id, f"{r.ref} {r.title}".strip(), r.party,
                                   0.0, r.case_id, "open") for r in page.rows)
        # A message, not call_from_thread: a dialog closed meanwhile just drops it.
        self.post_message(HitsFound(query, hits))

    def on_hits_found(self, msg: HitsFound) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        self._hits = [h.id for h in msg.hits]
        for h in msg.hits:
            txt = plain(h.label, limit=60)
            txt.append("  ")
            txt.append_text(plain(hit_detail(h), limit=40, style="dim"))
            ol.add_option(Option(txt, id=str(h.id)))
        if msg.hits:
            ol.highlighted = 0

    def on_key(self, event: Any) -> None:
        if event.key in ("down", "up") and self.focused is self.query_one(Input):
            ol = self.query_one(OptionList)
            if ol.option_count:
                if event.key == "down":
                    ol.action_cursor_down()
                else:
                    ol.action_cursor_up()
                event.stop()

    @on(Input.Submitted)
    def action_save(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None and ol.option_count:
            opt = ol.get_option_at_index(ol.highlighted)
            self.dismiss(int(opt.id or 0))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))


class NewCaseDialog(Dialog):
    """A new case, prefilled from the contact: party, title; department and category from
    the taxonomy (departments valid today)."""

    KEYS_HINT = "dlg.keys_hint"

    def __init__(self, config: Config, preview: ContactPreview | None, today: dt.date) -> None:
        super().__init__()
        self.config, self.preview, self.today = config, preview, today

    def compose(self) -> ComposeResult:
        tax = self.config.taxonomy
        p = self.preview
        known = p is not None and p.party_id is not None
        with Vertical(classes="dialog tall"):
            yield Label(t("dlg.new.title"), classes="dialog-title")
            if known and p is not None:
                yield Label(plain(t("dlg.new.party_known", name=p.who), limit=70))
            yield Input("" if known or p is None or p.who == p.counterpart else p.who,
                        placeholder=t("dlg.new.party") + (
                            f" ({p.counterpart})" if p and p.counterpart else ""),
                        id="party", disabled=known)
            yield Input(p.subject[:300] if p else "", placeholder=t("dlg.new.case_title"),
                        id="title")
            deps = [(d.name, d.name) for d in tax.departments if d.valid_on(self.today)]
            yield Select(deps, prompt=t("dlg.new.department"), id="department")
            yield Select([(c, c) for c in tax.categories], prompt=t("dlg.new.category"),
                         id="category")
            kinds = ["citizen", "consultancy"]
            if self.config.ui.whistleblower_register:
                kinds.append("whistleblower")
            yield Select([(t(f"casekind.{k}"), k) for k in kinds], value="citizen",
                         allow_blank=False, id="kind")

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        """Enter on a choice in a dropdown moves on, as in a text field. (A Select also
        says Changed when its first value is set, with the focus elsewhere.)"""
        if event.select.has_focus_within:
            self.focus_next()

    def action_save(self) -> None:
        def val(wid: str) -> str | None:
            v = self.query_one(f"#{wid}", Select).value
            return None if v is Select.NULL else str(v)

        self.dismiss({
            "party_name": self.query_one("#party", Input).value.strip() or None,
            "title": self.query_one("#title", Input).value.strip() or None,
            "department": val("department"),
            "category": val("category"),
            "kind": val("kind") or "citizen",
        })


MANUAL_KEYS = {"t": "call", "r": "walk_in", "m": "meeting", "h": "home_visit", "b": "letter"}


class ManualContactDialog(Dialog):
    """m, then one letter for the kind, then the text, then enter: 3 keys plus text."""

    BINDINGS = [*bindings("dialog"), *bindings("manual")]

    def __init__(self) -> None:
        super().__init__()
        self.kind: str | None = None
        self.direction = "in"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("dlg.manual.title"), classes="dialog-title")
            yield Label(t("dlg.manual.kinds"), id="kinds")
            yield Label("", id="chosen")
            yield Input(placeholder=t("dlg.manual.text"), id="text", disabled=True)

    def on_key(self, event: Any) -> None:
        if self.kind is None and event.character in MANUAL_KEYS:
            self.kind = MANUAL_KEYS[event.character]
            inp = self.query_one(Input)
            inp.disabled = False
            inp.focus()
            self._label()
            event.stop()
            event.prevent_default()

    def _label(self) -> None:
        if self.kind:
            self.query_one("#chosen", Label).update(
                f"» {t('kind.' + self.kind)} ({t('dir.' + self.direction)})")

    def action_toggle_direction(self) -> None:
        self.direction = "out" if self.direction == "in" else "in"
        self._label()

    @on(Input.Submitted)
    def action_save(self) -> None:
        if self.kind is None:
            return
        self.dismiss((self.kind, self.query_one(Input).value, self.direction))


CLASS_FIELDS = ("department", "category", "theme", "action", "outcome")


class ClassifyDialog(Dialog):
    """Pick a field, then its value (from the taxonomy)."""

    def __init__(self, config: Config, current: dict[str, str | None], opened_on: dt.date
                 ) -> None:
        super().__init__()
        self.config, self.current, self.opened_on = config, current, opened_on
        self.field: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label(t("dlg.classify.title"), classes="dialog-title", id="ctitle")
            yield OptionList(*[
                Option(Text(f"{t('f.' + f)}: {self.current.get(f) or '–'}"), id=f)
                for f in CLASS_FIELDS if self._values(f) or self.current.get(f)
            ], id="fields")

    def _values(self, field: str) -> list[str]:
        tax = self.config.taxonomy
        match field:
            case "department":
                return [d.name for d in tax.departments if d.valid_on(self.opened_on)]
            case "category":
                return list(tax.categories)
            case "theme":
                return list(tax.themes)
            case "action":
                cat = self.current.get("category")
                return [a.name for a in tax.actions
                        if not a.categories or cat is None or cat in a.categories]
            case "outcome":
                act = self.current.get("action")
                return [o for a in tax.actions if a.name == act for o in a.outcomes]
        return []

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        ol = event.option_list
        if self.field is None:
            self.field = str(event.option.id)
            self.query_one("#ctitle", Label).update(
                f"{t('dlg.classify.title')}: {t('f.' + self.field)}")
            ol.clear_options()
            ol.add_option(Option(Text(t("dlg.classify.none")), id="\x00none"))
            for v in self._values(self.field):
                ol.add_option(Option(Text(v), id=v))
            cur = self.current.get(self.field)
            ol.highlighted = 0
            if cur:
                for i in range(ol.option_count):
                    if ol.get_option_at_index(i).id == cur:
                        ol.highlighted = i
            return
        value = None if event.option.id == "\x00none" else event.option.id
        self.dismiss((self.field, value))


class PeriodDialog(Dialog):
    def __init__(self, start: dt.date, end: dt.date) -> None:
        super().__init__()
        self.start, self.end = start, end

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("dlg.period.title"), classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label(t("dlg.period.from"), classes="lbl")
                yield Input(self.start.isoformat(), id="from")
            with Horizontal(classes="row"):
                yield Label(t("dlg.period.to"), classes="lbl")
                yield Input(self.end.isoformat(), id="to")
            yield Label("", id="err")

    @on(Input.Submitted, "#from")
    def _next(self) -> None:
        self.query_one("#to", Input).focus()

    @on(Input.Submitted, "#to")
    def action_save(self) -> None:
        vals = []
        for wid in ("from", "to"):
            raw = self.query_one(f"#{wid}", Input).value.strip()
            try:
                vals.append(dt.date.fromisoformat(raw))
            except ValueError:
                self.query_one("#err", Label).update(plain(t("dlg.period.bad", v=raw)))
                return
        if vals[1] < vals[0]:
            vals.reverse()
        self.dismiss((vals[0], vals[1]))


class SearchDialog(Dialog):
    """`/`: parties, cases and contacts (never whistleblower ones)."""

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self._hits: dict[str, SearchHit] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label(t("dlg.search.title"), classes="dialog-title")
            yield Input(placeholder=t("dlg.search.placeholder"), id="q")
            yield OptionList(id="hits")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        debounce(self, lambda: self.lookup(event.value))

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def lookup(self, query: str) -> None:
        self.post_message(HitsFound(query, self.desk.search(query) if query.strip() else ()))

    def on_hits_found(self, msg: HitsFound) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        self._hits = {}
        hits = msg.hits
        for h in hits:
            key = f"{h.kind}:{h.id}"
            self._hits[key] = h
            txt = Text(f"{t('hit.' + h.kind):<12} ", style="bold")
            txt.append_text(plain(h.label, limit=50))
            txt.append("  ")
            txt.append_text(plain(hit_detail(h), limit=60, style="dim"))
            ol.add_option(Option(txt, id=key))
        if hits:
            ol.highlighted = 0

    def on_key(self, event: Any) -> None:
        if event.key in ("down", "up") and self.focused is self.query_one(Input):
            ol = self.query_one(OptionList)
            if ol.option_count:
                (ol.action_cursor_down if event.key == "down" else ol.action_cursor_up)()
                event.stop()

    @on(Input.Submitted)
    def action_save(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None and ol.option_count:
            self.dismiss(self._hits.get(str(ol.get_option_at_index(ol.highlighted).id)))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._hits.get(str(event.option.id)))


def preview_text(p: ContactPreview) -> Text:
    out = Text()
    out.append(f"{channel_name(p.channel)} · {t('dir.' + p.direction)} · "
               f"{show(p.occurred_at, WHEN)}\n", style="bold")
    out.append_text(who_text(p.who, p.channel, limit=200))
    if p.counterpart and p.counterpart != p.who:
        out.append("  ")
        out.append_text(plain(p.counterpart, limit=200, style="dim"))
    out.append("\n")
    if p.reply is not None:
        out.append_text(reply_text(p.reply))
        out.append("\n")
    if p.call is not None:
        out.append(call_text(p.call) + "\n")
    if p.subject:
        out.append_text(plain(p.subject, limit=500, style="bold"))
        out.append("\n")
    if p.attachments:
        out.append(t("attachments") + ": ", style="italic")
        out.append_text(plain(", ".join(p.attachments), limit=500))
        out.append("\n")
    out.append("\n")
    out.append_text(plain(p.body, one_line=False, limit=20_000))
    return out


class PreviewScreen(Dialog):
    def __init__(self, preview: ContactPreview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog tall"):
            yield Static(preview_text(self.preview), id="preview")


# The marks the lists use, each with its meaning (`?` help explains them).
HELP_MARKS = (("✓", "help.mark.met"), ("✓!", "help.mark.met_late"), ("‼", "help.mark.overdue"),
              ("!", "help.mark.due_soon"), ("–", "help.mark.waived"), ("✉→ ☎→", "help.mark.out"),
              ("✉ ☎ ◉ ⌂ ✎", "help.mark.channels"), ("●", "help.mark.selected"),
              ("t", "help.mark.hours"))


class HelpScreen(Dialog):
    """`?`: the focused screen's bindings, with their tooltips."""

    def __init__(self, title: str, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text, self.rows = title, rows

    def compose(self) -> ComposeResult:
        body = Text()
        for key, desc, tip in self.rows:
            body.append(f"{key:>8}  ", style="bold")
            body.append(f"{desc}")
            if tip:
                body.append(f" – {tip}", style="dim")
            body.append("\n")
        body.append("\n")
        body.append(t("help.marks") + "\n", style="bold underline")
        for mark, key in HELP_MARKS:
            body.append(f"{mark:>8}  ", style="bold")
            body.append(t(key) + "\n")
        with VerticalScroll(classes="dialog tall"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(body, id="help")


__all__ = [
    "ClassifyDialog",
    "HelpScreen",
    "LinkCaseDialog",
    "ManualContactDialog",
    "NewCaseDialog",
    "PeriodDialog",
    "PreviewScreen",
    "SearchDialog",
    "TextPrompt",
]
