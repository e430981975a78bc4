"""Phone-log ingestion: exports (CSV, XLSX) from Teams, CUCM and Danish providers.

`importer.import_files` for the CLI, `inbox.scan_inbox` for the daemon.
"""
