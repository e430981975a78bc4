"""Failed workers, all told the same way. Textual's `Worker.StateChanged` does not bubble,
so each node that runs workers (the app, the desk's screens, the dialogs) hands a
failure to the app's one handler, `DeskApp.worker_failed`."""

from __future__ import annotations

from typing import Any

from textual.worker import Worker, WorkerState


class ReportsFailures:
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            node: Any = self  # a Screen: its app is the DeskApp
            node.app.worker_failed(event.worker)
