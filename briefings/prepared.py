"""ORM queries compiled once per process and run many times with fresh values.

Django builds and compiles a query's SQL from scratch each time it runs. For the few queries on
the hottest paths (the render cache's lookups, the rows a briefing page is built from) that
costs several times what running them does. A ``Prepared`` query is still written with the ORM,
so the models' own definitions ("published", "visible") stay the only ones, and compiled the
first time it is needed with stand-in values; each run swaps the stand-ins for the real values.

When nothing is logging or wrapping the connection's queries, the statement goes straight to
the driver in the driver's own parameter style, within Django's error translation: Django's
cursor layers (and, on SQLite, rewriting the placeholders of the statement on every call) cost
more than running it. Otherwise (a test counting queries, debug's query log, an execute
wrapper) it goes through Django's cursor like any query, so it is counted, logged and wrapped.

Rows come back as the driver gives them (``rows``), which is enough to tell whether anything
changed, and can then be converted to Python values as Django would (``convert``). On
PostgreSQL, dates, times and UUIDs are given as the text the server sends: a briefing page reads
a timestamp per mention, and making each a datetime cost more than the page's queries, when
most requests only need to know whether any changed.

On PostgreSQL each statement is also prepared on the server, once per connection: planning the
page's queries cost the server twice what running them does (BRIEFINGS_PREPARED_STATEMENTS,
on by default; turn it off behind a connection pooler in transaction mode, where a statement
prepared on one server connection is run on another).

A query made with ``memo=True`` is, on PostgreSQL, kept per process and given again without
asking the database for as long as briefings.changes knows nothing has changed.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import QuerySet
from django.utils import timezone
from psycopg import errors, pq, sql
from psycopg.types.string import TextLoader

from briefings import changes

# Stand-in values: distinctive enough never to occur in a compiled query by chance.
NOW = datetime.datetime(1900, 1, 1, 0, 0, 0, 123457, tzinfo=datetime.UTC)
SLUG = "\x00slug\x00"
ID = -7_000_000_013


@dataclass(eq=False)  # told apart by identity: each is one statement on one connection
class _Compiled:
    sql: str
    driver_sql: str
    # Per parameter: the name of the value it takes, or the constant to pass as it is.
    roles: list
    compiler: object
    # PostgreSQL: whether it may be prepared on the server; once it is, the statement that
    # runs it, and which of the parameters it passes (one per value's name).
    preparable: bool = False
    execute: tuple[str, list[int]] | None = None
    # PostgreSQL: the type of each column, from the first run; and per column given as text,
    # how to load it (made once per server connection).
    types: list | None = None
    loaders: tuple = field(default=(None, ()))


# PostgreSQL types given as text by rows() (their loaders are the costly ones).
TEXT_TYPES = ("timestamptz", "timestamp", "date", "time", "uuid")
_PLACEHOLDER = re.compile(r"%([s%])")


def _for_prepare(sql: str, roles: list, literal: Callable[[object], str]) -> tuple[str, list]:
    """The statement to PREPARE: each value passed by name becomes a numbered parameter (one
    per name), and each constant is written in as a literal, so the server plans with it (a
    partial index on a status can only serve a plan that knows the status). Also the names, in
    the order of their numbers."""
    names: list[str] = []
    at = iter(roles)

    def replace(match: re.Match) -> str:
        if match.group(1) == "%":
            return "%"
        role = next(at)
        if type(role) is not tuple:
            return literal(role)
        if role[0] not in names:
            names.append(role[0])
        return f"${names.index(role[0]) + 1}"

    return _PLACEHOLDER.sub(replace, sql), names


def prepare_statements() -> bool:
    return getattr(settings, "BRIEFINGS_PREPARED_STATEMENTS", True)


_statement_numbers = itertools.count(1)


class _Session:
    """What one PostgreSQL server connection has prepared, and the cursor the statements run
    on (made once: a cursor giving TEXT_TYPES as text costs more to make than a lookup)."""

    def __init__(self, connection):
        self.connection = connection
        # Prepared here; each one's EXECUTE statement is on it (_Compiled.execute).
        self.prepared: set[_Compiled] = set()
        self.cursor = _as_text(connection.cursor())


def _session(db) -> _Session:
    session = db.__dict__.get("_briefings_session")
    if session is None or session.connection is not db.connection:
        session = db.__dict__["_briefings_session"] = _Session(db.connection)
    return session


class Prepared:
    """``build(**stand_ins)`` compiled once per database connection, run with fresh values.

    ``stand_ins`` names the values each run passes (``now``, a datetime, is filled in with the
    current time unless given). Each must occur in the compiled query, or compiling fails with
    the SQL: a value the query does not depend on would be silently ignored.

    With ``memo=True`` the rows may be kept and given again while nothing has changed
    (briefings.changes): only for a query whose rows depend on nothing but the app's tables, the
    values passed and the time.
    """

    def __init__(self, build: Callable[..., QuerySet], *, memo: bool = False, **stand_ins: object):
        self.build = build
        self.memo = memo
        self.stand_ins = stand_ins

    def _compile(self, db) -> _Compiled:
        queryset = self.build(**self.stand_ins)
        compiler = queryset.query.get_compiler(connection=db)
        sql, params = compiler.as_sql()
        adapted = {}
        for name, value in self.stand_ins.items():
            if isinstance(value, datetime.datetime):
                value = db.ops.adapt_datetimefield_value(value)
            adapted[name] = value
        roles = []
        for param in params:
            role = next(
                (n for n, v in adapted.items() if type(v) is type(param) and v == param), None
            )
            roles.append((role,) if role else param)
        for name in adapted:
            if (name,) not in roles:
                raise RuntimeError(f"Cannot prepare a query that does not use {name!r}: {sql}")
        driver_sql = sql
        if db.vendor == "sqlite":
            # What Django's SQLite cursor does to every statement: "format" style to "qmark".
            with db.cursor() as cursor:
                driver_sql = cursor.cursor.convert_query(sql)
        return _Compiled(sql, driver_sql, roles, compiler, preparable=db.vendor == "postgresql")

    def _ready(self) -> tuple:
        db = connections[DEFAULT_DB_ALIAS]  # once: each use of django.db.connection looks it up
        # Kept on the connection (one per thread), so it goes when the connection object goes.
        kept = db.__dict__.setdefault("_briefings_prepared", {})
        compiled = kept.get(self)
        if compiled is None:
            compiled = kept[self] = self._compile(db)
        return db, compiled

    def rows(self, **values: object) -> list[tuple]:
        """Every row, as the driver gives it."""
        db, compiled = self._ready()
        watch = token = None
        if self.memo and "now" not in values and not db.in_atomic_block:
            watch = changes.watching(db)
        if watch is not None:
            key = (self, *values.items())
            rows = watch.recall(key)
            if rows is not None:
                return rows
            token = watch.token()
        rows = self._rows(db, compiled, values)
        if token is not None:
            watch.keep(token, key, rows)
        return rows

    def _rows(self, db, compiled: _Compiled, values: dict) -> list[tuple]:
        if "now" in self.stand_ins and "now" not in values:
            values["now"] = timezone.now()
        if "now" in values:
            values["now"] = db.ops.adapt_datetimefield_value(values["now"])
        params = [values[r[0]] if type(r) is tuple else r for r in compiled.roles]
        if db.queries_logged or db.execute_wrappers:
            with db.cursor() as cursor:
                if db.vendor == "postgresql":
                    _as_text(cursor.cursor)  # the same rows as below, whichever way they come
                cursor.execute(compiled.sql, params)
                if compiled.types is None and db.vendor == "postgresql":
                    compiled.types = [column.type_code for column in cursor.description]
                return cursor.fetchall()
        if self._checks_by_running(db):
            try:
                rows = self._run(db, compiled, params)
            except DatabaseError:
                if db.is_usable():
                    raise
                db.close()  # a kept connection that died while idle: once more on a new one
                rows = self._run(db, compiled, params)
            db.health_check_done = True
            return rows
        # What db.cursor() checks before running a statement (_run() connects).
        db.close_if_health_check_failed()
        return self._run(db, compiled, params)

    @staticmethod
    def _checks_by_running(db) -> bool:
        """Whether this statement can stand for the health check Django makes before the first
        statement on a kept connection in each request (CONN_HEALTH_CHECKS).

        Django's check is a round trip of its own (on PostgreSQL, a third of what a cached page
        costs). Here the statement runs first; only if it fails is the connection checked, and
        a dead one replaced and the statement run again, as Django's check would have done
        before it. Not inside a transaction, where running again would not be the same.
        """
        return (
            db.connection is not None
            and db.health_check_enabled
            and not db.health_check_done
            and not db.in_atomic_block
        )

    @staticmethod
    def _run(db, compiled: _Compiled, params: list) -> list[tuple]:
        db.ensure_connection()
        # What cursor.execute() checks before running a statement.
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            if db.vendor != "postgresql":
                return db.connection.execute(compiled.driver_sql, params).fetchall()
            return _run_on_postgresql(db, compiled, params)

    def row(self, **values: object) -> tuple | None:
        """The first row, as the driver gives it; None when there is none."""
        found = self.rows(**values)
        return found[0] if found else None

    def convert(self, rows: list[tuple]) -> list[tuple]:
        """Rows from ``rows()`` as the ORM would have returned them (dates, UUIDs, booleans…)."""
        db, compiled = self._ready()
        if db.vendor == "postgresql":
            rows = _load_text(db, compiled, rows)
        return list(compiled.compiler.results_iter(results=[rows], tuple_expected=True))


def _as_text(cursor):
    """A psycopg cursor that gives TEXT_TYPES as the text the server sends."""
    for name in TEXT_TYPES:
        cursor.adapters.register_loader(name, TextLoader)
    return cursor


def _run_on_postgresql(db, compiled: _Compiled, params: list) -> list[tuple]:
    session = _session(db)
    cursor = session.cursor
    execute = _prepared(db, session, compiled) if prepare_statements() else None
    if execute is None:
        cursor.execute(compiled.driver_sql, params)
    else:
        statement, positions = execute
        try:
            cursor.execute(statement, [params[at] for at in positions])
        except errors.InvalidSqlStatementName:
            # Prepared on a server connection that is not this one any more (a pooler, or
            # DISCARD ALL): forget what this one has, and run the statement as it is.
            db.__dict__.pop("_briefings_session", None)
            if db.in_atomic_block:
                raise
            cursor.execute(compiled.driver_sql, params)
    if compiled.types is None:
        compiled.types = [column.type_code for column in cursor.description]
    return cursor.fetchall()


def _prepared(db, session: _Session, compiled: _Compiled) -> tuple[str, list[int]] | None:
    """How to run ``compiled`` as prepared on this server connection, preparing it first if
    needed; None if it cannot be (then it runs as it is)."""
    cursor = session.cursor
    if compiled in session.prepared:
        return compiled.execute
    if not compiled.preparable:
        return None
    # Unique in the process: a server connection a pooler hands back may still have some.
    name = f"briefings_{next(_statement_numbers)}"
    connection = db.connection
    statement, names = _for_prepare(
        compiled.sql, compiled.roles, lambda value: sql.Literal(value).as_string(connection)
    )
    # Within a transaction, a PREPARE that failed would break it: tried within a savepoint.
    # (What is prepared stays prepared whatever becomes of the transaction.)
    guarded = db.in_atomic_block
    if guarded:
        cursor.execute("SAVEPOINT briefings_prepare")
    try:
        cursor.execute(f"PREPARE {name} AS {statement}")
    except errors.SyntaxErrorOrAccessRuleViolation:
        # A parameter whose type the server cannot tell without its value: run as it is.
        if guarded:
            cursor.execute("ROLLBACK TO SAVEPOINT briefings_prepare")
        compiled.preparable = False
        return None
    if guarded:
        cursor.execute("RELEASE SAVEPOINT briefings_prepare")
    positions = [compiled.roles.index((n,)) for n in names]
    arguments = ", ".join(["%s"] * len(names))
    compiled.execute = (f"EXECUTE {name}({arguments})" if names else f"EXECUTE {name}", positions)
    session.prepared.add(compiled)
    return compiled.execute


def _load_text(db, compiled: _Compiled, rows: list[tuple]) -> list[tuple]:
    """Rows with the columns rows() gave as text loaded as the driver would have."""
    db.ensure_connection()
    connection = db.connection
    if compiled.types is None:
        return rows  # never run on this connection: nothing to load
    if compiled.loaders[0] is not connection:
        adapters = connection.adapters
        text_oids = {adapters.types[name].oid for name in TEXT_TYPES}
        compiled.loaders = (
            connection,
            tuple(
                (at, adapters.get_loader(oid, pq.Format.TEXT)(oid, connection).load)
                for at, oid in enumerate(compiled.types)
                if oid in text_oids
            ),
        )
    loaders = compiled.loaders[1]
    if not loaders:
        return rows
    loaded = []
    for row in rows:
        row = list(row)
        for at, load in loaders:
            if type(row[at]) is str:
                row[at] = load(row[at].encode())
        loaded.append(row)
    return loaded
