"""The daemon: APScheduler 3.x jobs for mail, phone inbox, alert evaluation, the morning
digest and nightly maintenance; health, backoff and a clean shutdown.

Every job runs with max_instances=1 (a slow sync is never run twice at once), coalesce
(missed runs, e.g. after a suspend or a clock jump, collapse into one) and a misfire grace
time. A failing source is retried with exponential backoff by moving its job's next run
time (APScheduler's own rescheduling, no retry loop of ours); a success puts it back on
its regular interval.

SIGTERM and SIGINT set the stop event that the sources check between batches: the running
batch commits, and the process exits 0 within `daemon.shutdown_seconds`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, select
from sqlmodel import col

from ingest.daemon import alerts as alerts_mod
from ingest.daemon import channels, health
from ingest.daemon.backup import backup_into
from store.config import Config
from store.db import bulk_write_scope, sqlite_path
from store.errors import one_line
from store.replies.recompute import recompute_if_stale
from store.timeutil import CPH

log = logging.getLogger("borgerdesk.daemon")

Clock = Callable[[], dt.datetime]

# Immediate e-mail goes only for alerts raised recently; older unsent ones (the SMTP
# section was just configured, say) go into the morning digest instead of a flood.
IMMEDIATE_MAIL_WINDOW = dt.timedelta(hours=24)
# How often queued replies are looked at; each reply's own backoff (store.outbox.queue)
# decides whether it is due.
OUTBOX_SECONDS = 60


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fields(**kw: Any) -> dict[str, Any]:
    return {"fields": kw}


class Daemon:
    """One daemon on one database. `run()` blocks until a signal; `run_once()` runs every
    job once (for cron-style use and tests)."""

    def __init__(
        self,
        *,
        engine: Engine,
        config: Config,
        clock: Clock = utc_now,
        stop: threading.Event | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.cfg = config.daemon
        self.clock = clock
        self.stop = stop or threading.Event()
        self._running = 0
        self._idle = threading.Condition()
        self.runs: dict[str, int] = {}  # job id -> completed runs (tests, status)
        self._evaluate_lock = threading.Lock()
        self.scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": self.cfg.misfire_grace_seconds,
            },
        )

    # ------------------------------------------------------------------ job plumbing

    @contextmanager
    def _job(self, job_id: str) -> Iterator[None]:
        with self._idle:
            self._running += 1
        try:
            yield
        finally:
            self.runs[job_id] = self.runs.get(job_id, 0) + 1
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _mail_runner(self, account: str) -> Callable[[], None]:
        def run() -> None:
            self.mail_job(account)

        return run

    def _guarded(self, job_id: str, fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            if self.stop.is_set():
                return
            with self._job(job_id):
                try:
                    fn()
                except Exception:
                    # A job never kills the daemon; the next run tries again.
                    log.exception("job failed", extra=_fields(job=job_id))

        run.__name__ = job_id
        return run

    def _next_run(self, job_id: str) -> dt.datetime | None:
        job = self.scheduler.get_job(job_id)
        return None if job is None else job.next_run_time

    def mail_interval(self) -> float:
        if self.cfg.mail_interval_seconds:
            return float(self.cfg.mail_interval_seconds)
        return self.config.mail.sync_minutes * 60.0

    # ------------------------------------------------------------------ sources

    def _run_source(
        self, *, job_id: str, kind: str, name: str, interval: float, work: Callable[[], Any]
    ) -> None:
        now = self.clock()
        try:
            result = work()
            problem = _report_error(result)
            if problem:
                raise SourceFailed(problem)
        except Exception as e:
            error = one_line(e)
            with bulk_write_scope(self.engine) as session:
                failures = health.record_failure(
                    session, kind=kind, name=name, now=now, error=error
                )
            delay = health.backoff_delay(
                failures, base=self.cfg.retry_base_seconds, maximum=self.cfg.retry_max_seconds
            )
            retry_at = now + dt.timedelta(seconds=delay)
            if self.scheduler.running and self.scheduler.get_job(job_id):
                self.scheduler.modify_job(job_id, next_run_time=retry_at)
            health.record_next_run(self.engine, kind=kind, name=name, next_run=retry_at)
            log.warning(
                "source failed; backing off",
                extra=_fields(
                    source=name,
                    kind=kind,
                    failures=failures,
                    retry_in_s=round(delay, 1),
                    error=error,
                ),
            )
            return
        if self.stop.is_set():
            # Interrupted: the committed batches stand; this is not a full success.
            log.info("source stopped between batches", extra=_fields(source=name, kind=kind))
            return
        next_run = self._next_run(job_id)
        with bulk_write_scope(self.engine) as session:
            was_failing = _failing(session, kind, name)
            health.record_success(session, kind=kind, name=name, now=now, next_run=next_run)
        if was_failing and self.scheduler.running and self.scheduler.get_job(job_id):
            # Back from backoff: resume the regular cadence from now.
            back = self.clock() + dt.timedelta(seconds=interval)
            self.scheduler.modify_job(job_id, next_run_time=back)
            health.record_next_run(self.engine, kind=kind, name=name, next_run=back)
        log.info("source ok", extra=_fields(source=name, kind=kind, **_report_counts(result)))

    def mail_job(self, account: str) -> None:
        from ingest.mail.sync import sync_all

        self._run_source(
            job_id=f"mail:{account}",
            kind="imap",
            name=account,
            interval=self.mail_interval(),
            work=lambda: sync_all(
                engine=self.engine, config=self.config, account=account, stop=self.stop
            ),
        )
        # New inbound mail may already be overdue (e.g. the first sync of an old mailbox).
        if not self.stop.is_set():
            self.evaluate_job()

    def phone_job(self) -> None:
        from ingest.phone.inbox import scan_inbox

        self._run_source(
            job_id="phone",
            kind="phone",
            name="phone-inbox",
            interval=float(self.cfg.phone_scan_seconds),
            work=lambda: scan_inbox(
                engine=self.engine,
                config=self.config,
                stop=self.stop,
                now=self.clock(),
                record_health=False,
            ),
        )

    # ------------------------------------------------------------------ alerts

    def evaluate_job(self) -> list[int]:
        """Bring due times up to the configured rules if they changed, raise due alerts
        (one transaction), then tell the channels."""
        with self._evaluate_lock:
            now = self.clock()
            # Alerts are raised from the stored due times: they must follow today's rules.
            rep = recompute_if_stale(self.engine, self.config, now=now)
            if rep is not None:
                log.info(
                    "reply rules changed: due times recomputed",
                    extra=_fields(
                        scanned=rep.scanned,
                        changed=rep.changed,
                        orphaned=sum(rep.orphaned.values()),
                    ),
                )
            with bulk_write_scope(self.engine) as session:
                new = alerts_mod.evaluate_targets(session, now=now)
                new += alerts_mod.evaluate_sources(
                    session, now=now, after_hours=self.cfg.source_alert_hours
                )
            if new:
                log.info("alerts raised", extra=_fields(count=len(new)))
            self.dispatch(now)
            return new

    def dispatch(self, now: dt.datetime) -> None:
        language = self.config.language
        cfg = self.cfg
        with bulk_write_scope(self.engine) as session:
            pending = alerts_mod.unnotified(session)
            if not (cfg.alert_command or cfg.desktop_notifications):
                # Nothing to tell: mark them handled so that a hook configured later
                # does not replay the whole history.
                alerts_mod.mark(session, [a.id for a in pending], column="notified_at", at=now)
                pending = []
        if pending and cfg.desktop_notifications:
            channels.desktop_notify_all(pending, language)
            if not cfg.alert_command:
                with bulk_write_scope(self.engine) as session:
                    ids = [a.id for a in pending]
                    alerts_mod.mark(session, ids, column="notified_at", at=self.clock())
        if cfg.alert_command:
            for alert in pending:
                if self.stop.is_set():
                    break  # the rest go after the restart: they are not marked
                try:
                    channels.run_hook(cfg.alert_command, alert, cfg.alert_command_timeout_seconds)
                except Exception as e:
                    log.warning(
                        "alert hook failed; will retry",
                        extra=_fields(alert=alert.id, error=one_line(e)),
                    )
                    continue
                with bulk_write_scope(self.engine) as session:
                    alerts_mod.mark(session, [alert.id], column="notified_at", at=self.clock())
        if cfg.smtp is None:
            return
        with bulk_write_scope(self.engine) as session:
            to_mail = alerts_mod.unemailed_overdue(session)
            stale = [a.id for a in to_mail if a.created_at < now - IMMEDIATE_MAIL_WINDOW]
            alerts_mod.mark(session, stale, column="emailed_at", at=now)
        to_mail = [a for a in to_mail if a.id not in set(stale)]
        if not to_mail:
            return
        try:
            channels.email_alerts(cfg.smtp, to_mail, language)
        except Exception as e:
            log.warning("alert e-mail failed; will retry", extra=_fields(error=one_line(e)))
            return
        with bulk_write_scope(self.engine) as session:
            alerts_mod.mark(session, [a.id for a in to_mail], column="emailed_at", at=self.clock())
        log.info("alert e-mail sent", extra=_fields(count=len(to_mail)))

    def digest_job(self) -> bool:
        """The morning digest, on working days, once per day (recorded in the audit log,
        so a restart or a clock jump never sends it twice). Returns whether it was sent."""
        from store.audit import record
        from store.models import AuditLog
        from store.replies.calendar import calendar_for

        smtp = self.cfg.smtp
        if smtp is None or not smtp.digest:
            return False
        now = self.clock()
        today = now.astimezone(CPH).date()
        if calendar_for(self.config.replies).is_closed(today):
            return False
        with bulk_write_scope(self.engine) as session:
            sent = session.scalar(
                select(col(AuditLog.id)).where(
                    col(AuditLog.action) == "alert_digest",
                    col(AuditLog.entity_id) == today.isoformat(),
                )
            )
            if sent:
                return False
            due = alerts_mod.open_due(session, now=now)
            lines = [channels.describe(a, self.config.language) for a in due]
        channels.email_digest(smtp, lines, self.config.language)
        with bulk_write_scope(self.engine) as session:
            record(
                session,
                action="alert_digest",
                entity="alert",
                entity_id=today.isoformat(),
                detail={"lines": len(lines)},
            )
        log.info("digest sent", extra=_fields(lines=len(lines)))
        return True

    # ------------------------------------------------------------------ maintenance

    def maintenance_job(self) -> None:
        """The retention purge first (so tonight's backup no longer holds what it
        removed), then the backup. On PostgreSQL neither: an administrator purges, and
        pg_dump backs up; the log says so once a night."""
        from store.privacy.purge import ADMIN_PURGE, daemon_purges

        now = self.clock()
        if daemon_purges(self.engine.dialect.name):
            self._purge(now)
        elif self.config.retention.configured:
            log.warning("retention purge skipped: " + ADMIN_PURGE)
        if self.cfg.backup_dir is not None:
            url = self.engine.url.render_as_string(hide_password=False)
            if sqlite_path(url) is None:
                log.warning("backup skipped: PostgreSQL is backed up with pg_dump, not here")
            else:
                path = backup_into(url, self.cfg.backup_dir, keep=self.cfg.backup_keep, now=now)
                log.info("backup written", extra=_fields(file=path.name))

    def _purge(self, now: dt.datetime) -> None:
        from store.privacy.anonymise import flush_to_disk
        from store.privacy.purge import purge

        with bulk_write_scope(self.engine) as session:
            report = purge(session=session, config=self.config, now=now, dry_run=False)
        if report.configured:
            if report.removed.any() and not flush_to_disk(self.engine):
                log.warning(
                    "purged records' old copies stay in the -wal file until the "
                    "next checkpoint (a reader held an older snapshot)"
                )
            log.info("retention purge done", extra=_fields(**report.removed.as_dict()))

    def outbox_job(self) -> None:
        """Replies: resolve those a crash interrupted, send those due (with backoff)."""
        from ingest.mail.reply_send import process_outbox

        results = process_outbox(self.engine, self.config)
        if results:
            states = [r.state for r in results]
            log.info("outbox", extra=_fields(**{k: states.count(k) for k in set(states)}))

    # ------------------------------------------------------------------ lifecycle

    def add_jobs(self) -> None:
        first = self.clock()
        s = self.scheduler
        for account in self.config.mail.accounts:
            s.add_job(
                self._guarded(f"mail:{account.name}", self._mail_runner(account.name)),
                IntervalTrigger(seconds=self.mail_interval(), timezone=dt.UTC),
                id=f"mail:{account.name}",
                name=f"mail:{account.name}",
                next_run_time=first,
            )
        if self.config.phone.inbox is not None:
            s.add_job(
                self._guarded("phone", self.phone_job),
                IntervalTrigger(seconds=self.cfg.phone_scan_seconds, timezone=dt.UTC),
                id="phone",
                name="phone",
                next_run_time=first,
            )
        if any(a.smtp_host for a in self.config.mail.accounts):
            s.add_job(
                self._guarded("outbox", self.outbox_job),
                IntervalTrigger(seconds=OUTBOX_SECONDS, timezone=dt.UTC),
                id="outbox",
                name="outbox",
                next_run_time=first,
            )
        s.add_job(
            self._guarded("evaluate", self.evaluate_job),
            IntervalTrigger(seconds=self.cfg.evaluate_seconds, timezone=dt.UTC),
            id="evaluate",
            name="evaluate",
            next_run_time=first,
        )
        smtp = self.cfg.smtp
        if smtp is not None and smtp.digest:
            s.add_job(
                self._guarded("digest", self.digest_job),
                CronTrigger(
                    day_of_week="mon-fri",
                    hour=smtp.digest_at.hour,
                    minute=smtp.digest_at.minute,
                    timezone=CPH,
                ),
                id="digest",
                name="digest",
                # A machine that wakes at 10:00 still gets its digest, once.
                misfire_grace_time=4 * 3600,
            )
        m = self.cfg.maintenance_at
        s.add_job(
            self._guarded("maintenance", self.maintenance_job),
            CronTrigger(hour=m.hour, minute=m.minute, timezone=CPH),
            id="maintenance",
            name="maintenance",
            # A backup late (the laptop slept through 02:30) beats no backup.
            misfire_grace_time=12 * 3600,
        )

    def start(self) -> None:
        self.add_jobs()
        self.scheduler.start()
        log.info(
            "daemon started",
            extra=_fields(pid=os.getpid(), jobs=",".join(j.id for j in self.scheduler.get_jobs())),
        )

    def shutdown(self) -> bool:
        """Stop taking new runs, let the running batch commit; True if all finished in
        time."""
        self.stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        deadline = self.cfg.shutdown_seconds
        with self._idle:
            finished = self._idle.wait_for(lambda: self._running == 0, timeout=deadline)
        return bool(finished)

    def run(self) -> int:
        """Run until SIGTERM/SIGINT. Returns the exit code."""
        got: list[int] = []

        def on_signal(signum: int, _frame: object) -> None:
            got.append(signum)
            self.stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        while not self.stop.wait(1.0):
            pass
        log.info("stopping", extra=_fields(signal=got[0] if got else "-"))
        if self.shutdown():
            log.info("stopped cleanly")
            return 0
        # The running batch did not commit in time. Its transaction is rolled back when
        # the process ends and sync state advances only after a commit, so nothing is
        # lost: the next start fetches that batch again.
        log.warning("a job did not finish in time; exiting without it")
        logging.shutdown()
        sys.stderr.flush()
        os._exit(0)

    def run_once(self) -> None:
        """Every source once, then alert evaluation: for cron-style use and tests."""
        for account in self.config.mail.accounts:
            self._guarded(f"mail:{account.name}", self._mail_runner(account.name))()
        if self.config.phone.inbox is not None:
            self._guarded("phone", self.phone_job)()
        if any(a.smtp_host for a in self.config.mail.accounts):
            self._guarded("outbox", self.outbox_job)()
        self._guarded("evaluate", self.evaluate_job)()


class SourceFailed(Exception):
    """A source returned reports that carry an error."""


def _failing(session: Any, kind: str, name: str) -> bool:
    from store.models import SyncState

    return bool(
        session.scalar(
            select(col(SyncState.id)).where(
                col(SyncState.kind) == kind,
                col(SyncState.name) == name,
                col(SyncState.failing_since).is_not(None),
            )
        )
    )


def _as_list(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, list | tuple):
        return list(result)
    return [result]


def _report_error(result: Any) -> str | None:
    """The first error a source's report(s) carry, if any."""
    for r in _as_list(result):
        err = getattr(r, "error", None)
        if err:
            return str(err)
    return None


def _report_counts(result: Any) -> dict[str, Any]:
    """Numeric fields summed over the reports, for the log line (never content)."""
    totals: dict[str, int] = {}
    for r in _as_list(result):
        fields = getattr(r, "__dataclass_fields__", None) or {}
        for name in fields:
            value = getattr(r, name, None)
            if isinstance(value, int) and not isinstance(value, bool):
                totals[name] = totals.get(name, 0) + value
    return totals
