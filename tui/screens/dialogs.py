"""Modal dialogs: prompts, the case picker, the new-case form, manual contacts,
classification, period, search, preview and help. Each returns a plain value through
`dismiss`; none touches the database except through thread workers."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store.desk.inputs import read_date, read_moment
from store.desk.rows import CaseFilter, ContactPreview, SearchHit
from store.errors import UserError
from store.timeutil import show
from tui.i18n import error_text, t
from tui.keymap import KEY_DISPLAY, bindings, localise
from tui.messages import HitsFound
from tui.render import WHEN, call_text, channel_name, hit_detail, reply_text, who_text
from tui.reply_state import outbox_line
from tui.safe import plain
from tui.widgets.keybar import KeyBar
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


def undebounce(node: Any) -> None:
    """Drop a waiting debounced call: the caller runs it now."""
    timer = getattr(node, "_debounce_timer", None)
    if timer is not None:
        timer.stop()


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
                keys.setdefault(
                    b.action, b.key_display or KEY_DISPLAY.get(key) or self.app.get_key_display(b)
                )
        hint = t(self.KEYS_HINT, save=keys.get("save", "?"), cancel=keys.get("cancel", "?"))
        # Content, not a str: a str border subtitle is read as markup, and a key display
        # such as "[" would be taken for a tag.
        self.query_one(".dialog").border_subtitle = Content(hint)


class HitPicker(Dialog):
    """A dialog that looks hits up while the advisor types (#q) and picks one with enter.

    Enter picks from the hits of what is typed now. Typed fast, enter comes before the
    look-up of the last keys (debounced, then a thread), and the highlighted hit would be
    an earlier query's: the open cases shown first, or a prefix's best match, which links
    a contact to the wrong case. So an earlier query's hits are never shown, and an enter
    before the current look-up has answered waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self._hits: dict[str, SearchHit] = {}
        self._shown: str | None = None  # the query whose hits are listed
        self._pick_waiting = False

    # Textual's metaclass is not ABCMeta, so `abstractmethod` alone would not stop a
    # picker that forgets a hook (mypy still checks it): refused when it is defined, as
    # the paged lists do (tui/screens/paged_list.py).
    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        missing = [
            h
            for h in ("lookup", "hit_text")
            if getattr(getattr(cls, h), "__isabstractmethod__", False)
        ]
        if missing:
            raise TypeError(f"{cls.__qualname__} is a picker without {', '.join(missing)}")

    @abstractmethod
    def lookup(self, query: str) -> object:
        """Start looking `query` up; post HitsFound(query, hits) when done."""

    def hit_key(self, hit: SearchHit) -> str:
        return str(hit.id)

    @abstractmethod
    def hit_text(self, hit: SearchHit) -> Text:
        """The hit's line in the list (plain text: labels are untrusted)."""

    def typed(self) -> str:
        return self.query_one("#q", Input).value

    @on(Input.Changed, "#q")
    def _changed(self, event: Input.Changed) -> None:
        debounce(self, lambda: self.lookup(event.value))

    def on_hits_found(self, msg: HitsFound) -> None:
        if msg.query != self.typed():
            return  # an earlier query's: the current one's look-up is on its way
        ol = self.query_one(OptionList)
        ol.clear_options()
        self._hits = {}
        for h in msg.hits:
            key = self.hit_key(h)
            self._hits[key] = h
            ol.add_option(Option(self.hit_text(h), id=key))
        self._shown = msg.query
        if msg.hits:
            ol.highlighted = 0
        if self._pick_waiting:
            self._pick_waiting = False
            self._pick_highlighted()

    def on_key(self, event: Any) -> None:
        if event.key in ("down", "up") and self.focused is self.query_one(Input):
            ol = self.query_one(OptionList)
            if ol.option_count:
                (ol.action_cursor_down if event.key == "down" else ol.action_cursor_up)()
                event.stop()

    @on(Input.Submitted, "#q")
    def action_save(self) -> None:
        if self._shown != self.typed():
            undebounce(self)
            self._pick_waiting = True
            self.lookup(self.typed())
            return
        self._pick_highlighted()

    def _pick_highlighted(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None and ol.option_count:
            self.dismiss(self._hits.get(str(ol.get_option_at_index(ol.highlighted).id)))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._hits.get(str(event.option.id)))


class TextPrompt(Dialog):
    """One line of text (a reason, a note, a file name). With `required` (an i18n key),
    an empty line is not taken: the dialog says why nothing happens and stays open."""

    def __init__(
        self, title: str, initial: str = "", placeholder: str = "", required: str | None = None
    ) -> None:
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


class LinkCaseDialog(HitPicker):
    """Pick a case with fuzzy search over ref, party and text; returns its SearchHit
    (whose tag says whether the case is closed)."""

    def __init__(self, desk: Desk, count: int) -> None:
        super().__init__()
        self.desk, self.count = desk, count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label(
                f"{t('dlg.link.title')} ({t('selected', n=self.count)})", classes="dialog-title"
            )
            yield Input(placeholder=t("dlg.link.placeholder"), id="q")
            yield OptionList(id="hits")

    def on_mount(self) -> None:
        self.lookup("")

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def lookup(self, query: str) -> None:
        if query.strip():
            hits = self.desk.search_cases(query, limit=30)
        else:
            page = self.desk.cases(CaseFilter(status="open"), limit=30)
            hits = tuple(
                SearchHit(
                    "case", r.case_id, f"{r.ref} {r.title}".strip(), r.party, 0.0, r.case_id, "open"
                )
                for r in page.rows
            )
        # A message, not call_from_thread: a dialog closed meanwhile just drops it.
        self.post_message(HitsFound(query, hits))

    def hit_text(self, hit: SearchHit) -> Text:
        txt = plain(hit.label, limit=60)
        txt.append("  ")
        txt.append_text(plain(hit_detail(hit), limit=40, style="dim"))
        return txt


MANUAL_KEYS = {"t": "call", "r": "walk_in", "m": "meeting", "h": "home_visit", "b": "letter"}


class ManualContactDialog(Dialog):
    """m, then one letter for the kind, then the text, then enter: 3 keys plus text. The
    time (now unless changed, DD-MM-YYYY HH:MM) and the direction (ctrl+o) are shown."""

    BINDINGS = [*bindings("dialog"), *bindings("manual")]

    def __init__(self, now: dt.datetime) -> None:
        super().__init__()
        self.kind: str | None = None
        self.direction = "in"
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("dlg.manual.title"), classes="dialog-title")
            yield Label(t("dlg.manual.kinds"), id="kinds")
            yield Label("", id="chosen")
            yield Input(placeholder=t("dlg.manual.text"), id="text", disabled=True)
            # Disabled until the kind is chosen: a focused field would take the kind's key.
            yield Input(
                show(self.now, WHEN), placeholder="DD-MM-ÅÅÅÅ TT:MM", id="when", disabled=True
            )
            yield Label("", id="err", classes="err")

    def on_mount(self) -> None:
        super().on_mount()
        self._label()

    def on_key(self, event: Any) -> None:
        if self.kind is None and event.character in MANUAL_KEYS:
            self.kind = MANUAL_KEYS[event.character]
            self.query_one("#when", Input).disabled = False
            inp = self.query_one("#text", Input)
            inp.disabled = False
            inp.focus()
            self._label()
            event.stop()
            event.prevent_default()

    def _label(self) -> None:
        kind = t("kind." + self.kind) if self.kind else "…"
        self.query_one("#chosen", Label).update(
            f"» {kind} · {t('dir.' + self.direction)} ({t('dlg.manual.direction_key')})"
        )

    def action_toggle_direction(self) -> None:
        self.direction = "out" if self.direction == "in" else "in"
        self._label()

    @on(Input.Submitted)
    def action_save(self) -> None:
        if self.kind is None:
            return
        try:
            at = read_moment(self.query_one("#when", Input).value, "when")
        except UserError as e:
            self.query_one("#err", Label).update(plain(error_text(e), limit=200))
            return
        self.dismiss((self.kind, self.query_one("#text", Input).value, self.direction, at))


