"""Where the config file and the default database live. Light (no pydantic): the desk's
quick start finds the config file before deciding whether to validate it."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "borgerdesk"
# With no config file at all, borgerdesk runs on this preset (documented in the README).
DEFAULT_PRESET = "odsherred"


def default_config_path() -> Path:
    env = os.environ.get("BORGERDESK_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_database_url() -> str:
    path = Path(platformdirs.user_data_dir(APP)) / "borgerdesk.sqlite3"
    return f"sqlite:///{path}"
