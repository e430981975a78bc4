"""The sentences the CLI says to a person, in the UI language (config `language`, Danish
unless set to English), like the desk's own texts in tui/i18n.py. Error lines stay English
(store/errors.py): they go to logs and support as well."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import typer

from borgerdesk.context import AppContext
from store.timeutil import show

Lang = Literal["da", "en"]

TEXTS: dict[str, dict[Lang, str]] = {
    "init.preset": {"da": "Forudindstilling ({choices})", "en": "Preset ({choices})"},
    "init.domains": {
        "da": "Interne maildomæner (kolleger; adskilt med komma)",
        "en": "Internal mail domains (colleagues; comma-separated)",
    },
    "init.host": {
        "da": "Postkassens IMAP-server (tom: ingen postkasse nu)",
        "en": "Mailbox IMAP host (empty: no mailbox now)",
    },
    "init.account": {"da": "Et kort navn til postkassen", "en": "A short name for this mailbox"},
    "init.user": {
        "da": "Postkassens brugernavn (som regel mailadressen)",
        "en": "Mailbox user name (usually the e-mail address)",
    },
    "init.m365": {
        "da": "Er det Microsoft 365 (login med OAuth2)?",
        "en": "Is this Microsoft 365 (OAuth2 sign-in)?",
    },
    "init.tenant": {
        "da": "Microsoft 365-tenant-id (Directory ID: en GUID eller fx kommune.onmicrosoft.com)",
        "en": "Microsoft 365 tenant id (Directory ID: a GUID or e.g. kommune.onmicrosoft.com)",
    },
    "init.tenant_bad": {
        "da": "{value!r} er ikke et tenant-id: skriv Directory ID (en GUID som "
        "00000000-0000-0000-0000-000000000000) eller et domæne som kommune.onmicrosoft.com",
        "en": "{value!r} is not a tenant id: give the Directory ID (a GUID like "
        "00000000-0000-0000-0000-000000000000) or a domain like kommune.onmicrosoft.com",
    },
    "init.client": {
        "da": "App-registreringens klient-id (Application ID, en GUID)",
        "en": "App registration client id (Application ID, a GUID)",
    },
    "init.client_bad": {
        "da": "{value!r} er ikke et klient-id: skriv app-registreringens Application ID, en "
        "GUID som 00000000-0000-0000-0000-000000000000",
        "en": "{value!r} is not a client id: give the app registration's Application ID, a "
        "GUID like 00000000-0000-0000-0000-000000000000",
    },
    "init.unattended": {
        "da": "Skal en dæmon uden opsyn læse postkassen (kun app, client credentials)?",
        "en": "Will an unattended daemon read the mailbox (app-only, client credentials)?",
    },
    "init.password": {
        "da": "Postkassens adgangskode (gemmes i styresystemets nøglering)",
        "en": "Mailbox password (stored in the OS keyring)",
    },
    "init.password_keyring": {
        "da": "adgangskoden er gemt i styresystemets nøglering",
        "en": "password stored in the OS keyring",
    },
    "init.password_file": {
        "da": "ingen nøglering her: adgangskoden er gemt i {path} (kun læsbar for dig, 0600)",
        "en": "no OS keyring here: password stored in {path} (mode 0600)",
    },
    "init.inbox": {
        "da": "Mappe hvor telefonlog-eksporter lægges (tom: ingen)",
        "en": "Folder where phone-log exports are dropped (empty: none)",
    },
    "init.own_upns": {
        "da": "Din egen Teams-linje: din UPN, fx br@kommune.dk (adskilt med komma; tom: ingen)",
        "en": "Your own Teams line: your UPN, e.g. br@kommune.dk (comma-separated; empty: none)",
    },
    "init.own_extensions": {
        "da": "Dit lokalnummer i CUCM (adskilt med komma; tom: intet)",
        "en": "Your CUCM extension (comma-separated; empty: none)",
    },
    "init.own_numbers": {
        "da": "Dine egne telefonnumre, fx +4559665000 (adskilt med komma; tom: ingen)",
        "en": "Your own phone numbers, e.g. +4559665000 (comma-separated; empty: none)",
    },
    "init.no_own_line": {
        "da": "bemærk: uden din egen linje afvises en Teams-eksport; tilføj phone.own_upns, "
        "phone.own_extensions eller phone.own_numbers i {path}",
        "en": "note: without your own line a Teams export is refused; add phone.own_upns, "
        "phone.own_extensions or phone.own_numbers in {path}",
    },
    "init.wrote": {
        "da": "skrev {path} (forudindstilling {preset})",
        "en": "wrote {path} (preset {preset})",
    },
    "init.test_now": {
        "da": "Test forbindelsen til postkassen nu?",
        "en": "Test the mailbox connection now?",
    },
    "init.next": {"da": "Næste skridt:", "en": "Next:"},
    "init.next.db": {
        "da": "opret databasen",
        "en": "create the database",
    },
    "init.next.login": {
        "da": "log ind på Microsoft 365 én gang",
        "en": "sign in to Microsoft 365 once",
    },
    "init.next.mail_test": {
        "da": "test postkassen",
        "en": "test the mailbox",
    },
    "init.next.doctor": {
        "da": "kontrollér hele opsætningen",
        "en": "check the whole set-up",
    },
    "status.columns": {
        "da": "kilde|type|mappe|gemt|ulæselige|for store|sidst gennemført|sidste fejl|fejl i "
        "træk|næste kørsel",
        "en": "source|kind|folder|stored|unreadable|too large|last success|last error|"
        "failures|next run",
    },
    "status.never": {"da": "aldrig", "en": "never"},
    "status.no_sources": {
        "da": "ingen kilder har kørt endnu; kør 'borgerdesk sync'",
        "en": "no sources have run yet; run 'borgerdesk sync'",
    },
    "status.contacts": {
        "da": "kontakter: {total}, venter i indbakken: {waiting} (tæller ingen steder før de "
        "er knyttet til en sag)",
        "en": "contacts: {total}, waiting in triage: {waiting} (counted nowhere until linked "
        "to a case)",
    },
    "status.alerts": {"da": "åbne varsler: {n}", "en": "open alerts: {n}"},
    "contact.in_case": {"da": "sag {ref}", "en": "case {ref}"},
    "contact.in_triage": {"da": "indbakken", "en": "triage"},
    "contact.added": {
        "da": "henvendelse {id} registreret ({when}), i {where}",
        "en": "contact {id} registered ({when}), in {where}",
    },
    "contact.dismissed": {"da": "henvendelse {id}: ikke en sag", "en": "contact {id}: not a case"},
    "contact.undismissed": {
        "da": "henvendelse {id}: tilbage i indbakken",
        "en": "contact {id}: back in triage",
    },
    "contact.moved": {
        "da": "henvendelse {id}: flyttet til sag {ref}",
        "en": "contact {id}: moved to case {ref}",
    },
    "contact.unlinked": {
        "da": "henvendelse {id}: taget ud af sag {ref}, tilbage i indbakken",
        "en": "contact {id}: taken out of case {ref}, back in triage",
    },
    "contact.none_dismissed": {
        "da": "ingen henvendelser er markeret 'ikke en sag'",
        "en": "no contacts are marked 'not a case'",
    },
    "more": {"da": "... {n} mere (--limit)", "en": "... {n} more (--limit)"},
    "followups.stale": {
        "da": "bemærk: [replies] er ændret siden svarfristerne blev beregnet; dæmonen "
        "beregner dem igen ved næste runde, eller kør: borgerdesk replies recompute",
        "en": "note: [replies] changed since the due times were computed; the daemon "
        "recomputes them on its next round, or run: borgerdesk replies recompute",
    },
    "followups.none": {
        "da": "ingen svarfrister med status {status}",
        "en": "no reply targets with status {status}",
    },
    "followups.due": {"da": "frist {when}", "en": "due {when}"},
    "followups.triage": {"da": "indbakke", "en": "triage"},
    "target.pending": {"da": "afventer", "en": "pending"},
    "target.due_soon": {"da": "snart", "en": "due_soon"},
    "target.overdue": {"da": "overskredet", "en": "overdue"},
    "target.met": {"da": "besvaret", "en": "met"},
    "target.met_late": {"da": "besvaret sent", "en": "met_late"},
    "target.waived": {"da": "intet svar", "en": "waived"},
    "ack.done": {
        "da": "henvendelse {id}: {n} svarfrist(er) kvitteret ({rules})",
        "en": "contact {id}: {n} reply target(s) met ({rules})",
    },
    "no_reply.done": {
        "da": "henvendelse {id}: {n} svarfrist(er) markeret 'intet svar'",
        "en": "contact {id}: {n} reply target(s) waived",
    },
    "recompute.done": {
        "da": "{scanned} svarfrist(er) beregnet igen; {changed} frist(er) ændret",
        "en": "recomputed {scanned} reply target(s); {changed} due time(s) changed",
    },
    "recompute.orphaned": {
        "da": "bemærk: {n} svarfrist(er) efter reglen {rule!r}, som ikke længere findes i "
        "opsætningen, er ladt som de er",
        "en": "note: {n} target(s) of rule {rule!r}, which is no longer configured, were "
        "left as they are",
    },
    "wrote": {"da": "skrev {path}", "en": "wrote {path}"},
    "privacy.wal_note": {
        "da": "bemærk: oplysningerne er væk, men gamle kopier ligger i databasens -wal-fil, "
        "så længe dæmonen eller skrivebordet læser den; de forsvinder ved næste checkpoint, "
        "eller når den sidste af dem stopper",
        "en": "note: the records are gone, but old copies stay in the database's -wal file "
        "while the daemon or the desk reads it; they go at its next checkpoint, or when the "
        "last of them stops",
    },
    "purge.off": {
        "da": "opbevaringstider er ikke sat op ([retention] i opsætningen); intet slettet",
        "en": "retention is not configured ([retention] in the config); nothing purged",
    },
    "purge.would_case": {
        "da": "ville slette sag {ref}  {kind:13} lukket {closed}",
        "en": "would purge case {ref}  {kind:13} closed {closed}",
    },
    "purge.would": {"da": "ville fjerne", "en": "would remove"},
    "purge.did": {"da": "fjernet", "en": "removed"},
    "purge.summary": {
        "da": "{verb}: {cases} sag(er), {contacts} henvendelse(r) ({unlinked} uden sag), "
        "{messages} mail(s), {calls} opkald, {notes} notat(er), {reporters} "
        "indberetteridentitet(er), {anonymised} part(er) anonymiseret, {deleted} slettet, "
        "{audit} logpost(er), {logs} importlog(s) renset for værdier fra sprungne rækker",
        "en": "{verb}: {cases} case(s), {contacts} contact(s) ({unlinked} unlinked), "
        "{messages} message(s), {calls} call record(s), {notes} note(s), {reporters} "
        "reporter identit(ies), {anonymised} part(ies) anonymised, {deleted} deleted, "
        "{audit} audit entr(ies), {logs} import log(s) cleared of skipped-row values",
    },
    "purge.cutoff": {
        "da": "{kind} lukket {day} eller før",
        "en": "{kind} closed on or before {day}",
    },
    "purge.cutoffs": {"da": "skæringsdatoer: {cut}", "en": "cut-offs: {cut}"},
    "privacy.party": {"da": "part {id}", "en": "party {id}"},
    "export.done": {
        "da": "eksporterede {who} til {path}: {cases} sag(er), {contacts} henvendelse(r), "
        "{messages} mail(s) ({eml} .eml), {calls} opkald",
        "en": "exported {who} to {path}: {cases} case(s), {contacts} contact(s), "
        "{messages} message(s) ({eml} .eml), {calls} call record(s)",
    },
    "erase.plan": {
        "da": "{who}: {cases} sag(er), {contacts} henvendelse(r), {messages} mail(s), "
        "{calls} opkald, {notes} notat(er) mister deres persondata; de anonyme tal bliver",
        "en": "{who}: {cases} case(s), {contacts} contact(s), {messages} message(s), "
        "{calls} call record(s), {notes} note(s) will lose their personal data; the "
        "anonymous counts stay",
    },
    "erase.ask": {
        "da": "Slet persondata for {who}? Det kan ikke fortrydes",
        "en": "Erase {who}? This cannot be undone",
    },
    "erase.cancelled": {
        "da": "sletning afbrudt; intet er ændret",
        "en": "erasure cancelled; nothing was changed",
    },
    "erase.done": {
        "da": "slettede persondata for {who}: {contacts} henvendelse(r), {messages} mail(s), "
        "{calls} opkald; {anonymised} part(er) anonymiseret",
        "en": "erased {who}: {contacts} contact(s), {messages} message(s), {calls} call "
        "record(s); {anonymised} part(ies) anonymised",
    },
    "audit.columns": {
        "da": "tid (København)|bruger|handling|objekt|detaljer",
        "en": "time (Copenhagen)|user|action|entity|detail",
    },
    "backup.done": {
        "da": "sikkerhedskopi skrevet til {path} ({size} byte, migration {revision}, "
        "{seconds} s); opbevar den lige så sikkert som databasen (den indeholder persondata)",
        "en": "backup written to {path} ({size} bytes, migration {revision}, {seconds} s); "
        "keep it as safe as the database (it holds personal data)",
    },
    "restore.ask": {
        "da": "Erstat databasen med {path}?",
        "en": "Replace the database with {path}?",
    },
    "restore.cancelled": {
        "da": "gendannelse afbrudt; intet er ændret",
        "en": "restore cancelled; nothing was changed",
    },
    "restore.migrated": {"da": "; migreret fra {rev}", "en": "; migrated from {rev}"},
    "restore.kept": {
        "da": "; den tidligere database er gemt som {path}",
        "en": "; the previous database is kept as {path}",
    },
    "restore.done": {
        "da": "gendannede {src} til {path} (migration {revision}{note}){kept}",
        "en": "restored {src} into {path} (migration {revision}{note}){kept}",
    },
    "register.already": {
        "da": "{file}: allerede importeret; intet tilføjet",
        "en": "{file}: already imported; nothing added",
    },
    "register.taxonomy": {
        "da": "tilføjede {n} værdi(er) til taksonomien i {path}",
        "en": "added {n} taxonomy value(s) to {path}",
    },
    "register.would": {"da": "ville tilføje", "en": "would add"},
    "register.did": {"da": "tilføjede", "en": "added"},
    "register.summary": {
        "da": "{file}: {rows} række(r); {verb} {cases} sag(er), {contacts} henvendelse(r), "
        "{parties} part(er)",
        "en": "{file}: {rows} rows; {verb} {cases} case(s), {contacts} contact(s), "
        "{parties} part(y/ies)",
    },
    "register.wrote": {"da": "skrev {n} række(r) til {path}", "en": "wrote {n} row(s) to {path}"},
    "db.upgraded": {"da": "databasen er på migration {rev}", "en": "database at migration {rev}"},
    "db.current": {"da": "database: {rev}; kode: {head}", "en": "database: {rev}; code: {head}"},
    "db.not_set_up": {"da": "ikke sat op", "en": "not set up"},
    "doctor.ok": {"da": "OK", "en": "OK"},
    "doctor.fail": {"da": "FEJL", "en": "FAIL"},
    "doctor.note": {"da": "NB", "en": "NOTE"},
    "doctor.config": {"da": "opsætning", "en": "config"},
    "doctor.no_file": {
        "da": "ingen fil: den indbyggede odsherred-forudindstilling",
        "en": "no file: the embedded odsherred preset",
    },
    "doctor.config_ok": {"da": "{where}; {n} postkasse(r)", "en": "{where}; {n} mailbox(es)"},
    "doctor.database": {"da": "database", "en": "database"},
    "doctor.damaged": {
        "da": "{url} er beskadiget (PRAGMA quick_check: {pages}); gendan den seneste "
        "sikkerhedskopi ('borgerdesk restore FIL')",
        "en": "{url} is damaged (PRAGMA quick_check: {pages}); restore the last backup "
        "('borgerdesk restore FILE')",
    },
    "doctor.db_ok": {"da": "{url} på migration {head}", "en": "{url} at migration {head}"},
    "doctor.db_not_set_up": {
        "da": "{url} er ikke sat op; kør 'borgerdesk db upgrade'",
        "en": "{url} is not set up; run 'borgerdesk db upgrade'",
    },
    "doctor.db_old": {
        "da": "{url} på migration {current}, denne version kræver {head}; kør 'borgerdesk db "
        "upgrade' (eller opgradér borgerdesk, hvis databasen er nyere)",
        "en": "{url} at migration {current}, this version needs {head}; run 'borgerdesk db "
        "upgrade' (or upgrade borgerdesk if the database is newer)",
    },
    "doctor.mailbox": {"da": "postkasse {name}", "en": "mailbox {name}"},
    "doctor.mailbox_any": {"da": "postkasse", "en": "mailbox"},
    "doctor.folders_missing": {
        "da": "login OK, men mappe(r) {missing} findes ikke; serveren har: {folders}",
        "en": "login OK, but folder(s) {missing} not found; the server has: {folders}",
    },
    "doctor.login_ok": {
        "da": "login OK; synkroniserer {folders}",
        "en": "login OK; will sync {folders}",
    },
    "doctor.no_accounts": {
        "da": "ingen [[mail.accounts]] sat op",
        "en": "no [[mail.accounts]] configured",
    },
    "doctor.phone_inbox": {"da": "telefonindbakke", "en": "phone inbox"},
    "doctor.no_inbox": {"da": "ingen phone.inbox sat op", "en": "no phone.inbox configured"},
    "doctor.inbox_missing": {
        "da": "{inbox} findes ikke; opret den (mode 0700)",
        "en": "{inbox} does not exist; create it (mode 0700)",
    },
    "doctor.inbox_access": {
        "da": "{inbox}: borgerdesk kan ikke læse og skrive i den",
        "en": "{inbox}: borgerdesk cannot read and write it",
    },
    "doctor.inbox_open": {
        "da": "{inbox} er åben for andre brugere (mode {mode}); kør chmod 700 på den",
        "en": "{inbox} is open to other users (mode {mode}); chmod 700 it",
    },
    "doctor.inbox_ok": {"da": "{inbox} (mode {mode})", "en": "{inbox} (mode {mode})"},
    "doctor.keyring": {"da": "nøglering", "en": "keyring"},
    "doctor.no_keyring": {
        "da": "ingen nøglering i styresystemet: brug password_env eller en password_file "
        "med mode 0600 til hemmeligheder",
        "en": "no OS keyring: use password_env or a 0600 password_file for secrets",
    },
    "doctor.keyring_broken": {"da": "utilgængelig: {error}", "en": "unavailable: {error}"},
    "doctor.daemon": {"da": "dæmon", "en": "daemon"},
    "doctor.no_db": {"da": "ingen database at kontrollere", "en": "no database to check"},
    "doctor.running": {"da": "kører på denne database", "en": "running on this database"},
    "doctor.cannot_tell": {
        "da": "kan ikke afgøres: databasekontrollen siger hvorfor",
        "en": "cannot tell: the database check says why",
    },
    "doctor.not_running": {
        "da": "kører ikke: mail og opkald kommer kun ind med 'borgerdesk daemon' (se "
        "docs/daemon.md)",
        "en": "not running: mail and calls arrive only with 'borgerdesk daemon' (see "
        "docs/daemon.md)",
    },
    "doctor.clock": {"da": "ur", "en": "clock"},
    "doctor.clock_detail": {
        "da": "UTC {utc}, København {local} ({zone}); systemets tidszone {system}",
        "en": "UTC {utc}, Copenhagen {local} ({zone}); system zone {system}",
    },
    "doctor.clock_wrong": {"da": "; uret går forkert", "en": "; the clock is wrong"},
    "calls.already": {
        "da": "{name}: allerede importeret (samme fil); intet at gøre",
        "en": "{name}: already imported (same file); nothing to do",
    },
    "calls.would": {"da": "ville importere", "en": "would import"},
    "calls.did": {"da": "importerede", "en": "imported"},
    "calls.imported": {
        "da": "{verb} {n} opkald ({profile}, {format})",
        "en": "{verb} {n} call(s) ({profile}, {format})",
    },
    "calls.duplicates": {"da": "{n} allerede gemt", "en": "{n} already stored"},
    "calls.other_lines": {
        "da": "{n} på andre linjer sprunget over",
        "en": "{n} on other lines ignored",
    },
    "calls.internal": {
        "da": "{n} interne opkald/kortnumre sprunget over",
        "en": "{n} internal/short-number call(s) ignored",
    },
    "calls.summary_rows": {
        "da": "{n} sumrække(r) sprunget over",
        "en": "{n} summary row(s) ignored",
    },
    "calls.skipped": {
        "da": "{n} fejlbehæftet række(r) sprunget over",
        "en": "{n} bad row(s) skipped",
    },
    "calls.purged": {
        "da": "{n} opkald udeladt (slettet før)",
        "en": "{n} call(s) left out (purged or erased before)",
    },
    "calls.purged_period": {
        "da": "{n} opkald fra før {day} udeladt (den periode er slettet efter opbevaringsreglerne)",
        "en": "{n} call(s) from before {day} left out (that period was purged under the "
        "retention rules)",
    },
    "calls.to_triage": {"da": "{n} til indbakken", "en": "{n} to triage"},
    "reply.sent": {"da": "sendt: {mid}", "en": "sent: {mid}"},
    "reply.queued": {
        "da": "ikke sendt, ligger i udbakken ({err})",
        "en": "not sent, kept in the outbox ({err})",
    },
    "reply.failed": {"da": "afvist: {err}", "en": "refused: {err}"},
    "reply.uncertain": {
        "da": "usikkert om den blev sendt; se Sendt post og afgør med 'borgerdesk outbox "
        "--resend {id}' eller '--was-sent {id}' ({err})",
        "en": "uncertain whether it was sent; check Sent and decide with 'borgerdesk "
        "outbox --resend {id}' or '--was-sent {id}' ({err})",
    },
    "outbox.empty": {"da": "udbakken er tom", "en": "the outbox is empty"},
    "outbox.decided": {"da": "svar {id}: {what}", "en": "reply {id}: {what}"},
    "outbox.queued": {"da": "i kø", "en": "queued"},
    "outbox.sending": {"da": "sendes", "en": "sending"},
    "outbox.sent": {"da": "sendt", "en": "sent"},
    "outbox.failed": {"da": "afvist", "en": "failed"},
    "outbox.uncertain": {"da": "usikker", "en": "uncertain"},
    "sync.failed": {"da": "{where}: FEJL: {error}", "en": "{where}: FAILED: {error}"},
    "sync.none": {"da": "{where}: ingen nye mails", "en": "{where}: no new mail"},
    "sync.new": {"da": "{where}: {n} nye mails{tail}", "en": "{where}: {n} new messages{tail}"},
    "sync.located": {"da": "{n} allerede gemt", "en": "{n} already stored"},
    "sync.unreadable": {
        "da": "{n} ulæselige (gemt rå, markeret)",
        "en": "{n} unreadable (kept raw, flagged)",
    },
    "sync.too_large": {
        "da": "{n} for store (brevhoveder gemt)",
        "en": "{n} too large (headers kept)",
    },
    "sync.vanished": {
        "da": "{n} slettet under synkroniseringen (brevhoveder gemt)",
        "en": "{n} deleted during sync (headers kept)",
    },
    "sync.renumbered": {
        "da": "mappen er omnummereret (UIDVALIDITY); koblet igen",
        "en": "folder was renumbered (UIDVALIDITY); re-mapped",
    },
    "mailtest.caps_before": {
        "da": "funktioner før login: {caps}",
        "en": "capabilities before login: {caps}",
    },
    "mailtest.auth_ok": {"da": "login: OK", "en": "authentication: OK"},
    "mailtest.caps": {"da": "funktioner: {caps}", "en": "capabilities: {caps}"},
    "mailtest.no_condstore": {
        "da": "ingen CONDSTORE: nye mails findes alene via UIDNEXT",
        "en": "no CONDSTORE: new mail is found by UIDNEXT alone",
    },
    "mailtest.folders": {"da": "mapper:", "en": "folders:"},
    "mailtest.sent_mark": {"da": "  <- sendt post", "en": "  <- sent"},
    "mailtest.will_sync": {"da": "synkroniserer: {folders}", "en": "will sync: {folders}"},
    "mail.password_prompt": {"da": "adgangskode til {name}: ", "en": "password for {name}: "},
    "mail.stored": {
        "da": "gemt i styresystemets nøglering for kontoen {name}",
        "en": "stored in the OS keyring for account {name}",
    },
    "mail.signed_in": {
        "da": "logget ind; kontoen {name} kan nu synkronisere",
        "en": "signed in; account {name} can now sync",
    },
    "service.enable": {"da": "aktivér og start den med:", "en": "enable and start it with:"},
    "service.linger": {
        "da": "hold den kørende, mens du er logget ud:",
        "en": "keep it running while you are logged out:",
    },
    "service.log": {"da": "følg dens log: {cmd}", "en": "follow its log: {cmd}"},
    # The words around a question (borgerdesk/ask.py).
    "ask.yes_no_hint_yes": {"da": "[J/n]", "en": "[Y/n]"},
    "ask.yes_no_hint_no": {"da": "[j/N]", "en": "[y/N]"},
    "ask.yes_no_again": {"da": "Svar j (ja) eller n (nej).", "en": "Answer y (yes) or n (no)."},
    "ask.mismatch": {
        "da": "De to adgangskoder er ikke ens; prøv igen.",
        "en": "The two passwords differ; try again.",
    },
    "team.password": {"da": "Adgangskode til {name}", "en": "Password for {name}"},
    "team.password_again": {"da": "Adgangskode til {name} igen", "en": "Password for {name} again"},
    "team.set_up": {"da": "teamet er sat op", "en": "team set up"},
    "team.already_set_up": {
        "da": "teamet var allerede sat op; rettigheder og politikker er sat igen",
        "en": "team was already set up; grants and policies re-applied",
    },
    "team.added": {"da": "{name} er tilføjet som {role}", "en": "{name} added as {role}"},
    "team.changed": {"da": "{name} er nu {role}", "en": "{name} is now {role}"},
    "team.unchanged": {
        "da": "{name} er allerede {role}; intet ændret",
        "en": "{name} is already {role}; nothing changed",
    },
    "team.removed": {"da": "{name} er fjernet", "en": "{name} removed"},
    "team.already_removed": {
        "da": "{name} var allerede fjernet; intet ændret",
        "en": "{name} was already removed; nothing changed",
    },
    "smtp.prompt": {"da": "SMTP-adgangskode til {user}", "en": "SMTP password for {user}"},
    "smtp.stored": {"da": "gemt i styresystemets nøglering", "en": "stored in the OS keyring"},
    "demo.kept": {"da": "demoen er gemt i {path}", "en": "demo kept in {path}"},
    "demo.generating": {
        "da": "Laver et års mails og opkald …",
        "en": "Generating a year of mail and calls…",
    },
    "demo.syncing": {
        "da": "IMAP-server på 127.0.0.1:{port}; synkroniserer INBOX og Sent …",
        "en": "IMAP server on 127.0.0.1:{port}; syncing INBOX and Sent…",
    },
    "demo.ready": {
        "da": "Demoen er klar på {seconds} s ({root})",
        "en": "Demo ready in {seconds} s ({root})",
    },
    "demo.summary": {
        "da": "DEMO: {waiting} henvendelse(r) i indbakken, {overdue} overskredet, {soon} snart",
        "en": "DEMO: {waiting} contact(s) in triage, {overdue} overdue, {soon} due soon",
    },
    "party.head": {"da": "part {id}: {name} ({kind})", "en": "party {id}: {name} ({kind})"},
    "party.ref": {"da": ", ref {ref}", "en": ", ref {ref}"},
    "party.filed": {
        "da": "  {cases} sag(er), {contacts} henvendelse(r)",
        "en": "  {cases} case(s), {contacts} contact(s)",
    },
    "party.duplicate": {
        "da": "  sandsynligvis den samme som part {id} ({name}): samme {reason}",
        "en": "  likely the same as party {id} ({name}): same {reason}",
    },
    "party.merged": {
        "da": "part {merged} lagt sammen med part {kept}: {addresses} adresse(r), "
        "{contacts} henvendelse(r), {cases} sag(er) flyttet",
        "en": "party {merged} merged into party {kept}: {addresses} address(es), "
        "{contacts} contact(s), {cases} case(s) moved",
    },
    # Words the store hands over as values (party kinds, duplicate reasons).
    "kind.citizen": {"da": "borger", "en": "citizen"},
    "kind.company": {"da": "virksomhed", "en": "company"},
    "kind.association": {"da": "forening", "en": "association"},
    "casekind.citizen": {"da": "borgersag", "en": "citizen"},
    "casekind.consultancy": {"da": "konsulentopgave", "en": "consultancy"},
    "casekind.whistleblower": {"da": "whistleblowersag", "en": "whistleblower"},
    "reason.phone": {"da": "telefonnummer", "en": "phone"},
    "reason.name": {"da": "navn", "en": "name"},
    "channel.phone": {"da": "telefon", "en": "phone"},
    "channel.email": {"da": "mail", "en": "email"},
    "channel.meeting": {"da": "møde", "en": "meeting"},
    "channel.letter": {"da": "brev", "en": "letter"},
    "channel.home_visit": {"da": "hjemmebesøg", "en": "home-visit"},
    # doctor's team checks (PostgreSQL): store.team.health's TeamCheck.key.
    "doctor.team.role": {"da": "databaserolle", "en": "database role"},
    "doctor.team.rls": {"da": "rækkesikkerhed", "en": "row-level security"},
    "doctor.team.clock": {"da": "databaseur", "en": "database clock"},
    "doctor.team.live": {"da": "live-opdatering", "en": "live updates"},
    "doctor.team.live.ok": {
        "da": "alle overvågede tabeller giver skrivebordene besked om ændringer",
        "en": "every watched table notifies the desks",
    },
    "doctor.team.live.off": {
        "da": "ingen besked om ændringer fra {tables}: skrivebordene spørger i stedet med "
        "faste mellemrum; kør 'borgerdesk team init' som ejeren",
        "en": "no change notifications from {tables}: the desks poll instead; run "
        "'borgerdesk team init' as the owner",
    },
    "doctor.team.purge": {"da": "sletning efter frist", "en": "retention purge"},
    "doctor.team.purge.admin": {
        "da": "på PostgreSQL sletter dæmonen ikke efter frist (dens rolle må ikke slette): en "
        "administrator kører 'borgerdesk purge' hver nat som admin-rolle "
        "(docs/data-protection.md)",
        "en": "on PostgreSQL the daemon does not run the retention purge (its role may not "
        "delete): an administrator runs 'borgerdesk purge' nightly as an admin role "
        "(docs/data-protection.md)",
    },
    "doctor.team.role.owner": {
        "da": "{me} ejer tabellerne (opsætning og team-kommandoer; ikke en rådgiver)",
        "en": "{me} owns the tables (set-up and team commands; not a desk person)",
    },
    "doctor.team.role.none": {
        "da": "{me} er ikke i nogen borgerdesk-rolle; bed administratoren om at køre: "
        "borgerdesk team add-user {me} --role advisor",
        "en": "{me} is in no borgerdesk role; ask the administrator: "
        "borgerdesk team add-user {me} --role advisor",
    },
    "doctor.team.role.wrong": {
        "da": "{me} ({role}): {problems}; kør 'borgerdesk team init' som ejeren for at "
        "give rettighederne igen",
        "en": "{me} ({role}): {problems}; run 'borgerdesk team init' as the owner to "
        "re-apply the grants",
    },
    "doctor.team.missing": {
        "da": "{privilege} på {table} mangler",
        "en": "{privilege} on {table} missing",
    },
    "doctor.team.granted": {
        "da": "{privilege} på {table} er givet",
        "en": "{privilege} on {table} granted",
    },
    "doctor.team.role.ok": {
        "da": "{me} ({roles}): rettighederne er som de skal være",
        "en": "{me} ({roles}): grants as expected",
    },
    "doctor.team.rls.no_team": {
        "da": "intet team sat op (én PostgreSQL-bruger); kør 'borgerdesk team init' til et team",
        "en": "no team set up (one PostgreSQL user); for a team run 'borgerdesk team init'",
    },
    "doctor.team.rls.off": {
        "da": "slået fra på {tables}: whistleblower-rummet er åbent; kør 'borgerdesk team init'",
        "en": "off on {tables}: the whistleblower compartment is open; run 'borgerdesk team init'",
    },
    "doctor.team.rls.ok": {
        "da": "slået til på alle {n} tabeller med whistleblowerdata",
        "en": "on for all {n} tables with whistleblower data",
    },
    "doctor.team.clock.ok": {
        "da": "databaseserveren og denne maskine afviger {seconds} s",
        "en": "database server and this machine differ by {seconds} s",
    },
    "doctor.team.clock.skew": {
        "da": "databaseserveren og denne maskine afviger {seconds} s; sæt begge til at følge NTP",
        "en": "database server and this machine differ by {seconds} s; set both to NTP",
    },
}


def say(key: str, lang: str = "da", **values: object) -> str:
    """The text for `key` in `lang` (English for anything but "da"), filled in."""
    return TEXTS[key]["da" if lang == "da" else "en"].format(**values)


def term(prefix: str, value: str, lang: str = "da") -> str:
    """A stored word (a party kind, a reason) in `lang`; unknown words are shown as they
    are, so a new value in the store never breaks a command's output."""
    key = f"{prefix}.{value}"
    return say(key, lang) if key in TEXTS else value


def day(d: dt.date, lang: str = "da") -> str:
    """A date as the language writes it: day first in Danish, ISO in English."""
    return f"{d:%d-%m-%Y}" if lang == "da" else d.isoformat()


def moment(m: dt.datetime, lang: str = "da") -> str:
    """A stored UTC time in Copenhagen time, day first in Danish."""
    return show(m, "%d-%m-%Y %H:%M" if lang == "da" else "%Y-%m-%d %H:%M")


def lang_of(ctx: typer.Context) -> Lang:
    """The UI language of this run: the config's `language` (Danish when there is no
    config at all)."""
    actx: AppContext = ctx.obj
    return actx.config.language
