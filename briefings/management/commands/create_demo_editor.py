from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "editor"
DEMO_PASSWORD = "briefings-demo-editor"


class Command(BaseCommand):
    help = "Create (or reset) the local demo editor account and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=DEMO_USERNAME)
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args, **opts):
        if not settings.DEBUG:
            raise CommandError(
                "The demo editor has a published password; it is only created when DJANGO_DEBUG=1."
            )
        user, created = User.objects.get_or_create(username=opts["username"])
        user.is_staff = True
        user.is_superuser = False
        user.set_password(opts["password"])
        user.save()
        user.groups.add(Group.objects.get(name="Editors"))
        verb = "Created" if created else "Reset"
        self.stdout.write(
            f"{verb} demo editor — log in at http://127.0.0.1:8000/admin/ "
            f"as {opts['username']!r} with password {opts['password']!r}"
        )
