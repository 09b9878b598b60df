"""The Nu HTML Checker (vnu) and axe-core, run offline from tests/node_modules.

Install them with `npm ci --prefix tests --ignore-scripts` (versions pinned in tests/package.json
and tests/package-lock.json; vnu needs Java 11 or newer). When they are missing, the tests that
need them skip with that instruction, except with BRIEFINGS_REQUIRE_BROWSER=1 (CI), where they
fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
INSTALL = "npm ci --prefix tests --ignore-scripts"

# WCAG 2.1 A and AA, as RECIPES.md asks; serious and critical violations fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}


def _missing(message: str) -> None:
    if os.environ.get("BRIEFINGS_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_vnu() -> str:
    """The java executable to run vnu with; skips (or fails in CI) when either is missing."""
    java = shutil.which("java")
    if not VNU_JAR.exists():
        _missing(f"The Nu HTML Checker is not installed: run `{INSTALL}`")
    if java is None:
        _missing("Java is needed to run the Nu HTML Checker (apt-get install default-jre-headless)")
    return java


def require_axe() -> str:
    if not AXE_JS.exists():
        _missing(f"axe-core is not installed: run `{INSTALL}`")
    return AXE_JS.read_text(encoding="utf-8")


def vnu_errors(documents: dict[str, str | bytes], *, css: bool = False) -> dict[str, list[str]]:
    """Validate several documents in one checker run; errors (not warnings) per document name.

    Names become file names, so they should be short and plain ("home", "briefing").
    """
    java = require_vnu()
    suffix = ".css" if css else ".html"
    with tempfile.TemporaryDirectory() as tmp:
        names = {}
        for name, content in documents.items():
            path = Path(tmp) / f"{name}{suffix}"
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            names[path.name] = name
        command = [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
        command.append("--exit-zero-always")
        if css:
            command.append("--css")
        result = subprocess.run(
            [*command, *(str(Path(tmp) / f"{n}{suffix}") for n in documents)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    # vnu writes its JSON report to stderr.
    try:
        report = json.loads(result.stderr)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"vnu did not report: {result.stderr[:2000]}") from exc
    errors: dict[str, list[str]] = {name: [] for name in documents}
    for message in report.get("messages", []):
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        # vnu reports "file:/tmp/…/home.html"; the file name finds the document.
        name = names.get(message.get("url", "").rsplit("/", 1)[-1], "?")
        line = message.get("lastLine", "?")
        extract = (message.get("extract") or "").strip()
        errors.setdefault(name, []).append(f"line {line}: {message.get('message')} [{extract}]")
    return {name: found for name, found in errors.items() if found}


def axe_violations(driver, source: str) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations on the page the driver shows."""
    driver.execute_script(source)
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: "tag", values: arguments[0]}})
          .then(r => done({violations: r.violations}))
          .catch(e => done({error: String(e)}));
        """,
        AXE_TAGS,
    )
    if "error" in result:
        raise AssertionError(f"axe-core failed: {result['error']}")
    return [v for v in result["violations"] if v.get("impact") in AXE_FAILING_IMPACTS]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(node.get("target", [])) for node in v.get("nodes", [])[:5]]
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)
