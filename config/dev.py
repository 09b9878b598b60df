"""Local quick start with nothing but Python 3.11+: `python3 -m config.dev serve|test`.

Creates .venv, installs the project with its test tools, then either prepares a local
database with the seed briefing and serves on 127.0.0.1:8000, or runs the test suite.
Uses only the standard library, because it runs before anything is installed.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str, env: dict | None = None) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(args)}")


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this runs before the venv exists
        sys.exit(f"Briefings needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        step(f"creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        step("installing Briefings and its test tools (first run takes a minute)")
        run(str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(str(PYTHON), "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(wanted)


def serve() -> None:
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
    manage = [str(PYTHON), "manage.py"]
    step("applying database migrations")
    run(*manage, "migrate", "--verbosity", "1", env=env)
    step("loading the annotated seed briefing")
    run(*manage, "loaddata", "fixtures/seed_briefing.json", env=env)
    run(*manage, "create_demo_editor", env=env)
    step("serving on http://127.0.0.1:8000/ (Ctrl-C stops)")
    os.chdir(ROOT)
    os.execve(str(PYTHON), [*manage, "runserver", "127.0.0.1:8000"], env)


def ensure_checkers() -> None:
    """The HTML checker and axe-core for the page tests, when npm is there to install them."""
    if (ROOT / "tests" / "node_modules").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        step("npm not found: HTML and accessibility checks will be skipped")
        return
    step("installing the HTML checker and axe-core (tests/package.json)")
    run(npm, "ci", "--prefix", "tests", "--ignore-scripts", "--no-audit", "--no-fund")


def test(args: list[str]) -> None:
    ensure_checkers()
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *args])


def main() -> None:
    command, *rest = sys.argv[1:] or ["serve"]
    if command not in {"serve", "test"}:
        sys.exit("usage: python3 -m config.dev serve | test [pytest arguments]")
    ensure_environment()
    if command == "serve":
        serve()
    else:
        test(rest)


if __name__ == "__main__":
    main()
