"""The API keeps the promises of its OpenAPI schema, checked by schemathesis in-process.

Every operation is fuzzed anonymously with every check schemathesis has (no server error, every
status and body documented, schema-valid requests accepted, invalid ones rejected, auth enforced).
A second run logs in as an editor, so the editor endpoints are exercised past authentication.
Examples per operation are bounded so the suite stays within a couple of minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.conftest import SEED_FIXTURE, make_user

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

EXAMPLES = hypothesis_settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def seeded(db):
    """The annotated seed briefing, so reads find real rows behind some slugs.

    Requests go through the WSGI handler, which closes the database connection when a request
    finishes; like Django's test client, keep it open so the test's transaction survives.
    """
    call_command("loaddata", SEED_FIXTURE, verbosity=0)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@EXAMPLES
def test_api_conforms_to_its_schema(case, seeded):
    """Anonymous: every response of every operation matches the schema, with all checks on."""
    case.call_and_validate()


def test_every_check_is_on():
    """The default check set is every built-in check (nothing silently disabled by config)."""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    names = {check.__name__ for check in CHECKS.get_all()}
    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "positive_data_acceptance",
        "negative_data_rejection",
        "ignored_auth",
    } <= names
    config = schema.config.checks_config_for()
    disabled = [name for name in names if not config.get_by_name(name=name).enabled]
    assert disabled == []


@pytest.fixture
def editor_headers(seeded) -> dict[str, str]:
    """Cookies and CSRF header of a logged-in Editor, as the admin workspace sends them."""
    client = Client()
    client.force_login(make_user("fuzz-editor", "Editors"))
    token = get_random_string(32)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}",
        "X-CSRFToken": token,
    }


def _positive_data_acceptance():
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    return positive_data_acceptance


@schema.include(path_regex="^/api/editor/").parametrize()
@EXAMPLES
def test_editor_api_conforms_to_its_schema_when_logged_in(case, editor_headers):
    """Logged in as an Editor: no server error, and every status and body is documented.

    Positive-data acceptance is left out here only: editor writes have rules a JSON schema cannot
    state (a span must fit the body, a referenced slug must exist, a precision needs a date), and
    those refusals are documented 404/409/422 answers, tested one by one in test_api_editor.py.
    """
    case.call_and_validate(headers=editor_headers, excluded_checks=[_positive_data_acceptance()])
