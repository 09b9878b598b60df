"""Backups restore: a backup of one kind of database, restored into an empty database of the
other kind (SQLite → PostgreSQL when the suite runs on SQLite, PostgreSQL → SQLite when it runs on
PostgreSQL), holds the same rows and serves the same API answers for every briefing."""

import datetime
import io
import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from briefings.models import Actor, Article, Event, Mention, Place, Quote, Suggestion

from .conftest import make_user

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("BRIEFINGS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def canonical_rows() -> list[dict]:
    """Every row as dumpdata writes it (natural keys), in an order no database sets.

    The exclusions are spelled out here rather than taken from the backup command, so that a
    model dropped from the backup by mistake shows up as missing rows.
    """
    out = io.StringIO()
    call_command(
        "dumpdata", natural_foreign=True, natural_primary=True, stdout=out,
        exclude=["contenttypes", "auth.permission", "sessions", "briefings.articlefacet"],
    )  # fmt: skip
    return sorted(json.loads(out.getvalue()), key=lambda row: json.dumps(row, sort_keys=True))


def api_answers() -> dict[str, dict]:
    """The API's detail and annotations for every published briefing, once the API is routed."""
    try:
        resolve("/api/briefings")
    except Resolver404:
        return {}
    client = Client()
    answers = {}
    for slug in Article.objects.published().order_by("slug").values_list("slug", flat=True):
        answers[slug] = {}
        for name, url in (
            ("detail", f"/api/briefings/{slug}"),
            ("annotations", f"/api/briefings/{slug}/annotations"),
        ):
            response = client.get(url)
            answers[slug][name] = {"status": response.status_code, "body": response.json()}
    answers["_list"] = {"body": Client().get("/api/briefings").json()}
    return answers


def snapshot() -> dict:
    """What a restore must preserve; also run inside the restored database by a subprocess."""
    return {"rows": canonical_rows(), "api": api_answers()}


def manage(database_url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def snapshot_of(database_url: str) -> dict:
    script = "import json; from tests.test_backup import snapshot; print(json.dumps(snapshot()))"
    return json.loads(manage(database_url, "shell", "-c", script).strip().splitlines()[-1])


@pytest.fixture
def empty_database_of_the_other_kind(tmp_path):
    """A new, empty database URL of the kind the suite is not running on; dropped afterwards."""
    if connection.vendor == "sqlite":
        import psycopg

        name = f"briefings_restore_{uuid.uuid4().hex[:12]}"
        try:
            admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True)
        except psycopg.OperationalError as error:
            pytest.skip(f"PostgreSQL is needed to restore a SQLite backup into: {error}")
        with admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                yield f"{POSTGRES_SERVER}/{name}"
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"


@pytest.fixture
def whole_site(seed):
    """The seed briefing plus a row of every other kind, with the awkward values backups lose:
    non-ASCII text, JSON, decimals, nulls, unpublished work and the admin's history."""
    editor = make_user("eddie", "Editors", first_name="Édouard", email="eddie@example.org")
    annie = make_user("annie", "Annotators")
    place = Place.objects.create(
        name="Rafah crossing", slug="rafah-crossing", country="Égypte",
        latitude=Decimal("31.24861"), longitude=Decimal("34.25944"),
    )  # fmt: skip
    actor = Actor.objects.create(
        name="Sameh Shoukry", slug="sameh-shoukry-test", kind=Actor.Kind.PERSON,
        aliases=["Choukri", "سامح شكري", "Shoukry 🇪🇬"], wikidata_id="Q1165433",
    )  # fmt: skip
    event = Event.objects.create(
        title="Talks at the crossing", slug="talks-at-the-crossing", kind=Event.Kind.MEETING,
        date=datetime.date(2023, 2, 1), date_precision=Event.Precision.MONTH,
        date_text="in February", place=place, fatalities=None, injured=0,
    )  # fmt: skip
    body = (
        "Sameh Shoukry met envoys at Rafah.\n\n## Next steps\n\n"
        "“We will keep the crossing open,” he said — «sans délai».\n\nWith AFP"
    )
    draft = Article.objects.create(
        title="Shoukry at Rafah — brouillon ✎", slug="shoukry-at-rafah", body=body,
        dateline=datetime.date(2023, 1, 31), source="France 24", translated_from="fr",
        created_by=annie,
    )  # fmt: skip
    quote = Quote.objects.create(
        article=draft, text="We will keep the crossing open", kind="direct"
    )
    Mention.objects.create(
        article=draft, start=0, end=13, exact="Sameh Shoukry", actor=actor, author=annie,
        note="Spelling as in the AFP style book",
    )  # fmt: skip
    start = body.index("We will")
    Mention.objects.create(
        article=draft, start=start, end=start + 30, exact=body[start : start + 30], quote=quote,
        status=Mention.Status.SUGGESTED, confidence=0.75, reason="quotation marks",
    )  # fmt: skip
    Mention.objects.create(article=draft, start=29, end=34, exact="Rafah", place=place)
    Mention.objects.create(article=draft, start=14, end=17, exact="met", event=event)
    Suggestion.objects.create(
        article=draft, kind=Suggestion.Kind.ACTOR, start=0, end=13, exact="Sameh Shoukry",
        actor=actor, value={"names": ["Choukri"], "score": 0.9}, reason="alias match: Choukri",
        confidence=0.9,
    )  # fmt: skip
    draft.make_revision(annie, "Imported by hand")
    seed.make_revision(editor, "Checked before publication")
    draft.submit_for_review(annie)
    LogEntry.objects.create(
        user=editor, content_type=ContentType.objects.get_for_model(Article),
        object_id=str(draft.pk), object_repr=str(draft), action_flag=ADDITION,
        change_message=json.dumps([{"added": {}}]),
    )  # fmt: skip
    return seed


def test_backup_restores_into_the_other_kind_of_database(
    whole_site, tmp_path, empty_database_of_the_other_kind
):
    """`backup`, then `migrate` and `loaddata` into an empty database of the other kind: every
    row and every API answer is identical; loading the same backup again changes nothing."""
    backup = tmp_path / "site-backup.json.gz"
    call_command("backup", str(backup), stderr=io.StringIO())
    before = snapshot()
    assert {row["model"] for row in before["rows"]} >= {
        "auth.user", "auth.group", "admin.logentry", "briefings.article", "briefings.actor",
        "briefings.event", "briefings.eventparticipant", "briefings.place", "briefings.quote",
        "briefings.mention", "briefings.revision", "briefings.auditentry", "briefings.suggestion",
    }  # fmt: skip

    target = empty_database_of_the_other_kind
    manage(target, "migrate", "--no-input", "--verbosity", "0")
    manage(target, "loaddata", str(backup))
    restored = snapshot_of(target)
    assert restored["rows"] == before["rows"]
    assert restored["api"] == before["api"]

    manage(target, "loaddata", str(backup))
    assert snapshot_of(target)["rows"] == before["rows"]


def test_restored_site_logs_users_in_and_keeps_working(
    whole_site, tmp_path, empty_database_of_the_other_kind
):
    """After a restore editors log in with their old passwords and new rows get fresh ids
    (database sequences follow the restored rows)."""
    backup = tmp_path / "site-backup.json"
    call_command("backup", str(backup), stderr=io.StringIO())
    target = empty_database_of_the_other_kind
    manage(target, "migrate", "--no-input", "--verbosity", "0")
    manage(target, "loaddata", str(backup))
    script = (
        "from django.contrib.admin.models import LogEntry\n"
        "from django.test import Client\n"
        "from briefings.models import Article\n"
        "c = Client()\n"
        "assert c.login(username='eddie', password='correct-horse-battery')\n"
        "assert c.get('/admin/').status_code == 200\n"
        "draft = Article.objects.get(slug='shoukry-at-rafah')\n"
        "from django.contrib.auth.models import User\n"
        "from django.contrib.contenttypes.models import ContentType\n"
        "entry = LogEntry.objects.create(user=User.objects.get(username='eddie'),\n"
        "    content_type=ContentType.objects.get_for_model(Article), object_id=str(draft.pk),\n"
        "    object_repr=str(draft), action_flag=2)\n"
        "print(entry.pk, draft.revisions.count(), draft.status)\n"
    )
    entry_pk, revisions, status = manage(target, "shell", "-c", script).split()[-3:]
    assert int(entry_pk) > max(LogEntry.objects.values_list("pk", flat=True))
    assert int(revisions) == 1
    assert status == Article.Status.IN_REVIEW


def test_backup_refuses_an_unknown_file_kind(tmp_path, db):
    """The backup's file name says its format; anything else is refused before any work."""
    with pytest.raises(CommandError, match=r"must end in \.json, \.json\.gz"):
        call_command("backup", str(tmp_path / "backup.zip"))
