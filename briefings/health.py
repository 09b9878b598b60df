"""`/healthz` for load balancers: is this app server able to serve requests right now?

Each check answers "ok" or names the kind of failure (the exception class, never its message:
messages can carry host names, user names or query text). The full error goes to the log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("briefings.health")


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not return 1")


def check_cache() -> None:
    # A unique key per probe: several app servers share one Redis, and a fixed key could be
    # answered by another server's write.
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("cache did not return the value just stored")
    finally:
        cache.delete(key)


def check_migrations() -> None:
    # Every migration in the graph, not only the plan to the leaves: a plan skips an app whose
    # latest migration is recorded even when an earlier one is missing.
    loader = MigrationLoader(connection)
    missing = sorted(set(loader.graph.nodes) - set(loader.applied_migrations))
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        raise RuntimeError(f"{len(missing)} unapplied migration(s): {names}")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "migrations": check_migrations,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            # Without a database the migration check can only repeat the database's failure.
            results[name] = "skipped"
            continue
        try:
            check()
        except Exception as exc:
            logger.exception("health check %s failed", name)
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    failing = sorted(name for name, result in results.items() if result.startswith("error"))
    if failing:
        return JsonResponse({"status": "error", "failing": failing, "checks": results}, status=503)
    return JsonResponse({"status": "ok", "checks": results})
