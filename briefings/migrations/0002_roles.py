"""Create the two editorial roles: Annotators and Editors."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = ["article", "actor", "event", "eventparticipant", "quote", "mention", "place"]
READ_ONLY_MODELS = ["revision", "auditentry"]


def codenames(actions, models):
    return [f"{action}_{model}" for action in actions for model in models]


ROLES = {
    "Annotators": codenames(["add", "change", "view"], CONTENT_MODELS)
    + codenames(["view"], READ_ONLY_MODELS),
    "Editors": codenames(["add", "change", "delete", "view"], CONTENT_MODELS)
    + codenames(["view"], READ_ONLY_MODELS)
    + ["publish_article"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrations; make sure they exist now.
    app_config = apps.get_app_config("briefings")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="briefings", codename__in=wanted
        )
        missing = set(wanted) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for role {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
