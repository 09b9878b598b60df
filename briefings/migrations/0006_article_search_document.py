from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """SQL that only PostgreSQL runs: full-text search there uses this column and index;
    elsewhere (SQLite) briefings.search matches words with LIKE and needs neither."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# The vector migration 0004 indexed as an expression, now stored: a common word matches most
# briefings, and checking the newest of them one by one would compute each text's vector again
# (milliseconds each); the stored one is read instead.
ARTICLE_DOCUMENT = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(standfirst, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'C')"
)


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0005_filter_indexes"),
    ]

    operations = [
        PostgreSQLOnly(
            [
                "ALTER TABLE briefings_article ADD COLUMN search_document tsvector"
                f" GENERATED ALWAYS AS ({ARTICLE_DOCUMENT}) STORED",
                "DROP INDEX IF EXISTS article_search",
                "CREATE INDEX article_search ON briefings_article USING gin (search_document)",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS article_search",
                "ALTER TABLE briefings_article DROP COLUMN IF EXISTS search_document",
                f"CREATE INDEX article_search ON briefings_article USING gin (({ARTICLE_DOCUMENT}))",
            ],
        ),
    ]
