"""store/errors.py separates "the user can fix this" (UserError, exit 2) from "an operation
failed" (OperationError, exit 1); both are one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.mail.fetch_process import FetchConnectionLost, FetchDied, FetchFailed
from store.errors import BorgerdeskError, OperationError, UserError, one_line


@pytest.mark.parametrize("kind", [FetchFailed, FetchConnectionLost, FetchDied])
def test_a_failed_or_crashed_fetch_is_an_operation_error(kind: type[Exception]) -> None:
    assert issubclass(kind, OperationError)
    assert not issubclass(kind, UserError)
    assert one_line(kind("the fetch process ended unexpectedly")) == (
        "the fetch process ended unexpectedly"
    )


def test_both_kinds_share_the_one_line_base() -> None:
    assert issubclass(UserError, BorgerdeskError) and issubclass(OperationError, BorgerdeskError)
    assert not issubclass(UserError, OperationError)


def test_the_cli_says_an_operation_error_in_one_line_with_exit_1(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def crashed(url: str) -> None:
        raise FetchDied("the fetch process ended unexpectedly; run the sync again")

    monkeypatch.setattr("store.db.upgrade", crashed)  # imported when the command runs
    r = cli("--db", f"sqlite:///{tmp_path / 'desk.sqlite3'}", "db", "upgrade")
    assert r.code == 1
    assert r.err == "borgerdesk: error: the fetch process ended unexpectedly; run the sync again\n"