class PeriodDialog(Dialog):
    def __init__(self, start: dt.date, end: dt.date) -> None:
        super().__init__()
        self.start, self.end = start, end

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(t("dlg.period.title"), classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label(t("dlg.period.from"), classes="lbl")
                yield Input(self.start.strftime("%d-%m-%Y"), id="from")
            with Horizontal(classes="row"):
                yield Label(t("dlg.period.to"), classes="lbl")
                yield Input(self.end.strftime("%d-%m-%Y"), id="to")
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
                vals.append(read_date(raw, wid))
            except UserError:
                self.query_one("#err", Label).update(plain(t("dlg.period.bad", v=raw)))
                return
        if vals[1] < vals[0]:
            vals.reverse()
        self.dismiss((vals[0], vals[1]))


class SearchDialog(HitPicker):
    """`/`: parties, cases and contacts (never whistleblower ones)."""

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Label(t("dlg.search.title"), classes="dialog-title")
            yield Input(placeholder=t("dlg.search.placeholder"), id="q")
            yield OptionList(id="hits")

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def lookup(self, query: str) -> None:
        self.post_message(HitsFound(query, self.desk.search(query) if query.strip() else ()))

    def hit_key(self, hit: SearchHit) -> str:
        return f"{hit.kind}:{hit.id}"

    def hit_text(self, hit: SearchHit) -> Text:
        txt = Text(f"{t('hit.' + hit.kind):<12} ", style="bold")
        txt.append_text(plain(hit.label, limit=50))
        txt.append("  ")
        txt.append_text(plain(hit_detail(hit), limit=60, style="dim"))
        return txt


def preview_text(p: ContactPreview) -> Text:
    out = Text()
    out.append(
        f"{channel_name(p.channel)} · {t('dir.' + p.direction)} · {show(p.occurred_at, WHEN)}\n",
        style="bold",
    )
    out.append_text(who_text(p.who, p.channel, limit=200))
    if p.counterpart and p.counterpart != p.who:
        out.append("  ")
        out.append_text(plain(p.counterpart, limit=200, style="dim"))
    out.append("\n")
    if p.reply is not None:
        out.append_text(reply_text(p.reply))
        out.append("\n")
    if p.explanation:
        out.append_text(plain(p.explanation, one_line=False, limit=1000, style="italic"))
        out.append("\n")
    if p.outbox is not None:
        out.append_text(outbox_line(p.outbox))
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


class PreviewScreen(Dialog, inherit_bindings=False):
    """A whole contact. With `actions` (a contact waiting in triage) the triage keys work
    here too and dismiss with the action's name; the key bar shows only the keys that
    work (no save: there is nothing to save)."""

    BINDINGS = bindings("preview")

    def __init__(self, preview: ContactPreview, *, actions: bool = False) -> None:
        super().__init__()
        self.preview, self.actions = preview, actions

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog tall"):
            yield Static(preview_text(self.preview), id="preview")
        yield KeyBar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.actions if action == "act" else True

    def action_act(self, action: str) -> None:
        self.dismiss(action)


# The marks the lists use, each with its meaning (`?` help explains them).
HELP_MARKS = (
    ("✓", "help.mark.met"),
    ("✓!", "help.mark.met_late"),
    ("‼", "help.mark.overdue"),
    ("!", "help.mark.due_soon"),
    ("–", "help.mark.waived"),
    ("✉→ ☎→", "help.mark.out"),
    ("✉ ☎ ◉ ⌂ ✎", "help.mark.channels"),
    ("●", "help.mark.selected"),
    ("t", "help.mark.hours"),
)


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
    "HelpScreen",
    "LinkCaseDialog",
    "ManualContactDialog",
    "PeriodDialog",
    "PreviewScreen",
    "SearchDialog",
    "TextPrompt",
]
