"""`borgerdesk init --preset NAME`: write a commented config file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from borgerdesk.context import AppContext
from store.config import PRESETS, default_config_path, load_config_text, preset_text
from store.errors import UserError


def init(
    ctx: typer.Context,
    preset: Annotated[str, typer.Option(help=f"One of: {', '.join(PRESETS)}.")] = "odsherred",
    force: Annotated[bool, typer.Option(help="Overwrite an existing config file.")] = False,
) -> None:
    """Write a commented config file from a preset.

    Examples:
      borgerdesk init --preset odsherred
      borgerdesk --config ./haderslev.toml init --preset haderslev
    """
    actx: AppContext = ctx.obj
    target = actx.config_path or default_config_path()
    text = preset_text(preset)
    load_config_text(text, f"<preset {preset}>")  # a preset that does not validate is a bug
    if target.exists() and not force:
        raise UserError(f"{target}: a config file is already there; use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = Path(f"{target}.tmp")
    tmp.write_text(text, "utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(target)
    typer.echo(f"wrote {target} (preset {preset})")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
