"""Texts of the day's forms and corrections (new case, new contact, classification,
party, move/unlink/undismiss), Danish first, English second. Kept apart from
`tui.i18n` (which merges them into its table) so neither file grows past a screenful
of screens; `tui.i18n.t` is still the one way to read them."""

from __future__ import annotations

FORMS: dict[str, tuple[str, str]] = {
    # keys
    "b.new_contact": ("Ny henvendelse", "New contact"),
    "b.new_contact.tip": (
        "Registrér en henvendelse i hånden: åben rådgivning, møde, hjemmebesøg, brev, opkald",
        "Register a contact by hand: walk-in, meeting, home visit, letter, call",
    ),
    "b.dismissed": ("Ikke sager", "Not cases"),
    "b.dismissed.tip": (
        "Vis henvendelser markeret 'ikke en sag' (og fortryd)",
        "Show contacts marked 'not a case' (and undo)",
    ),
    "b.triage_filter": ("Filter", "Filter"),
    "b.triage_filter.tip": (
        "Skift mellem alt, kun dem der skal besvares, og uden udgående "
        "og besvarede opkald (huskes)",
        "Cycle everything, only those "
        "owing a reply, and without outbound and answered calls "
        "(remembered)",
    ),
    "b.undismiss": ("Fortryd", "Undo"),
    "b.undismiss.tip": (
        "Fortryd 'ikke en sag': henvendelsen går tilbage til indbakken",
        "Undo 'not a case': the contact goes back to the inbox",
    ),
    "b.move": ("Flyt", "Move"),
    "b.move.tip": (
        "Flyt en af sagens henvendelser til en anden sag",
        "Move one of the case's contacts to another case",
    ),
    "b.unlink": ("Fjern", "Unlink"),
    "b.unlink.tip": (
        "Tag en henvendelse ud af sagen, tilbage til indbakken",
        "Take a contact out of the case, back to the inbox",
    ),
    "b.party": ("Borger", "Party"),
    "b.party.tip": (
        "Ret borgerens navn, type, mails og numre; sammenlæg dubletter",
        "Edit the party's name, kind, mails and numbers; merge duplicates",
    ),
    "b.merge": ("Sammenlæg", "Merge"),
    "b.merge.tip": (
        "Læg den markerede dublet sammen med denne borger",
        "Merge the highlighted duplicate into this party",
    ),
    "b.sort": ("Sortér", "Sort"),
    "b.sort.tip": (
        "Sortér efter oprettet, næste frist eller seneste aktivitet",
        "Sort by opened, next deadline or last activity",
    ),
    # the forms
    "dlg.form_hint": (
        "Enter: næste felt · {save}: gem · {cancel}: fortryd",
        "Enter: next field · {save}: save · {cancel}: cancel",
    ),
    "dlg.new.party_hint": ("Borgerens navn", "The party's name"),
    "dlg.new.opened": ("Oprettet", "Opened"),
    "dlg.new.unclassified": (
        "Ingen afdeling eller kategori: sagen tæller som 'Uden kategori' i statistikken. "
        "Vælg dem, eller tryk gem igen for at oprette den alligevel.",
        "No department or category: the case counts as 'Uncategorised' in the statistics. "
        "Choose them, or save again to open it anyway.",
    ),
    "dlg.contact.title": ("Ny henvendelse", "New contact"),
    "dlg.contact.channel": ("Kanal", "Channel"),
    "dlg.contact.direction": ("Retning", "Direction"),
    "dlg.contact.when": ("Tidspunkt", "When"),
    "dlg.contact.summary": ("Indhold", "Summary"),
    "dlg.contact.party": ("Borger", "Party"),
    "dlg.contact.party_hint": (
        "Søg navn, mail eller telefon – eller skriv et nyt navn",
        "Search name, mail or phone – or type a new name",
    ),
    "dlg.contact.no_party": ("» ingen borger (anonym)", "» no party (anonymous)"),
    "dlg.contact.party_is": ("» {name}", "» {name}"),
    "dlg.contact.party_new": ("» ny borger: {name}", "» new party: {name}"),
    "dlg.contact.new_party": ("Ny borger: {name}", "New party: {name}"),
    "dlg.contact.new_kind": ("Ny borgers type", "New party's kind"),
    "dlg.contact.new_email": ("Ny borgers mail", "New party's mail"),
    "dlg.contact.new_phone": ("Ny borgers tlf.", "New party's phone"),
    "dlg.contact.file_to": ("Læg den i", "File it into"),
    "fileto.triage": ("indbakken (afgør senere)", "the inbox (decide later)"),
    "fileto.case": ("en eksisterende sag", "an existing case"),
    "fileto.new_case": ("en ny sag", "a new case"),
    "dlg.close.title": ("Luk sagen", "Close the case"),
    "dlg.close.outcome_needed": (
        "Handlingen har udfald: vælg et før sagen lukkes",
        "The action has outcomes: choose one before closing",
    ),
    "dlg.party.title": ("Borger {ref}", "Party {ref}"),
    "dlg.party.name": ("Navn", "Name"),
    "dlg.party.kind": ("Type", "Kind"),
    "dlg.party.emails": ("Mails", "Mails"),
    "dlg.party.phones": ("Telefoner", "Phones"),
    "dlg.party.counts": (
        "{cases} sag(er), {contacts} henvendelse(r)",
        "{cases} case(s), {contacts} contact(s)",
    ),
    "dlg.party.duplicates": (
        "Mulige dubletter (ctrl+g: sammenlæg)",
        "Likely duplicates (ctrl+g: merge)",
    ),
    "dlg.party.no_duplicates": ("Ingen mulige dubletter", "No likely duplicates"),
    "dup.phone": ("samme telefon", "same phone"),
    "dup.name": ("samme navn", "same name"),
    "dlg.ack.title": ("Notér kvittering ({n})", "Log acknowledgement ({n})"),
    "dlg.ack.note": ("Note", "Note"),
    "dlg.manual.direction_key": ("ctrl+o skifter", "ctrl+o switches"),
    "dlg.move.pick": ("Hvilken henvendelse skal flyttes?", "Which contact moves?"),
    "dlg.reply.pick": ("Hvilken henvendelse skal besvares?", "Which contact gets the reply?"),
    "dlg.unlink.pick": ("Hvilken henvendelse skal ud af sagen?", "Which contact leaves the case?"),
    "dlg.closed.title": ("Sagen {ref} er lukket", "Case {ref} is closed"),
    "dlg.closed.reopen": ("genåbn sagen og tilknyt", "reopen the case and link"),
    "dlg.closed.link": (
        "tilknyt alligevel (sagen forbliver lukket)",
        "link anyway (the case stays closed)",
    ),
    "dlg.related.title": (
        "Flere ventende henvendelser hører måske til {ref}",
        "More waiting contacts may belong to {ref}",
    ),
    "dlg.related.body": (
        "{n} ventende fra samme afsender eller mailtråd:\n{lines}",
        "{n} waiting from the same sender or mail thread:\n{lines}",
    ),
    "dlg.related.link": ("tilknyt dem alle til {ref}", "link them all to {ref}"),
    "dlg.address.title": ("Ny adresse til borgeren", "A new address for the party"),
    "dlg.address.body": (
        "{address} kendes ikke hos borgeren. Tilføjes den, genkendes senere post derfra.",
        "{address} is not the party's yet. Added, later mail from it is recognised.",
    ),
    "dlg.address.add": ("tilføj {address}", "add {address}"),
    "dlg.merge.title": ("Sammenlæg borgere", "Merge parties"),
    "dlg.merge.body": (
        "{other} lægges sammen med {keep}: adresser, numre, henvendelser og "
        "sager flyttes; intet slettes.",
        "{other} is merged into {keep}: "
        "addresses, numbers, contacts and cases move; nothing is deleted.",
    ),
    "dlg.merge.yes": ("sammenlæg", "merge"),
    "dlg.unlink.yes": ("tag henvendelsen ud af sagen", "take the contact out of the case"),
    "dlg.unlink.title": ("Tilbage til indbakken?", "Back to the inbox?"),
    # lists
    "screen.dismissed": ("Ikke sager", "Not cases"),
    "col.reason": ("Begrundelse", "Reason"),
    "col.next_due": ("Næste frist", "Next due"),
    "col.activity": ("Seneste", "Latest"),
    "empty.dismissed": (
        "Ingen henvendelser er markeret 'ikke en sag'",
        "No contacts are marked 'not a case'",
    ),
    "tfilter.everything": ("alt", "everything"),
    "tfilter.owes_reply": ("kun dem der skal besvares", "only those owing a reply"),
    "tfilter.hide_outbound_answered": (
        "uden udgående og besvarede opkald",
        "without outbound and answered calls",
    ),
    "sort.opened": ("oprettet", "opened"),
    "sort.next_due": ("næste frist", "next due"),
    "sort.last_activity": ("seneste aktivitet", "latest activity"),
    "n.sorted": ("Sorteret efter {by}", "Sorted by {by}"),
    "n.tfilter": ("Indbakke: {name}", "Inbox: {name}"),
    # notifications
    "n.contact_added": ("Henvendelse registreret", "Contact registered"),
    "n.contact_added_case": ("Henvendelse registreret i {ref}", "Contact registered in {ref}"),
    "n.moved": ("Henvendelsen er flyttet til {ref}", "The contact moved to {ref}"),
    "n.unlinked": (
        "Henvendelsen er taget ud af {ref} og ligger i indbakken",
        "The contact left {ref} and waits in the inbox",
    ),
    "n.undismissed": ("{n} tilbage i indbakken", "{n} back in the inbox"),
    "n.merged": (
        "Borgerne er lagt sammen ({contacts} henvendelser, {cases} sager flyttet)",
        "The parties are merged ({contacts} contacts, {cases} cases moved)",
    ),
    "n.no_deadline": (
        "Ingen svarfrist at kvittere for: henvendelsen har ingen åben frist",
        "No reply target to acknowledge: the contact has no open deadline",
    ),
    "n.acked_some": (
        "{n} svarfrist(er) kvitteret; {none} uden frist",
        "{n} reply target(s) acknowledged; {none} without a deadline",
    ),
    "n.reopened_linked": (
        "Sagen {ref} er genåbnet; {n} henvendelse(r) tilknyttet",
        "Case {ref} reopened; {n} contact(s) linked",
    ),
    "n.closed": ("Sagen er lukket", "The case is closed"),
    "n.reopened": ("Sagen er genåbnet", "The case is reopened"),
    # Statistik
    "stats.none": ("Uden kategori", "Uncategorised"),
    "stats.unclassified": (
        "{n} uden kategori i denne tabel: ret dem i Sager før rapporten",
        "{n} uncategorised in this table: fix them in Cases before reporting",
    ),
    # header
    "hdr.overdue": ("Overskredet: {n}", "Overdue: {n}"),
    "hdr.daemon_late": (
        "synkronisering kører ikke (sidst {when})",
        "sync is not running (last {when})",
    ),
    "hdr.daemon_never": ("synkronisering har ikke kørt", "sync has not run"),
    # case history events
    "ev.created": ("oprettet", "opened"),
    "ev.linked": ("henvendelse tilknyttet", "contact linked"),
    "ev.moved_in": ("henvendelse flyttet hertil fra {ref}", "contact moved here from {ref}"),
    "ev.moved_out": ("henvendelse flyttet til {ref}", "contact moved to {ref}"),
    "ev.unlinked": ("henvendelse taget ud", "contact unlinked"),
    "ev.party_merged": ("borger lagt sammen", "party merged"),
    "ev.classified": ("klassificeret", "classified"),
    "ev.edited": ("rettet", "edited"),
    "ev.closed": ("lukket", "closed"),
    "ev.reopened": ("genåbnet", "reopened"),
    "f.when": ("Tidspunkt", "When"),
    "f.from": ("Fra", "From"),
    "f.to": ("Til", "To"),
    "f.classification": ("Klassifikation", "Classification"),
    # errors from the store (UserError codes)
    "err.case_closed": (
        "Sagen {ref} er lukket ({closed_on}); genåbn den eller tilknyt alligevel",
        "Case {ref} is closed ({closed_on}); reopen it or link anyway",
    ),
    "err.bad_date": (
        "{field}: '{value}' er ikke en dato; skriv DD-MM-ÅÅÅÅ",
        "{field}: '{value}' is not a date; write DD-MM-YYYY",
    ),
    "err.bad_moment": (
        "{field}: '{value}' er ikke et tidspunkt; skriv DD-MM-ÅÅÅÅ TT:MM",
        "{field}: '{value}' is not a time; write DD-MM-YYYY HH:MM",
    ),
    "err.expected_past": (
        "Den forventede dato {expected} ligger før i dag; vælg en dato fra i dag",
        "The expected date {expected} is before today; pick a date from today on",
    ),
    "err.contact_in_future": (
        "Tidspunktet {when} ligger i fremtiden; skriv hvornår henvendelsen fandt sted",
        "The time {when} is in the future; give when the contact happened",
    ),
    "err.party_name_empty": ("Borgeren skal have et navn", "The party needs a name"),
    "err.merge_self": (
        "En borger kan ikke lægges sammen med sig selv",
        "A party cannot be merged with itself",
    ),
    "err.contact_not_linked": ("Henvendelsen ligger ikke i en sag", "The contact is not in a case"),
    "err.contact_already_there": (
        "Henvendelsen ligger allerede i {ref}",
        "The contact is already in {ref}",
    ),
    "err.party_name_long": (
        "Navnet er {length} tegn; højst {limit}",
        "The name is {length} characters; at most {limit}",
    ),
    "err.contact_not_dismissed": (
        "Henvendelsen er ikke markeret 'ikke en sag'",
        "The contact is not marked 'not a case'",
    ),
    "err.bad_address": (
        "'{value}' er hverken en mail eller et telefonnummer",
        "'{value}' is neither a mail nor a phone number",
    ),
    "err.address_taken": (
        "'{value}' hører allerede til en anden borger (id {party_id})",
        "'{value}' already belongs to another party (id {party_id})",
    ),
    "err.no_party": ("Borgeren (id {party_id}) findes ikke længere", "No party with id {party_id}"),
    "err.no_case_given": ("Vælg en sag", "Choose a case"),
    "err.merge_refs": (
        "Begge borgere har et borgernummer ({keep} og {other}); ret det i "
        "registret og importér igen",
        "Both parties have a ref ({keep} and {other}); fix it in the register and import it again",
    ),
    "err.party_anonymised": (
        "Borgeren (id {party_id}) er anonymiseret og kan ikke rettes",
        "The party (id {party_id}) is anonymised and cannot be edited",
    ),
    "err.party_whistleblower": (
        "Borgeren (id {party_id}) hører til en whistleblowersag og kan ikke lægges sammen",
        "The party (id {party_id}) belongs to a whistleblower case and cannot be merged",
    ),
    "err.party_kind": (
        "Ukendt borgertype '{value}'; vælg en af {allowed}",
        "Unknown party kind '{value}'; choose one of {allowed}",
    ),
    "err.party_twice": (
        "Vælg en eksisterende borger eller en ny, ikke begge",
        "Give an existing party or a new one, not both",
    ),
    # Statistik: compare with the previous period, the annual report
    "b.compare": ("Sammenlign", "Compare"),
    "b.compare.tip": (
        "Vis/skjul ændringen mod forrige periode af samme længde",
        "Show/hide the change against the previous period of equal length",
    ),
    "b.annual": ("Årsrapport", "Annual report"),
    "b.annual.tip": (
        "Gem årsrapporten for perioden som .docx eller .html",
        "Save the period's annual report as .docx or .html",
    ),
    "stats.compare_col": ("Ændring", "Change"),
    "stats.compare_head": (
        "Sammenlignet med {previous} (forrige periode)",
        "Compared with {previous} (the previous period)",
    ),
    "stats.only_before": ("Kun i forrige periode: {rows}", "Only in the previous period: {rows}"),
    "dlg.annual.title": (
        "Årsrapport til fil (.docx eller .html)",
        "Annual report to file (.docx or .html)",
    ),
    "err.output_suffix": (
        "{path}: filnavnet skal ende på en af: {suffixes}",
        "{path}: the file name must end in one of: {suffixes}",
    ),
    # the whistleblower register's facts (counted in the annual report)
    "b.wb_facts": ("Oplysninger", "Facts"),
    "b.wb_facts.tip": (
        "Ret sagens oplysninger til årsrapporten: omfattet, videresendt, "
        "undersøgt, udfald (logges)",
        "Edit the case's facts for the annual "
        "report: in scope, forwarded, examined, outcome (logged)",
    ),
    "dlg.wb_facts.title": ("Oplysninger om {ref}", "Facts of {ref}"),
    "wb.in_scope": ("Omfattet af ordningen", "Within the scheme's scope"),
    "wb.forwarded": ("Videresendt til anden myndighed", "Forwarded to another body"),
    "wb.examined": ("Undersøgt", "Examined"),
    "wb.outcome": ("Udfald", "Outcome"),
    "wb.unknown": ("Ikke vurderet", "Not assessed"),
    "wb.yes": ("Ja", "Yes"),
    "wb.no": ("Nej", "No"),
    "wb.outcome.none": ("Intet udfald endnu", "No outcome yet"),
    "wb.outcome.dismissed": ("Afvist", "Dismissed"),
    "wb.outcome.criticism": ("Kritik", "Criticism"),
    "wb.outcome.police": ("Politianmeldt", "Reported to the police"),
    "err.wb_case": (
        "Sagen (id {case_id}) er ikke en whistleblowersag",
        "Case {case_id} is not a whistleblower case",
    ),
    "err.wb_outcome": ("Ukendt udfald '{outcome}'", "Unknown outcome '{outcome}'"),
}
