"""What every command needs: the config, and the database it points at.

Each is imported when first asked for: the root callback builds this for every command,
`--help` and a usage error included, which use neither.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from store.config import Config


@dataclass
class AppContext:
    config_path: Path | None = None
    db_override: str | None = None
    _config: Config | None = None
    _config_file: Path | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            from store.config import load_config

            self._config, self._config_file = load_config(self.config_path)
        return self._config

    @property
    def config_file(self) -> Path | None:
        _ = self.config
        return self._config_file

    @property
    def database_setting(self) -> tuple[str, str | None]:
        """The database URL as given, and the setting it came from (None: the default
        file), unchecked: --db, then BORGERDESK_DATABASE_URL, then the config, then the
        default file."""
        return self.database_setting_for(lambda: (self.config.database.url, self.config_file))

    def database_setting_for(
        self, from_config: Callable[[], tuple[str | None, Path | None]]
    ) -> tuple[str, str | None]:
        """`database_setting`, the config's URL and file from `from_config` (asked only
        when neither --db nor the environment names one)."""
        from store.config.paths import default_database_url

        env = os.environ.get("BORGERDESK_DATABASE_URL")
        if self.db_override:
            return self.db_override, "--db"
        if env:
            return env, "BORGERDESK_DATABASE_URL"
        url, file = from_config()
        if url:
            where = f"{file}: " if file else ""
            return url, f"{where}[database] url"
        return default_database_url(), None

    @property
    def database_url(self) -> str:
        """`database_setting`; a malformed one is refused naming the setting it came
        from."""
        from store.db import check_url

        url, source = self.database_setting
        return url if source is None else check_url(url, source)

    @property
    def engine(self) -> Engine:
        """The migrated database; refuses one that is missing, older or newer."""
        if self._engine is None:
            from store.db import open_database

            self._engine = open_database(self.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
