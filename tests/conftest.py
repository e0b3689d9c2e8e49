"""Shared test data: the shipped fixtures, users by role, and settings every test needs."""

import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STATIC_ROOT = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _no_cache(settings):
    """Tests run without a cache unless they ask for one (the ``page_cache`` fixture): most read
    the response's template context, which a page answered from the cache does not have."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


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
    return django_user_model.objects.create_superuser("alice", "alice@example.org", "correct-horse-battery")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
