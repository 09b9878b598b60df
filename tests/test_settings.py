import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_production_without_secret_key_fails_loudly():
    """With debug off and no secret key, the app refuses to start and says why."""
    result = run_manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_deploy_check_passes_with_production_settings():
    """`check --deploy --fail-level WARNING` is clean with production-like variables."""
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-this-test-0123456789",
        DJANGO_ALLOWED_HOSTS="briefings.example.org", DJANGO_DEBUG="0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_bad_boolean_is_named():
    """A mistyped DJANGO_DEBUG names the variable instead of guessing."""
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be" in result.stderr
