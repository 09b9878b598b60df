"""Knowing, on PostgreSQL, that nothing has changed without asking the database.

A kept page is served after one lookup that says whether it is still public and still current
(briefings.cache). On SQLite that lookup runs in the worker's own process and costs little; on
PostgreSQL it is a round trip to another process, which costs as much as the rest of the hit.

Every table of the app has a statement-level trigger (migration 0010) that sends a notification
on channel ``briefings_changed`` when a transaction that wrote to it commits, whoever wrote:
the admin, the API, a management command or SQL typed by hand. Each worker process listens on a
connection of its own, in a thread that does nothing else, and counts the notifications: its
*generation*. A lookup marked ``memo=True`` (briefings.prepared) keeps its rows per process
under the generation it was read in, and gives them again without a query until:

- a notification arrives (any committed write to the app's tables);
- the time the next scheduled briefing goes live is reached (time changes what is public, not
  only writes; that time is read once per generation);
- MAX_AGE seconds have passed (a safety net: nothing is known to need it);
- the listening connection is lost: until it is back nothing is kept, and everything kept
  before is dropped.

A change is seen by every worker as soon as PostgreSQL has delivered the notification, which it
sends at commit (measured: under a millisecond after the writer heard its commit succeed, on
an idle machine); within the worker that wrote, at once (model signals). Before each kept
answer is given, the listening socket is looked at, so a notification that has arrived counts
even if the thread has not read it yet. Nothing is kept inside a
transaction (where the worker may see its own uncommitted writes) or when a lookup is given its
own ``now``. Settings: BRIEFINGS_CHANGE_NOTIFICATIONS (on by default; off, every lookup asks the
database). Behind a connection pooler in transaction mode LISTEN does not work: turn it off.
"""

from __future__ import annotations

import datetime
import logging
import os
import select
import threading
import time

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

log = logging.getLogger("briefings.changes")

CHANNEL = "briefings_changed"
# How the listening connections show in pg_stat_activity.
APPLICATION_NAME = "briefings-changes"
# Longest a kept lookup is given again without asking the database (seconds).
MAX_AGE = 5.0
# Most lookups kept at once per process; beyond it, all are dropped and kept again as asked.
MAX_KEPT = 10_000
# How often the listening thread looks up from waiting, to notice it was asked to stop.
POLL = 0.5
# After a lost connection, how long before listening again.
RETRY = 1.0


def enabled() -> bool:
    return getattr(settings, "BRIEFINGS_CHANGE_NOTIFICATIONS", True)


class Watch:
    """One process's listening thread, its generation and the lookups it keeps."""

    def __init__(self, params: dict):
        self.pid = os.getpid()
        self.params = params
        self.generation = 0
        # True while the connection is listening: only then is anything kept.
        self.live = False
        # Whether the last attempt to listen failed (said once in the log, not every retry).
        self.failing = False
        self.kept: dict = {}
        # (generation, wall-clock time before which no scheduled briefing goes live)
        self.horizon: tuple[int, float] | None = None
        self.stopping = threading.Event()
        # The listening socket, for a look (without reading) at whether a notification has
        # arrived that the thread has not counted yet.
        self.socket: select.poll | None = None
        self.thread = threading.Thread(target=self._listen, name="briefings-changes", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(POLL * 4)

    def changed(self) -> None:
        self.generation += 1
        self.kept = {}

    def _listen(self) -> None:
        import psycopg

        while not self.stopping.is_set():
            try:
                with psycopg.connect(**self.params, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.socket = select.poll()
                    self.socket.register(connection.pgconn.socket, select.POLLIN)
                    # Whatever was kept before listening may have changed meanwhile.
                    self.changed()
                    self.live = True
                    if self.failing:
                        log.warning("Listening for changes again.")
                        self.failing = False
                    try:
                        while not self.stopping.is_set():
                            for _ in connection.notifies(timeout=POLL):
                                self.changed()
                    finally:
                        self.live = False
                        self.socket = None
            except psycopg.Error as error:
                if not self.stopping.is_set() and not self.failing:
                    log.warning(
                        "Not listening for changes (%s): every lookup asks the database until "
                        "listening again; retrying every %s s.",
                        str(error).strip() or type(error).__name__,
                        RETRY,
                    )
                self.failing = True
            self.live = False
            self.changed()
            self.stopping.wait(RETRY)

    def recall(self, key: tuple):
        """What is kept under ``key`` and still current, else None."""
        entry = self.kept.get(key)
        if entry is None:
            return None
        generation, until, rows = entry
        if generation != self.generation or not self.live or time.time() >= until:
            return None
        socket = self.socket
        if socket is None or socket.poll(0):
            # Lost, or a notification is in and the thread has yet to count it.
            return None
        return rows

    def token(self) -> tuple[int, float] | None:
        """Taken before a lookup runs: the generation it is read in, and until when it may be
        kept. None when it may not be kept."""
        generation = self.generation
        if not self.live:
            return None
        now = time.time()
        if self.horizon is None or self.horizon[0] != generation or self.horizon[1] <= now:
            self.horizon = (generation, _next_scheduled(now))
        return generation, min(now + MAX_AGE, self.horizon[1])

    def keep(self, token: tuple[int, float], key: tuple, rows) -> None:
        generation, until = token
        if generation != self.generation:
            return
        if len(self.kept) >= MAX_KEPT:
            self.kept = {}
        self.kept[key] = (generation, until, rows)


def _next_scheduled(now: float) -> float:
    """When the next briefing already published with a later publication time goes live."""
    from briefings.models import Article

    at = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=at)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    return upcoming.timestamp() if upcoming is not None else float("inf")


_watch: Watch | None = None
# Watches made by a parent process before it forked: their connection's socket is shared with
# the parent, so they are kept (never closed, never collected) and left alone.
_inherited: list[Watch] = []
_lock = threading.Lock()


def watching(db) -> Watch | None:
    """The process's watch, started on first use; None when lookups may not be kept now."""
    if db.vendor != "postgresql" or db.alias != DEFAULT_DB_ALIAS or not enabled():
        return None
    watch = _watch
    if watch is not None and watch.pid == os.getpid():
        return watch if watch.live else None
    return _start(db)


def _start(db) -> None:
    global _watch
    with _lock:
        if _watch is not None and _watch.pid != os.getpid():
            _inherited.append(_watch)
            _watch = None
        if _watch is None:
            _watch = Watch({**driver_params(db), "application_name": APPLICATION_NAME})
            _watch.start()
    return None


def driver_params(db) -> dict:
    """What psycopg.connect() takes to open a connection of its own to ``db``'s database:
    Django's parameters without the parts that only its own connections use."""
    params = db.get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    return params


def stop() -> None:
    """Stop listening (tests, before their database is dropped)."""
    global _watch
    with _lock:
        watch, _watch = _watch, None
    if watch is not None and watch.pid == os.getpid():
        watch.stop()


def _changed_here() -> None:
    watch = _watch
    if watch is not None and watch.pid == os.getpid():
        watch.changed()


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def _model_changed(sender, **kwargs) -> None:
    """A write by this process: what it kept is stale from the commit, before the notification
    comes back from the database."""
    if _watch is None or sender._meta.app_label != "briefings":
        return
    transaction.on_commit(_changed_here, using=kwargs.get("using") or DEFAULT_DB_ALIAS)


@receiver(setting_changed)
def _setting_changed(setting, **kwargs) -> None:
    if setting in ("BRIEFINGS_CHANGE_NOTIFICATIONS", "DATABASES"):
        stop()
