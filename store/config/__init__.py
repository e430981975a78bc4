"""Typed, validated configuration: one place that reads TOML and says what is wrong.

Every section is a pydantic model with ``extra="forbid"`` so a misspelt key is an error,
not a silently ignored setting. `load_config` turns any problem into a `ConfigError` whose
message is one line naming the file, the key and the problem.

The names below are imported when first asked for: building the models costs more than
the desk's first frame may; `store.config.paths` needs none of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.config.loader import (
        PRESETS,
        ConfigError,
        default_config_path,
        default_database_url,
        load_config,
        load_config_text,
        preset_text,
    )
    from store.config.model import Config

__all__ = [
    "PRESETS",
    "Config",
    "ConfigError",
    "default_config_path",
    "default_database_url",
    "load_config",
    "load_config_text",
    "preset_text",
]


def __getattr__(name: str) -> Any:
    if name == "Config":
        return import_module("store.config.model").Config
    if name in __all__:
        return getattr(import_module("store.config.loader"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
