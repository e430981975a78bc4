"""Real IMAP servers for tests: pymap in-process everywhere, Dovecot where installed."""
