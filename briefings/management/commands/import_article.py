import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from briefings.importer import ImportProblem, derive_title, prepare
from briefings.models import Article, AuditEntry


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--dateline {value!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Import a plain-text wire story as a draft article and print its slug."

    def add_arguments(self, parser):
        parser.add_argument("path", help="UTF-8 plain-text file, at most 1 MB")
        parser.add_argument("--dateline", required=True, help="YYYY-MM-DD the story is dated")
        parser.add_argument("--source", default="", help="Publisher, e.g. 'France 24'")
        parser.add_argument("--source-url", default="")
        parser.add_argument("--title", default="", help="Headline (default: first sentence)")
        parser.add_argument("--language", default="en")
        parser.add_argument(
            "--translated-from", default="", help="Language code of the original, e.g. fr"
        )

    def handle(self, *args, **opts):
        dateline = parse_date(opts["dateline"])
        path = Path(opts["path"])
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        if not path.is_file():
            raise CommandError(f"{path}: not a regular file")
        try:
            prepared = prepare(path.read_bytes())
        except ImportProblem as exc:
            raise CommandError(f"{path}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None

        existing = Article.objects.filter(import_checksum=prepared.checksum).first()
        if existing:
            self.stderr.write(f"Already imported as {existing.slug}; nothing changed.")
            self.stdout.write(existing.slug)
            return

        title = " ".join(opts["title"].split()) or derive_title(prepared)
        if len(title) > 300:
            raise CommandError(f"--title is {len(title)} characters; the limit is 300")
        with transaction.atomic():
            article = Article.objects.create(
                title=title,
                slug=Article.objects.unique_slug(title),
                body=prepared.body,
                source=opts["source"],
                source_url=opts["source_url"],
                agency=prepared.agency,
                language=opts["language"],
                translated_from=opts["translated_from"],
                dateline=dateline,
                import_checksum=prepared.checksum,
            )
            article.make_revision(message=f"Imported from {path.name}")
            AuditEntry.record(
                AuditEntry.Action.IMPORTED, article=article, detail=f"Imported from {path.name}"
            )

        for heading in prepared.headings:
            self.stderr.write(f"Subheading kept: {heading}")
        if prepared.agency:
            self.stderr.write(f"Agency credit moved out of the body: {prepared.agency}")
        for line in prepared.removed:
            self.stderr.write(f"Removed page furniture: {line}")
        self.stdout.write(article.slug)
