# ruff: noqa: E501  (a translation table reads best one entry per line)
"""UI text in Danish (default) and English (`language = "en"` in the config).

Every visible string is looked up by key: `t("triage.title")`. A missing key is a bug and
shows the key itself, so it is noticed in a snapshot rather than crashing the desk.
"""

from __future__ import annotations

from typing import Any

from tui.i18n_forms import FORMS
from tui.i18n_team import TEAM

_LANG = "da"

# key: (Danish, English)
TEXT: dict[str, tuple[str, str]] = {
    # screens
    "screen.triage": ("Indbakke", "Inbox"),
    "screen.cases": ("Sager", "Cases"),
    "screen.followups": ("Svarfrister", "Follow-ups"),
    "screen.stats": ("Statistik", "Statistics"),
    "screen.whistleblower": ("Whistleblower", "Whistleblower"),
    "screen.case": ("Sag", "Case"),
    # the reply composer (tui/screens/compose.py)
    "compose.title": ("Svar ({template})", "Reply ({template})"),
    "compose.to": ("Til", "To"),
    "compose.subject": ("Emne", "Subject"),
    "compose.quote": ("Citér den oprindelige mail", "Quote the original mail"),
    "compose.expected": ("Forventet svar: {date}", "Expected answer: {date}"),
    "compose.keys": ("{save} send · {cancel} fortryd", "{save} send · {cancel} cancel"),
    "compose.sending": ("Sender …", "Sending …"),
    "compose.to_missing": ("Skriv en modtager", "Give a recipient"),
    "compose.queued": (
        "Ikke sendt, ligger i udbakken og prøves igen: {error}",
        "Not sent; kept in the outbox and retried: {error}",
    ),
    "compose.failed": ("Afvist af serveren: {error}", "Refused by the server: {error}"),
    "compose.uncertain": (
        "Usikkert om den blev sendt; se Sendt post ('borgerdesk outbox'): {error}",
        "Uncertain whether it was sent; check Sent ('borgerdesk outbox'): {error}",
    ),
    # a reply from the desk that has not gone (tui/reply_state.py)
    "outbox.mark.queued": ("Svar i kø", "Reply queued"),
    "outbox.mark.failed": ("Svar afvist", "Reply refused"),
    "outbox.mark.uncertain": ("Svar usikkert", "Reply uncertain"),
    "outbox.why.sending": ("svaret er på vej ud", "the reply is on its way out"),
    "outbox.why.queued": (
        "ikke sendt endnu; prøves igen {at} (forsøg {n})",
        "not sent yet; next try {at} (attempt {n})",
    ),
    "outbox.why.failed": (
        "afvist af serveren og sendes ikke igen; ret modtageren og send et nyt svar",
        "refused by the server and not sent again; correct the recipient and send a new reply",
    ),
    "outbox.why.uncertain": (
        "uvist om det nåede frem; se efter det i Sendt post, og afgør med 'borgerdesk outbox --resend {id}' eller '--was-sent {id}'",
        "unknown whether it arrived; look for it in Sent, then decide with 'borgerdesk outbox --resend {id}' or '--was-sent {id}'",
    ),
    "outbox.reason": ("Årsag:", "Reason:"),
    "compose.pending": (
        "Der ligger allerede et svar til denne henvendelse i udbakken; sender du, får borgeren to.",
        "A reply to this contact is already in the outbox; send this and the party gets two.",
    ),
    "compose.no_email": (
        "Kontakten har ingen e-mailadresse. Ctrl+S noterer et tilbageopkald på sagen.",
        "The contact has no e-mail address. Ctrl+S logs a call-back on the case.",
    ),
    "compose.callback_note": ("Hvad blev der sagt?", "What was said?"),
    "compose.callback_default": ("Ringet tilbage", "Called back"),
    "err.callback_no_case": (
        "Knyt kontakten til en sag først, og notér så tilbageopkaldet",
        "Link the contact to a case first, then log the call-back",
    ),
    "err.text_control": (
        "Teksten indeholder et tegn, der ikke kan gemmes (position {position}); fjern det og skriv teksten igen",
        "The text contains a character that cannot be stored (position {position}); remove it and type the text again",
    ),
    "err.reply_pending": (
        "Et svar ({template}) til denne henvendelse ligger allerede i udbakken (#{outbox_id}) og prøves igen; se 'borgerdesk outbox'",
        "A reply ({template}) to this contact is already in the outbox (#{outbox_id}) and will be retried; see 'borgerdesk outbox'",
    ),
    "err.no_sender": (
        "Der kan ikke sendes herfra; brug 'borgerdesk reply {contact_id}'",
        "Sending is not available here; use 'borgerdesk reply {contact_id}'",
    ),
    # header
    "hdr.alerts": ("Advarsler: {n}", "Alerts: {n}"),
    "hdr.triage": ("Indbakke: {n}", "Inbox: {n}"),
    "hdr.no_sources": ("Ingen kilder synkroniseret endnu", "No sources synced yet"),
    "hdr.ok": ("OK {when}", "OK {when}"),
    "hdr.never": ("aldrig", "never"),
    "hdr.failing": ("FEJL ×{n}", "FAILING ×{n}"),
    "hdr.demo": ("DEMO", "DEMO"),
    "hdr.problem": ("DATABASEN SVARER IKKE", "DATABASE NOT ANSWERING"),
    # bindings: label and tooltip
    "b.go_triage": ("Indbakke", "Inbox"),
    "b.go_triage.tip": (
        "Gå til indbakken: kontakter uden sag",
        "Go to the inbox: contacts without a case",
    ),
    "b.go_cases": ("Sager", "Cases"),
    "b.go_cases.tip": ("Gå til sagslisten", "Go to the case list"),
    "b.go_followups": ("Svarfrister", "Follow-ups"),
    "b.go_followups.tip": ("Gå til åbne svarfrister", "Go to open reply targets"),
    "b.go_stats": ("Statistik", "Statistics"),
    "b.go_stats.tip": ("Gå til årsstatistikken", "Go to the annual counts"),
    "b.go_wb": ("Whistleblower", "Whistleblower"),
    "b.go_wb.tip": (
        "Gå til whistleblower-registret (adgang logges)",
        "Go to the whistleblower register (access is logged)",
    ),
    "b.search": ("Søg", "Search"),
    "b.search.tip": ("Søg i borgere, sager og henvendelser", "Search parties, cases and contacts"),
    "b.help": ("Hjælp", "Help"),
    "b.help.tip": ("Vis tasterne for denne skærm", "Show this screen's keys"),
    "b.quit": ("Afslut", "Quit"),
    "b.quit.tip": ("Luk borgerdesk", "Close borgerdesk"),
    "b.palette": ("Kommandoer", "Commands"),
    "b.palette.tip": ("Åbn kommandopaletten", "Open the command palette"),
    "b.down": ("Ned", "Down"),
    "b.down.tip": ("Flyt markøren ned", "Move the cursor down"),
    "b.up": ("Op", "Up"),
    "b.up.tip": ("Flyt markøren op", "Move the cursor up"),
    "b.screen_down": ("Skærm ned", "Screen down"),
    "b.screen_down.tip": ("Flyt markøren en skærmfuld ned", "Move the cursor a screenful down"),
    "b.screen_up": ("Skærm op", "Screen up"),
    "b.screen_up.tip": ("Flyt markøren en skærmfuld op", "Move the cursor a screenful up"),
    "b.first": ("Første", "First"),
    "b.first.tip": ("Gå til sidens første række", "Go to the page's first row"),
    "b.last": ("Sidste", "Last"),
    "b.last.tip": ("Gå til sidens sidste række", "Go to the page's last row"),
    "b.select_row": ("Vælg", "Select"),
    "b.select_row.tip": ("Åbn rækken under markøren", "Open the row under the cursor"),
    "b.next_page": ("Næste side", "Next page"),
    "b.next_page.tip": ("Vis de næste rækker", "Show the next rows"),
    "b.prev_page": ("Forrige side", "Previous page"),
    "b.prev_page.tip": ("Vis de forrige rækker", "Show the previous rows"),
    "b.link": ("Tilknyt", "Link"),
    "b.link.tip": (
        "Tilknyt henvendelsen (eller de valgte) til en eksisterende sag",
        "Link the contact (or the selected ones) to an existing case",
    ),
    "b.new_case": ("Ny sag", "New case"),
    "b.new_case.tip": ("Opret en sag ud fra henvendelsen", "Open a case from the contact"),
    "b.dismiss": ("Ikke en sag", "Not a case"),
    "b.dismiss.tip": (
        "Markér som ikke en sag, med en begrundelse",
        "Mark as not a case, with a reason",
    ),
    "b.ack": ("Notér kvittering", "Log ack"),
    "b.ack.tip": (
        "Notér at borgeren har fået svar uden for mailen (et opkald, ved skranken); der sendes intet",
        "Record that the party was answered outside the mailbox (a call, at the desk); nothing is sent",
    ),
    "b.preview": ("Vis", "Preview"),
    "b.preview.tip": ("Vis hele henvendelsen", "Show the whole contact"),
    "b.select": ("Vælg", "Select"),
    "b.select.tip": (
        "Vælg flere henvendelser til at tilknytte på én gang",
        "Select several contacts to link at once",
    ),
    "b.open": ("Åbn", "Open"),
    "b.open.tip": ("Åbn sagen", "Open the case"),
    "b.filter": ("Filter", "Filter"),
    "b.filter.tip": ("Gå til filtrene", "Go to the filters"),
    "b.status": ("Åbne/lukkede", "Open/closed"),
    "b.status.tip": (
        "Skift mellem åbne, lukkede og alle sager",
        "Cycle open, closed and all cases",
    ),
    "b.back": ("Tilbage", "Back"),
    "b.back.tip": ("Tilbage til listen", "Back to the list"),
    "b.classify": ("Klassificér", "Classify"),
    "b.classify.tip": (
        "Ret afdeling, kategori, tema, handling eller udfald",
        "Edit department, category, theme, action or outcome",
    ),
    "b.manual": ("Henvendelse", "Contact"),
    "b.manual.tip": (
        "Tilføj opkald, åben rådgivning, møde, hjemmebesøg eller brev",
        "Add a call, walk-in, meeting, home visit or letter",
    ),
    "b.note": ("Note", "Note"),
    "b.note.tip": ("Tilføj en note til sagen", "Add a note to the case"),
    "b.close": ("Luk/genåbn", "Close/reopen"),
    "b.close.tip": ("Luk sagen, eller genåbn den", "Close the case, or reopen it"),
    "b.complain": ("Ville klage", "Wanted to complain"),
    "b.complain.tip": ("Slå 'kom for at klage' til eller fra", "Toggle 'came wanting to complain'"),
    "b.exclude": ("Udgår", "Excluded"),
    "b.exclude.tip": (
        "Tag sagen ud af statistikken (med begrundelse) eller ind igen",
        "Exclude the case from the statistics (with a reason), or include it again",
    ),
    "b.reply": ("Svar", "Reply"),
    "b.reply.tip": (
        "Skriv et svar til borgeren (mail), eller notér et tilbageopkald",
        "Write a reply to the party (mail), or log a call-back",
    ),
    "b.quick_ack": ("Send kvittering", "Send ack"),
    "b.quick_ack.tip": (
        "Send standardkvitteringen som mail (med forventet svardato); den vises først, Ctrl+S sender",
        "Mail the standard acknowledgement (with the expected date); shown first, Ctrl+S sends it",
    ),
    "b.explain": ("Forklaring", "Explain"),
    "b.explain.tip": ("Vis hvordan svarfristen er beregnet", "Show how the due time was computed"),
    "b.waive": ("Intet svar", "No reply"),
    "b.waive.tip": (
        "Markér at der ikke skal svares, med en begrundelse",
        "Mark that no reply is needed, with a reason",
    ),
    "b.prev_year": ("Forrige år", "Previous year"),
    "b.prev_year.tip": ("Vis forrige år", "Show the previous year"),
    "b.next_year": ("Næste år", "Next year"),
    "b.next_year.tip": ("Vis næste år", "Show the next year"),
    "b.period": ("Periode", "Period"),
    "b.period.tip": ("Vælg en periode (fra-til)", "Choose a period (from-to)"),
    "b.export": ("Eksportér", "Export"),
    "b.export.tip": ("Gem tabellerne som xlsx eller csv", "Save the tables as xlsx or csv"),
    "b.cancel": ("Annullér", "Cancel"),
    "b.cancel.tip": ("Luk uden at gemme", "Close without saving"),
    "b.save": ("Gem", "Save"),
    "b.save.tip": ("Gem og luk", "Save and close"),
    "b.direction": ("Ind/ud", "In/out"),
    "b.direction.tip": (
        "Skift mellem indgående og udgående",
        "Switch between inbound and outbound",
    ),
    # triage
    "col.sel": ("", ""),
    "col.channel": ("K", "C"),
    "col.who": ("Fra/til", "From/to"),
    "who.hidden": ("skjult nummer", "hidden number"),
    "who.unknown": ("ukendt", "unknown"),
    "col.subject": ("Emne", "Subject"),
    "col.received": ("Modtaget", "Received"),
    "col.due": ("Svarfrist", "Reply due"),
    "col.ref": ("Sag", "Case"),
    "col.title": ("Titel", "Title"),
    "col.party": ("Borger", "Party"),
    "col.department": ("Afdeling", "Department"),
    "col.category": ("Kategori", "Category"),
    "col.opened": ("Oprettet", "Opened"),
    "col.closed": ("Lukket", "Closed"),
    "col.contacts": ("Henv.", "Cont."),
    "col.status": ("Status", "Status"),
    "col.left": ("Tilbage", "Left"),
    "col.ack": ("Kvittering", "Acknowledgement"),
    "col.feedback": ("Tilbagemelding", "Feedback"),
    "page": ("{first}–{last} af {total}", "{first}–{last} of {total}"),
    "empty.triage": ("Indbakken er tom.", "The inbox is empty."),
    "empty": ("Ingen rækker.", "No rows."),
    "loading": ("Henter …", "Loading …"),
    "selected": ("{n} valgt", "{n} selected"),
    "status.pending": ("ok", "ok"),
    "status.due_soon": ("snart", "soon"),
    "status.overdue": ("OVERSKREDET", "OVERDUE"),
    "status.met": ("besvaret", "met"),
    "status.met_late": ("besvaret sent", "met late"),
    "status.waived": ("intet svar", "no reply"),
    "short.pending": ("ok", "ok"),
    "short.due_soon": ("snart", "soon"),
    "short.overdue": ("over", "over"),
    "short.met": ("svaret", "met"),
    "short.met_late": ("sent", "late"),
    "short.waived": ("intet", "none"),
    "call.answered": ("Opkald, besvaret {dur}", "Call, answered {dur}"),
    "call.missed": ("Ubesvaret opkald", "Missed call"),
    "call.voicemail": ("Telefonsvarer", "Voicemail"),
    "dir.in": ("ind", "in"),
    "dir.out": ("ud", "out"),
    # channels (mark, name)
    "ch.email": ("Mail", "Mail"),
    "ch.phone": ("Telefon", "Phone"),
    "ch.meeting": ("Møde", "Meeting"),
    "ch.letter": ("Brev", "Letter"),
    "ch.home_visit": ("Hjemmebesøg", "Home visit"),
    # dialogs
    "dlg.link.title": ("Tilknyt til sag", "Link to case"),
    "dlg.link.placeholder": ("Søg sagsnr., borger eller tekst …", "Search ref, party or text …"),
    "dlg.new.title": ("Ny sag", "New case"),
    "dlg.new.party": ("Borger", "Party"),
    "dlg.new.party_known": ("Kendt borger: {name}", "Known party: {name}"),
    "dlg.new.case_title": ("Titel", "Title"),
    "dlg.new.department": ("Afdeling", "Department"),
    "dlg.new.category": ("Kategori", "Category"),
    "dlg.new.kind": ("Sagstype", "Case type"),
    "dlg.keys_hint": (
        "Enter: næste felt · {save}: opret sagen · {cancel}: fortryd",
        "Enter: next field · {save}: create the case · {cancel}: cancel",
    ),
    "dlg.dismiss.title": ("Ikke en sag – begrundelse", "Not a case – reason"),
    "dlg.note.title": ("Ny note", "New note"),
    "dlg.exclude.title": (
        "Udgår af statistikken – begrundelse",
        "Excluded from the statistics – reason",
    ),
    "dlg.waive.title": ("Intet svar nødvendigt – begrundelse", "No reply needed – reason"),
    "dlg.manual.title": ("Ny henvendelse", "New contact"),
    "dlg.manual.kinds": (
        "t Telefon · r Åben rådgivning · m Møde · h Hjemmebesøg · b Brev",
        "t Phone · r Walk-in · m Meeting · h Home visit · b Letter",
    ),
    "dlg.manual.text": ("Hvad drejede det sig om?", "What was it about?"),
    "dlg.classify.title": ("Klassificér", "Classify"),
    "dlg.classify.none": ("(ingen)", "(none)"),
    "dlg.period.title": ("Periode (ÅÅÅÅ-MM-DD)", "Period (YYYY-MM-DD)"),
    "dlg.period.from": ("Fra", "From"),
    "dlg.period.to": ("Til", "To"),
    "dlg.period.bad": (
        "Ugyldig dato: {v}; skriv ÅÅÅÅ-MM-DD",
        "Invalid date: {v}; write YYYY-MM-DD",
    ),
    "dlg.export.title": ("Eksportér til fil (.xlsx eller .csv)", "Export to file (.xlsx or .csv)"),
    "dlg.search.title": ("Søg", "Search"),
    "dlg.search.placeholder": ("Borger, sag, henvendelse …", "Party, case, contact …"),
    "dlg.help.title": ("Taster – {screen}", "Keys – {screen}"),
    "dlg.reason_needed": (
        "Skriv en begrundelse: uden den ændres intet (esc fortryder)",
        "Write a reason: without one nothing changes (esc cancels)",
    ),
    "help.marks": ("Tegn i listerne", "Marks in the lists"),
    "help.mark.met": ("besvaret i tide", "answered in time"),
    "help.mark.met_late": ("besvaret, men for sent", "answered, but late"),
    "help.mark.overdue": ("svarfristen er overskredet", "the reply is overdue"),
    "help.mark.due_soon": ("svarfristen er snart", "the reply is due soon"),
    "help.mark.waived": ("intet svar nødvendigt", "no reply needed"),
    "help.mark.out": (
        "udgående mail / opkald (pilen: fra os)",
        "outgoing mail / call (the arrow: from us)",
    ),
    "help.mark.channels": (
        "mail, telefon, møde, hjemmebesøg, brev",
        "mail, phone, meeting, home visit, letter",
    ),
    "help.mark.selected": ("markeret (mellemrum)", "selected (space)"),
    "help.mark.hours": (
        "arbejdstimer tilbage til fristen (weekender og helligdage tæller "
        "ikke); minus: over fristen",
        "working hours left until the deadline (weekends and holidays do not "
        "count); minus: past it",
    ),
    "kind.call": ("Telefon", "Phone call"),
    "kind.walk_in": ("Åben rådgivning", "Walk-in"),
    "kind.meeting": ("Møde", "Meeting"),
    "kind.home_visit": ("Hjemmebesøg", "Home visit"),
    "kind.letter": ("Brev", "Letter"),
    "casekind.citizen": ("Borgersag", "Citizen case"),
    "casekind.consultancy": ("Intern konsulentopgave", "Internal consultancy"),
    "casekind.whistleblower": ("Whistleblowersag", "Whistleblower case"),
    "hit.case": ("Sag", "Case"),
    "hit.party": ("Borger", "Party"),
    "hit.contact": ("Henvendelse", "Contact"),
    # fields
    "f.title": ("Titel", "Title"),
    "f.closed_on": ("Lukket", "Closed"),
    "f.opened_on": ("Oprettet", "Opened"),
    "f.wanted_to_complain": ("Kom for at klage", "Came wanting to complain"),
    "f.excluded_reason": ("Begrundelse for at udgå", "Reason for exclusion"),
    "state.open": ("åben", "open"),
    "state.closed": ("lukket", "closed"),
    "partykind.citizen": ("borger", "citizen"),
    "partykind.company": ("virksomhed", "company"),
    "partykind.association": ("forening", "association"),
    "unit.hours": ("t", "h"),
    "f.department": ("Afdeling", "Department"),
    "f.category": ("Kategori", "Category"),
    "f.theme": ("Tema", "Theme"),
    "f.action": ("Handling", "Action"),
    "f.outcome": ("Udfald", "Outcome"),
    "f.opened": ("Oprettet", "Opened"),
    "f.closed": ("Lukket", "Closed"),
    "f.open": ("Åben", "Open"),
    "f.complain": ("Kom for at klage", "Came wanting to complain"),
    "f.excluded": ("Udgår af statistikken", "Excluded from statistics"),
    "f.yes": ("ja", "yes"),
    "f.no": ("nej", "no"),
    "tab.timeline": ("Tidslinje ({n})", "Timeline ({n})"),
    "tab.notes": ("Noter ({n})", "Notes ({n})"),
    "tab.history": ("Historik ({n})", "History ({n})"),
    "attachments": ("Vedhæftet", "Attachments"),
    "timeline.more": ("… og {n} ældre henvendelser", "… and {n} older contacts"),
    "filter.open": ("Åbne", "Open"),
    "filter.closed": ("Lukkede", "Closed"),
    "filter.all": ("Alle", "All"),
    "filter.any": ("(alle)", "(any)"),
    "filter.party": ("Borger …", "Party …"),
    "filter.text": ("Tekst/sagsnr. …", "Text/ref …"),
    # stats
    "stats.period": ("{title} · {start} – {end}", "{title} · {start} – {end}"),
    "stats.triage_waiting": (
        "{n} henvendelser i perioden venter i indbakken og tæller ikke med",
        "{n} contacts in the period wait in the inbox and are not counted",
    ),
    "stats.compliance": ("Svarfrister", "Reply compliance"),
    "comp.rule": ("Regel", "Rule"),
    "comp.targets": ("Frister", "Targets"),
    "comp.in_time": ("Til tiden", "In time"),
    "comp.late": ("For sent", "Late"),
    "comp.waived": ("Intet svar", "No reply"),
    "comp.open": ("Åbne", "Open"),
    "comp.overdue": ("Overskredne", "Overdue"),
    "comp.median": ("Median t", "Median h"),
    "comp.share": ("Til tiden %", "In time %"),
    "stats.no_compliance": (
        "(svarfrist-overholdelse er ikke tilgængelig)",
        "(reply compliance not available)",
    ),
    "stats.chart": ("Fordeling", "Distribution"),
    "stats.updated": ("Opdateret", "Updated"),
    # notifications
    "n.linked": ("{n} henvendelse(r) tilknyttet {ref}", "{n} contact(s) linked to {ref}"),
    "n.created": ("Sag {ref} oprettet", "Case {ref} opened"),
    "n.dismissed": ("{n} markeret 'ikke en sag'", "{n} marked 'not a case'"),
    "n.reply_sent": ("Svar sendt", "Reply sent"),
    "n.callback_logged": ("Tilbageopkald noteret", "Call-back logged"),
    "n.acked": ("{n} svarfrist(er) kvitteret", "{n} reply target(s) acknowledged"),
    "n.waived": ("Markeret 'intet svar nødvendigt'", "Marked 'no reply needed'"),
    "n.saved": ("Gemt", "Saved"),
    "n.exported": ("Gemt: {path}", "Saved: {path}"),
    "n.alert": ("Ny advarsel: {kind} {summary}", "New alert: {kind} {summary}"),
    "n.error": ("Fejl: {msg}", "Error: {msg}"),
    "n.db_down": (
        "databasen svarer ikke ({msg}); skærmen viser de sidst hentede data",
        "the database is not answering ({msg}); the screen shows the data last read",
    ),
    "n.db_back": ("Databasen svarer igen", "The database answers again"),
    "n.nothing": ("Ingen henvendelse valgt", "No contact selected"),
    "n.wb_off": ("Whistleblower-registret er slået fra", "The whistleblower register is off"),
    "alert.overdue": ("svarfrist overskredet", "reply overdue"),
    "alert.due_soon": ("svarfrist nærmer sig", "reply due soon"),
    "alert.source_failing": ("kilde fejler", "source failing"),
    "explain.none": ("(ingen forklaring)", "(no explanation)"),
    "palette.go": ("Gå til {screen}", "Go to {screen}"),
    "palette.placeholder": ("Søg efter en kommando…", "Search for commands…"),
    "palette.themes": ("Søg efter et farvetema…", "Search for themes…"),
    "palette.no_matches": ("Ingen kommandoer passer", "No matches found"),
    "palette.keys": ("Taster", "Keys"),
    "palette.keys.tip": ("Vis tasterne på denne skærm", "Show the keys of this screen"),
    # errors from the store, by UserError.code (store.errors); the English matches the CLI's
    "err.no_case": (
        "Sagen (id {case_id}) findes ikke længere; opdater listen",
        "No case with id {case_id}; refresh the list",
    ),
    "err.contact_gone": (
        "En henvendelse findes ikke længere; opdater listen",
        "A contact no longer exists; refresh the list",
    ),
    # Team desk (store.concurrency, store.desk.team): another desk got there first.
    "err.stale_case": (
        "Sag {ref} blev ændret af {who} kl. {when} ({what}), efter du åbnede den; intet er gemt. Sagen genindlæses – gør din ændring igen",
        "Case {ref} was changed by {who} at {when} ({what}) after you opened it; nothing was saved. The case reloads – make your change again",
    ),
    "err.stale_party": (
        "Part {party_id} blev ændret af {who} kl. {when} ({what}), efter du åbnede den; intet er gemt. Genindlæs og gør din ændring igen",
        "Party {party_id} was changed by {who} at {when} ({what}) after you opened it; nothing was saved. Reload and make your change again",
    ),
    "err.contact_taken": (
        "Henvendelsen er allerede taget af {who} kl. {when} ({what}); intet er gemt. Opdater listen",
        "The contact was already taken by {who} at {when} ({what}); nothing was saved. Refresh the list",
    ),
    "err.no_person": ("{person} er ikke med i teamet", "{person} is not on the team"),
    "err.target_gone": (
        "Svarfristen findes ikke længere; opdater listen",
        "The reply target no longer exists; refresh the list",
    ),
    "err.target_done": (
        "Svarfristen er allerede afsluttet; opdater listen",
        "The reply target is already closed; refresh the list",
    ),
    "err.wb_off": (
        "Whistleblower-registret er slået fra; sæt [ui] whistleblower_register = true",
        "Whistleblower cases are off; set [ui] whistleblower_register = true",
    ),
    "err.reason_not_case": (
        "Skriv en begrundelse for 'ikke en sag'",
        "Give a reason for 'not a case'",
    ),
    "err.reason_no_reply": (
        "Skriv en begrundelse for 'intet svar nødvendigt'",
        "Give a reason for 'no reply needed'",
    ),
    "err.reason_exclude": (
        "Skriv en begrundelse for at tage sagen ud af statistikken",
        "Give a reason for excluding the case from the statistics",
    ),
    "err.note_empty": ("Notatet er tomt", "The note is empty"),
    "err.contact_kind": (
        "Ukendt henvendelsestype {kind}; vælg en af {kinds}",
        "Unknown contact kind {kind}; choose one of {kinds}",
    ),
    "err.not_in_taxonomy": (
        "{field} '{value}' findes ikke i klassifikationen; vælg en værdi fra listen",
        "{field} '{value}' is not in the taxonomy; pick a value from the list",
    ),
    "err.department_not_valid": (
        "Afdelingen '{value}' fandtes ikke den {on}; vælg en afdeling, der gjaldt da",
        "Department '{value}' was not valid on {on}; pick one valid then",
    ),
    "err.outcome_not_allowed": (
        "Udfaldet '{outcome}' hører ikke til handlingen '{action}'",
        "Outcome '{outcome}' is not allowed after action '{action}'",
    ),
    "err.action_not_for_category": (
        "Handlingen '{action}' gælder ikke kategorien '{category}'",
        "Action '{action}' does not apply to category '{category}'",
    ),
    "err.report_preset": (
        "Rapporten '{name}' findes ikke i konfigurationen; se [reports]",
        "Report preset '{name}' not found; check [reports]",
    ),
    "err.export_suffix": (
        "{path}: filnavnet skal ende på .csv eller .xlsx",
        "{path}: export needs a .csv or .xlsx file name",
    ),
    "err.output_is_folder": (
        "{path}: er en mappe, ikke en fil; skriv et filnavn, fx {example}",
        "{path}: is a folder, not a file; give a file name, e.g. {example}",
    ),
    "err.output_not_regular": (
        "{path}: er ikke en almindelig fil (en enhed, FIFO eller socket); skriv navnet på en ny fil, fx {example}",
        "{path}: is not a regular file (a device, FIFO or socket); give the name of a new file, e.g. {example}",
    ),
    "err.no_submission": (
        "Ingen mailkonto kan sende svar; sæt mail.accounts[].smtp_host (og evt. smtp_port, smtp_security, from_address) i konfigurationen",
        "No mail account can send replies; set mail.accounts[].smtp_host (and smtp_port, smtp_security, from_address if needed) in the config",
    ),
    "err.annual_folder": (
        "--out {path}: mappen findes ikke; opret den eller vælg en anden",
        "--out {path}: the folder does not exist; create it or choose another",
    ),
    "err.annual_text": (
        "--text {path}: er ikke UTF-8-tekst; gem filen som UTF-8",
        "--text {path}: not UTF-8 text; save it as UTF-8",
    ),
    "err.wb_case": (
        "Sag {case_id} er ikke en whistleblowersag",
        "Case {case_id} is not a whistleblower case",
    ),
    "err.wb_outcome": ("Ukendt udfald: {outcome}", "Unknown outcome: {outcome}"),
    "err.cannot_write": (
        "{path}: kan ikke skrives ({reason}); tjek mappen og den ledige plads",
        "{path}: cannot write ({reason}); check the folder and free space",
    ),
    "err.export_folder": (
        "{path}: mappen findes ikke; vælg en, der findes",
        "{path}: no such folder; choose an existing one",
    ),
    "err.unexpected": ("uventet fejl: {what}", "unexpected error: {what}"),
}


