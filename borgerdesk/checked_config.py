"""The desk's config checks, and a record of the last config that passed them.

Before the UI starts, `borgerdesk` validates the config file (pydantic) and its keymap,
and refuses a bad one with one line and exit code 2. Building the config's models costs
more than the desk's whole first frame, so a config that passed is remembered: its
exact bytes, its path, and the config code's files (size and time), hashed, with the few
values the first frame needs (language, keymap, database URL). When all of that is
unchanged, the first frame starts on the remembered values and the full validation runs
in the thread that loads the desk; anything changed, or no record, and it runs first, as
before. The record holds no secret: only a SQLite URL (or none) is remembered.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from store.config.paths import APP, DEFAULT_PRESET, default_config_path
from store.errors import UserError

if TYPE_CHECKING:
    from borgerdesk.context import AppContext
    from store.config import Config

RECORD = "config-checked.json"
# What decides whether a config passes: the config's models and the keymap's ids.
_CODE = (
    Path(__file__).resolve().parents[1] / "store" / "config",
    Path(__file__).resolve().parents[1] / "tui" / "keymap.py",
)
_PRESETS = Path(__file__).resolve().parents[1] / "store" / "presets"


@dataclass(frozen=True)
class Checked:
    """What the first frame needs of a config that passed the checks."""

    language: str
    keymap: dict[str, str]
    database_url: str | None  # a SQLite URL, or None (the default file)


def check(actx: AppContext) -> Config:
    """The full checks: the config validated, its keymap known. Raises `UserError`."""
    config = actx.config
    from tui.keymap import check_keymap

    problem = check_keymap(config.ui.keymap)
    if problem:
        source = actx.config_file or "<default config>"
        raise UserError(f"{source}: {problem}; fix the config file and run again")
    return config


def _key(actx: AppContext) -> str | None:
    """The hash of the config's path, bytes and the code that checks it; None when it
    cannot be read plainly (the full checks then say why)."""
    explicit = actx.config_path is not None or bool(os.environ.get("BORGERDESK_CONFIG"))
    target = actx.config_path if actx.config_path is not None else default_config_path()
    try:
        if target.is_file():
            path, data = str(target.resolve()), target.read_bytes()
        elif explicit or target.exists():
            return None
        else:
            path, data = (
                f"<preset {DEFAULT_PRESET}>",
                (_PRESETS / f"{DEFAULT_PRESET}.toml").read_bytes(),
            )
        h = hashlib.sha256(f"{path}\0".encode() + data)
        for top in _CODE:
            files = sorted(top.glob("*.py")) if top.is_dir() else [top]
            for f in files:
                st = f.stat()
                h.update(f"\0{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    except OSError:
        return None
    return h.hexdigest()


def _record_path() -> Path:
    return Path(platformdirs.user_cache_dir(APP)) / RECORD


def remembered(actx: AppContext) -> Checked | None:
    """The remembered values, if this very config passed the checks before."""
    key = _key(actx)
    if key is None:
        return None
    try:
        raw = json.loads(_record_path().read_text("utf-8"))
        if raw.get("key") != key:
            return None
        keymap = raw["keymap"]
        url = raw["database_url"]
        if not (
            isinstance(raw["language"], str)
            and isinstance(keymap, dict)
            and (url is None or isinstance(url, str))
        ):
            return None
        return Checked(raw["language"], {str(k): str(v) for k, v in keymap.items()}, url)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remember(actx: AppContext, config: Config) -> None:
    """Note that this config passed (not for a database URL other than SQLite's: it may
    hold a password). Best effort: a cache that cannot be written is no error."""
    url = config.database.url
    key = _key(actx)
    if key is None or (url is not None and not url.startswith("sqlite:")):
        return
    record = {
        "key": key,
        "language": config.language,
        "keymap": dict(config.ui.keymap),
        "database_url": url,
    }
    path = _record_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{RECORD}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, path)
    except OSError:
        return
