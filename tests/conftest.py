"""Shared test data: the shipped fixtures, users by role, and settings every test needs."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

from .helpers import restore_staff_groups

# Registry files for tests that need separate processes on one database (tests/processes.py).
from .processes import shipped_sqlite_template, sqlite_registry  # noqa: F401

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _downloads_in_a_temporary_directory(settings, tmp_path):
    """Full downloads are written to files: each test gets a directory of its own."""
    settings.DOWNLOADS_DIR = tmp_path / "downloads"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The test users' passwords are hashed cheaply: the strength of the hash is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_cache(settings):
    """Tests run without a cache unless they ask for one (the ``page_cache`` fixture): most read
    the response's template context, which a page answered from the cache does not have."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture(autouse=True)
def _staff_groups(request):
    """The staff groups, as their migrations made them, for every test that uses the database.

    A browser test (a transactional test, for the live server) empties every table when it
    ends, the rows that data migrations wrote included; a test that runs after it in the same
    process would otherwise find no groups, or groups without the rights later migrations gave.
    """
    if "db" not in request.fixturenames or request.node.get_closest_marker("browser"):
        return
    request.getfixturevalue("db")
    if Group.objects.filter(name__in=["Registry editors", "Registry viewers"]).count() < 2:
        restore_staff_groups()


@pytest.fixture
def page_cache(settings):
    """An empty per-process cache, as a server process has when no cache is configured."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def registry(db):
    """The data the project ships: fixtures/registry.json, loaded as `make run` loads it."""
    call_command("loaddata", "fixtures/registry.json", verbosity=0)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("alice", "alice@example.org", PASSWORD)


@pytest.fixture
def editor(db, django_user_model):
    """Staff in "Registry editors": view, add, change and publish, but not delete."""
    user = django_user_model.objects.create_user("erin", "erin@example.org", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Registry editors"))
    return user


@pytest.fixture
def viewer(db, django_user_model):
    """Staff in "Registry viewers": may look at everything in the admin and change nothing."""
    user = django_user_model.objects.create_user("victor", "victor@example.org", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Registry viewers"))
    return user


@pytest.fixture
def non_staff_user(db, django_user_model):
    """An account without staff status, such as one whose access to the admin was withdrawn."""
    return django_user_model.objects.create_user("nadia", "nadia@example.org", PASSWORD)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
