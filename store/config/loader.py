"""Finding, reading and validating the config file."""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from store.config.model import Config
from store.config.paths import APP as APP
from store.config.paths import DEFAULT_PRESET as DEFAULT_PRESET
from store.config.paths import default_config_path as default_config_path
from store.config.paths import default_database_url as default_database_url
from store.errors import UserError
from store.infile import read_input

PRESETS = ("odsherred", "haderslev")


class ConfigError(UserError):
    """A configuration problem, phrased as one line for the user."""


def preset_text(name: str) -> str:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    return (resources.files("store") / "presets" / f"{name}.toml").read_text("utf-8")


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def load_config_text(text: str, source: str) -> Config:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{source}: not valid TOML: {e}; fix the syntax there") from None
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (misspelt, or in the wrong section)"
        more = f" (and {e.error_count() - 1} more problem(s))" if e.error_count() > 1 else ""
        raise ConfigError(
            f"{source}: key {_loc(err['loc'])}: {msg}{more}; fix the config file and run again"
        ) from None


def load_config(path: Path | None = None) -> tuple[Config, Path | None]:
    """Load the config. An explicit path must exist; the default location may be absent,
    in which case the embedded default preset is used. Returns the config and the file it
    came from (None for the embedded default)."""
    explicit = path is not None or bool(os.environ.get("BORGERDESK_CONFIG"))
    target = path if path is not None else default_config_path()
    if not target.exists():
        if explicit:
            raise ConfigError(
                f"{target}: config file not found; create it with "
                f"'borgerdesk --config {target} init --preset odsherred'"
            )
        return load_config_text(preset_text(DEFAULT_PRESET), f"<preset {DEFAULT_PRESET}>"), None
    try:
        text = read_input(target).decode("utf-8")
    except UserError as e:
        raise ConfigError(str(e)) from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{target}: cannot read the config file: {e}") from None
    return load_config_text(text, str(target)), target
