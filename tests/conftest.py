import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

SEED_FIXTURE = "fixtures/seed_briefing.json"


@pytest.fixture
def seed(db):
    """The annotated seed briefing, loaded as an operator would."""
    from briefings.models import Article

    call_command("loaddata", SEED_FIXTURE, verbosity=0)
    return Article.objects.get(slug="blinken-cairo-israeli-palestinian-violence")


def make_user(username: str, *groups: str, staff: bool = True, **extra) -> User:
    user = User.objects.create_user(
        username=username, password="correct-horse-battery", is_staff=staff, **extra
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def annotator(db) -> User:
    return make_user("annie", "Annotators")


@pytest.fixture
def editor(db) -> User:
    return make_user("eddie", "Editors")


@pytest.fixture
def reader(db) -> User:
    """A logged-in user with no staff rights."""
    return make_user("rita", staff=False)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: no rendered page or counter from another test."""
    from django.core.cache import cache

    cache.clear()
