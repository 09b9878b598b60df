from django.db import migrations

# briefings.changes: every committed write to the app's tables, by anyone, is announced on one
# channel, so each worker knows when what it kept may have changed. Statement triggers: a bulk
# write announces once, and PostgreSQL sends one notification per transaction and channel.
FUNCTION = """CREATE FUNCTION briefings_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('briefings_changed', '');
    RETURN NULL;
END $$"""
TRIGGER = (
    'CREATE TRIGGER briefings_announce_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{}"'
    " FOR EACH STATEMENT EXECUTE FUNCTION briefings_announce_change()"
)


def tables(apps) -> list[str]:
    models = apps.get_app_config("briefings").get_models(include_auto_created=True)
    return sorted({model._meta.db_table for model in models})


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite runs in the worker's process: nothing to announce across workers.
    schema_editor.execute(FUNCTION)
    for table in tables(apps):
        schema_editor.execute(TRIGGER.format(table))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION briefings_announce_change() CASCADE")


class Migration(migrations.Migration):
    dependencies = [("briefings", "0009_article_facets")]

    operations = [migrations.RunPython(forwards, backwards)]