# Textual's own binding descriptions and palette commands (scrolling, focus, editing in
# an input, picking from a list), in English in Textual. The desk's `?` help and command
# palette list them beside the desk's own keys, so a Danish desk says them in Danish.
TEXT |= FORMS
TEXT |= TEAM

TEXTUAL_DA: dict[str, str] = {
    # scrolling (lists, the case view) and focus
    "Scroll Up": "Rul op",
    "Scroll Down": "Rul ned",
    "Scroll Left": "Rul til venstre",
    "Scroll Right": "Rul til højre",
    "Scroll Home": "Rul til toppen",
    "Scroll End": "Rul til bunden",
    "Page Up": "Side op",
    "Page Down": "Side ned",
    "Page Left": "Side til venstre",
    "Page Right": "Side til højre",
    "Focus Next": "Næste felt",
    "Focus Previous": "Forrige felt",
    "Copy selected text": "Kopiér den markerede tekst",
    "Quit": "Afslut",
    # option lists and drop-downs (search results, dialogs)
    "Up": "Op",
    "Down": "Ned",
    "First": "Første",
    "Last": "Sidste",
    "Select": "Vælg",
    "Show menu": "Vis listen",
    "Dismiss menu": "Luk listen",
    # text fields
    "Move cursor left": "Flyt markøren til venstre",
    "Move cursor left and select": "Flyt markøren til venstre og markér",
    "Move cursor left a word": "Flyt markøren et ord til venstre",
    "Move cursor left a word and select": "Flyt markøren et ord til venstre og markér",
    "Move cursor right or accept the completion suggestion": "Flyt markøren til højre eller tag forslaget",
    "Move cursor right and select": "Flyt markøren til højre og markér",
    "Move cursor right a word": "Flyt markøren et ord til højre",
    "Move cursor right a word and select": "Flyt markøren et ord til højre og markér",
    "Go to start": "Gå til starten",
    "Go to end": "Gå til slutningen",
    "Select line start": "Markér til starten",
    "Select line end": "Markér til slutningen",
    "Select all": "Markér alt",
    "Delete character left": "Slet tegnet til venstre",
    "Delete character right": "Slet tegnet til højre",
    "Delete left to start of word": "Slet til ordets start",
    "Delete right to start of word": "Slet til næste ords start",
    "Delete all to the left": "Slet alt til venstre",
    "Delete all to the right": "Slet alt til højre",
    "Cut selected text": "Klip den markerede tekst",
    "Paste text from the clipboard": "Indsæt fra udklipsholderen",
    "Submit": "Indsend",
    "Toggle": "Slå til/fra",
    "Press button": "Tryk på knappen",
    # the command palette's own key (ctrl+p) and its system commands
    "palette": "Kommandopalet",
    "Open the command palette": "Åbn kommandopaletten",
    "Theme": "Tema",
    "Change the current theme": "Skift farvetema",
    "Quit the application as soon as possible": "Luk borgerdesk",
    "Maximize": "Maksimér",
    "Maximize the focused widget": "Vis det valgte felt i fuld størrelse",
    "Minimize": "Minimér",
    "Minimize the widget and restore to normal size": "Vis feltet i normal størrelse igen",
    "Screenshot": "Skærmbillede",
    "Save an SVG 'screenshot' of the current screen": "Gem et SVG-billede af skærmen",
}


