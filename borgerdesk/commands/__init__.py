"""The commands, each registered by one module here (`register(app)`).

`INDEX` names, for each top-level command, its module and the first sentence of its help:
`borgerdesk --help` lists the commands from it, and running a command imports only its
own module (`borgerdesk.app.LazyGroup`), so no command pays for the others' imports.
tests/test_startup_imports.py checks it against what the modules register.
"""

INDEX: dict[str, tuple[str, str]] = {
    "import-calls": (
        "calls",
        "Import phone-log exports as contacts, each file exactly once, whole or not at all.",
    ),
    "daemon": (
        "daemon",
        (
            "Run the ingestion daemon in the foreground: mail sync, phone inbox, reply "
            "alerts, nightly backup."
        ),
    ),
    "install-service": (
        "daemon",
        (
            "Write a systemd user unit that runs `borgerdesk daemon`, with this config and "
            "database, and print how to enable it."
        ),
    ),
    "set-smtp-password": (
        "daemon",
        (
            "Store the SMTP password for daemon.smtp.username in the OS keyring (prompted, "
            "not echoed)."
        ),
    ),
    "demo": ("demo", "Show borgerdesk on a generated year of mail and calls."),
    "doctor": (
        "doctor",
        (
            "Check the set-up: config, database migration level, mailbox login and folders, "
            "phone inbox permissions, keyring, daemon, clock and time zone; on PostgreSQL "
            "the role's grants, row-level security and the server's clock."
        ),
    ),
    "init": (
        "init",
        "Write a commented config file: from a preset, or by answering a few questions.",
    ),
    "sync": ("mail", "Fetch new mail from the configured IMAP accounts, read-only, and store it."),
    "purge": (
        "privacy",
        "Delete the personal data of cases past their retention time; keep the counts.",
    ),
    "export-party": (
        "privacy",
        "Export everything held about a party (a data-subject access request).",
    ),
    "erase-party": (
        "privacy",
        "Erase a party's personal data (the right to erasure); keep the anonymous counts.",
    ),
    "audit": ("privacy", "List the audit log: who did what, when (append-only)."),
    "backup": (
        "privacy",
        "Make a consistent online backup of the SQLite database, even while the daemon writes.",
    ),
    "restore": (
        "privacy",
        (
            "Replace the SQLite database with a backup, after checking the backup's integrity"
            " and migration level."
        ),
    ),
    "import-register": (
        "register",
        "Import a register of cases and contacts (one row per contact).",
    ),
    "export-register": (
        "register",
        "Write the register in the import format (lossless round trip).",
    ),
    "followups": ("replies", "List reply targets, soonest due first."),
    "ack": (
        "replies",
        (
            "Mark a contact acknowledged: its open reply targets (and the party's earlier "
            "pending ones) are met."
        ),
    ),
    "no-reply": (
        "replies",
        'Mark a contact "no reply needed", with a reason; written to the audit log.',
    ),
    "compliance": (
        "replies",
        (
            "Per reply rule, for targets received in the period: targets, met in time, met "
            "late, waived, still open, overdue now, and the median and 90th percentile time "
            "to reply in working hours."
        ),
    ),
    "reply": ("reply", "Reply to a contact with a template, through the advisor's own mailbox."),
    "outbox": (
        "reply",
        (
            "List replies: queued, sent, refused, and uncertain ones (a crash while sending:"
            " check Sent, then --resend or --was-sent)."
        ),
    ),
    "report": ("report", "Count contacts, parties or cases over one or two fields for a period."),
    "annual-report": (
        "report",
        (
            "Write the annual report to the council: key figures against the previous period,"
            " channels, consultancy tasks, every table of the preset with a chart, the "
            "48-hour section, the whistleblower counts, your own sections and how the figures"
            " are counted."
        ),
    ),
    "status": (
        "status",
        (
            "Show each source (mail folder, phone inbox): what it stored, when it last "
            "succeeded, its last error; and how many contacts wait in triage."
        ),
    ),
    "tui": ("ui", "Open the terminal UI on the configured database."),
    "contact": ("contact", "Register contacts by hand and correct triage."),
    "db": ("db", "Database migrations."),
    "team": ("team", "People and roles of a team desk (PostgreSQL)."),
    "mail": ("mail", "Mail accounts: test the connection, store the password, sign in."),
    "party": ("party", "Show, edit and merge parties."),
    "replies": ("replies", "Reply-target maintenance."),
}
