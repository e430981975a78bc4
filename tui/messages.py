"""Typed messages posted by thread workers back to the UI ("attributes down, messages
up"). Each carries plain rows from `store.desk`, never an ORM object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from store.desk.rows import AlertItem, CaseDetail, DataVersion, Status


@dataclass
class Loaded(Message):
    """A query finished. `seq` lets a screen ignore results of a superseded load."""

    what: str
    seq: int
    data: Any
    version: DataVersion | None = None  # set for a screen's main data


@dataclass
class Done(Message):
    """A command finished; `text` is the notification to show."""

    text: str
    reload: bool = True


@dataclass
class Failed(Message):
    text: str


@dataclass
class Probed(Message):
    """The live-refresh probe: data fingerprint, header status, new alerts."""

    version: DataVersion
    status: Status
    alerts: tuple[AlertItem, ...]


@dataclass
class CaseLoaded(Message):
    """A case to show, loaded before its screen is pushed."""

    detail: CaseDetail
    whistleblower: bool
    version: DataVersion | None = None


@dataclass
class CasePrefetched(Message):
    """A case loaded ahead of opening, at data version `version`."""

    detail: CaseDetail
    version: DataVersion | None
