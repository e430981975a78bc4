"""What the desk remembers between runs of the UI (not data: the advisor's choices, such
as the Indbakke filter). A small JSON file in the user's state folder; a file that is
missing or unreadable means the defaults, and a failed write is not worth an error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs


def default_path() -> Path:
    return Path(platformdirs.user_state_dir("borgerdesk")) / "ui.json"


class UiState:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.values: dict[str, str] = {}
        if path is None:
            return
        try:
            loaded = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(loaded, dict):
            self.values = {str(k): str(v) for k, v in loaded.items()}

    def get(self, key: str, default: str) -> str:
        return self.values.get(key, default)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.values, f)
            tmp.replace(self.path)
        except OSError:
            pass  # remembered for this run only