def textual_text(english: str) -> str:
    """One of Textual's own (English) texts in the UI language; other text unchanged."""
    return TEXTUAL_DA.get(english, english) if _LANG == "da" else english


def set_language(lang: str) -> None:
    global _LANG
    _LANG = "en" if lang == "en" else "da"


def language() -> str:
    return _LANG


def t(key: str, **fmt: Any) -> str:
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if _LANG == "en" else pair[0]
    return text.format(**fmt) if fmt else text


def t_or(key: str, fallback: str) -> str:
    """The text for `key` in the UI language, or `fallback` (e.g. a stored value as it
    is) when there is none: a kind or field the texts do not know yet still shows."""
    return t(key) if key in TEXT else fallback


def _change_words(params: dict[str, Any]) -> None:
    """A stale-edit refusal's "what" and "when" as the UI says them: the audit action
    and field in words ("classify category" -> "klassificering Kategori"), the time day
    first."""
    what = params.get("what")
    if isinstance(what, str) and what != "?":
        action, _, rest = what.partition(" ")
        words = [t_or(f"what.{action}", action)]
        if rest:
            words.append(t_or(f"f.{rest}", rest))
        params["what"] = " ".join(words)
    when = params.get("when")
    if isinstance(when, str) and len(when) == 19 and when[4] == "-":
        params["when"] = f"{when[8:10]}-{when[5:7]}-{when[:4]} {when[11:16]}"


def error_text(e: BaseException) -> str:
    """What the desk says about a failed action, in the UI's language: a coded
    `UserError` through its `err.<code>` text (field names translated), any other
    `UserError` by its own (English) line, anything else as unexpected."""
    from store.errors import UserError, one_line

    if isinstance(e, UserError):
        key = f"err.{e.code}"
        if e.code and key in TEXT:
            params = dict(e.params)
            field = params.get("field")
            if isinstance(field, str):
                params["field"] = t(f"f.{field}")
            _change_words(params)
            return t(key, **params)
        return str(e)
    return t("err.unexpected", what=one_line(e))
