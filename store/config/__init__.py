"""Typed, validated configuration: one place that reads TOML and says what is wrong.

Every section is a pydantic model with ``extra="forbid"`` so a misspelt key is an error,
not a silently ignored setting. `load_config` turns any problem into a `ConfigError` whose
message is one line naming the file, the key and the problem.
"""

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
