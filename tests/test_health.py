import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.migrations.recorder import MigrationRecorder

ROOT = Path(__file__).resolve().parent.parent
# A port nothing listens on: connections are refused at once.
CLOSED = "127.0.0.1:9"


def test_healthy_server_answers_ok(client, db):
    """With database, cache and migrations in order, /healthz is 200 JSON naming each check."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }


def test_health_is_never_cached(client, db):
    """A cached 'ok' would hide an outage: the answer forbids every cache."""
    cache_control = client.get("/healthz")["Cache-Control"]
    assert "no-store" in cache_control and "no-cache" in cache_control
    assert "max-age=0" in cache_control


def test_health_is_not_redirected_to_https(client, db, settings):
    """Load balancers probe over plain HTTP; /healthz answers there while pages redirect."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 301


def test_health_only_answers_get(client, db):
    """A probe is a read; anything else is refused."""
    assert client.post("/healthz").status_code == 405


def test_unreachable_cache_is_reported_without_details(client, db, settings, caplog):
    """A cache that cannot be reached gives 503 naming the cache; the address stays in the log."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{CLOSED}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error: ")
    assert CLOSED not in response.content.decode()
    assert any(r.name == "briefings.health" and r.exc_info for r in caplog.records)


@pytest.mark.parametrize("which", ["earlier", "latest"])
def test_unapplied_migration_is_reported(client, db, which):
    """A server whose database lacks a migration, the latest or an earlier one, is not ready
    for traffic."""
    recorded = MigrationRecorder.Migration.objects.filter(app="briefings").order_by("name")
    (recorded.get(name="0002_roles") if which == "earlier" else recorded.last()).delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert "0002" not in response.content.decode()


def test_unreachable_database_is_reported_without_details(tmp_path):
    """A database that refuses connections gives 503 naming the database, and no address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"postgres://briefings:hunter2@{CLOSED}/briefings",
    )
    script = (
        "from django.test import Client; r = Client().get('/healthz'); "
        "print(r.status_code); print(r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    assert status == "503", result.stdout
    answer = json.loads(body)
    assert answer["failing"] == ["database"]
    assert answer["checks"]["migrations"] == "skipped"
    for secret in ("hunter2", "briefings:", CLOSED):
        assert secret not in body


def test_successful_probes_stay_out_of_the_info_log(client, db, caplog):
    """Probes every few seconds would drown the access log; they are logged at DEBUG only."""
    caplog.set_level("DEBUG", logger="briefings.access")
    client.get("/healthz")
    (record,) = [r for r in caplog.records if r.name == "briefings.access"]
    assert record.levelname == "DEBUG"
