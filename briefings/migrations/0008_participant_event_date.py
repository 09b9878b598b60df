from django.db import migrations, models


class ForVendor(migrations.RunSQL):
    """SQL for one database vendor only: the triggers are written in each one's dialect."""

    def __init__(self, vendor: str, sql, reverse_sql):
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


COPY_DATE = (
    "UPDATE briefings_eventparticipant SET event_date = ("
    "SELECT date FROM briefings_event WHERE briefings_event.id = briefings_eventparticipant.event_id)"
)

POSTGRESQL = [
    # A participation takes its event's date whenever it is written, and keeps it when the
    # event's date changes.
    """
    CREATE FUNCTION briefings_participant_event_date() RETURNS trigger AS $$
    BEGIN
        NEW.event_date := (SELECT date FROM briefings_event WHERE id = NEW.event_id);
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER participant_event_date BEFORE INSERT OR UPDATE ON briefings_eventparticipant
    FOR EACH ROW EXECUTE FUNCTION briefings_participant_event_date()
    """,
    """
    CREATE FUNCTION briefings_event_date_to_participants() RETURNS trigger AS $$
    BEGIN
        UPDATE briefings_eventparticipant SET event_date = NEW.date WHERE event_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER event_date_to_participants AFTER UPDATE OF date ON briefings_event
    FOR EACH ROW WHEN (OLD.date IS DISTINCT FROM NEW.date)
    EXECUTE FUNCTION briefings_event_date_to_participants()
    """,
    COPY_DATE,
    # An actor's events latest first, the undated last (briefings.views.participations_of): a
    # page is read from here, and only ties of one day are sorted. SQLite cannot put NULLS LAST
    # in an index, and its small databases do without.
    "CREATE INDEX participant_actor_latest ON briefings_eventparticipant"
    " (actor_id, event_date DESC NULLS LAST)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS participant_actor_latest",
    "DROP TRIGGER IF EXISTS event_date_to_participants ON briefings_event",
    "DROP FUNCTION IF EXISTS briefings_event_date_to_participants()",
    "DROP TRIGGER IF EXISTS participant_event_date ON briefings_eventparticipant",
    "DROP FUNCTION IF EXISTS briefings_participant_event_date()",
]

# SQLite's triggers run after the write; they do not fire themselves again (recursive triggers
# are off unless a connection turns them on). Django rebuilds a SQLite table to alter one of its
# columns, which drops the table's triggers: a later migration that rebuilds the events or the
# participations table there must create them again (tests/test_models.py fails otherwise).
PARTICIPANT_DATE = (
    "UPDATE briefings_eventparticipant SET event_date = "
    "(SELECT date FROM briefings_event WHERE id = NEW.event_id) WHERE id = NEW.id"
)
SQLITE = [
    f"""
    CREATE TRIGGER participant_event_date_insert AFTER INSERT ON briefings_eventparticipant
    BEGIN {PARTICIPANT_DATE}; END
    """,
    f"""
    CREATE TRIGGER participant_event_date_update AFTER UPDATE ON briefings_eventparticipant
    BEGIN {PARTICIPANT_DATE}; END
    """,
    """
    CREATE TRIGGER event_date_to_participants AFTER UPDATE OF date ON briefings_event
    BEGIN
        UPDATE briefings_eventparticipant SET event_date = NEW.date WHERE event_id = NEW.id;
    END
    """,
    COPY_DATE,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS event_date_to_participants",
    "DROP TRIGGER IF EXISTS participant_event_date_update",
    "DROP TRIGGER IF EXISTS participant_event_date_insert",
]


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0007_list_order_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventparticipant",
            name="event_date",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        ForVendor("postgresql", POSTGRESQL, POSTGRESQL_REVERSE),
        ForVendor("sqlite", SQLITE, SQLITE_REVERSE),
    ]
