from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# Rebuilt by `migrate` on the database restored into (content types, permissions), by the
# database itself as the mentions are loaded (article facets), or worthless after a restore
# (sessions: editors log in again). Everything else is the site: articles, annotations,
# revisions, audit trail, suggestions, users and groups, and the admin's history.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "briefings.articlefacet"]
FORMATS = (".json", ".json.gz", ".json.bz2", ".json.xz")


class Command(BaseCommand):
    help = (
        "Write a portable backup of the whole site to PATH: JSON with natural keys, restorable "
        "with `migrate` and `loaddata PATH` into an empty SQLite or PostgreSQL database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=f"output file, ending in {', '.join(FORMATS)}")

    def handle(self, *args, path: str, **options):
        if not path.endswith(FORMATS):
            raise CommandError(f"{path}: the file name must end in {', '.join(FORMATS)}")
        outermost = not connection.in_atomic_block
        # One transaction, so the backup is one consistent moment even while editors work:
        # a mention is never saved without the quote it points to.
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                natural_foreign=True,
                natural_primary=True,
                exclude=EXCLUDED,
                output=path,
                verbosity=0,
            )
        self.stderr.write(f"Backup written to {path}")
