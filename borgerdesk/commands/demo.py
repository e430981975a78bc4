"""`borgerdesk demo`: the product working on generated data, never the user's own."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from store.config import load_config_text, preset_text
from store.counts import run_preset
from store.counts.render import print_tables
from store.db import make_engine, session_scope, upgrade
from store.register.importer import import_register
from store.samples import odsherred_register, write_register_csv


def demo(
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the demo's files in this folder.")
    ] = None,
) -> None:
    """Show borgerdesk on generated data in a temporary folder.

    It never touches your real config or database: everything lives in a temporary
    folder that is removed on exit, unless --keep names a folder to keep it in.

    Examples:
      borgerdesk demo
      borgerdesk demo --keep ./borgerdesk-demo
    """
    root = keep or Path(tempfile.mkdtemp(prefix="borgerdesk-demo-"))
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        config_text = preset_text("odsherred")
        (root / "config.toml").write_text(config_text, "utf-8")
        config = load_config_text(config_text, "demo")
        url = f"sqlite:///{root / 'demo.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        register = write_register_csv(odsherred_register(), root / "register-2024.csv")
        import_register(engine=engine, config=config, path=register)
        console = Console(highlight=False)
        console.print("[bold]borgerdesk demo[/] — Odsherred's 2024 register, generated\n")
        with session_scope(engine) as session:
            preset = config.reports.preset("odsherred")
            tables = run_preset(
                session=session,
                config=config,
                preset=preset,
                start=_d(2024, 1, 1),
                end=_d(2024, 12, 31),
            )
        print_tables(tables, console)
        engine.dispose()
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
