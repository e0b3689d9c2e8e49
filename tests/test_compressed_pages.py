"""Kept pages are kept gzip-compressed too and given so to clients that accept gzip: the same
bytes on the first answer and every cached one, under an ETag of their own, and a client
holding either copy of the current version is answered 304."""

import gzip

import pytest
from django.core.cache import cache, caches

from partnerships.caching import Representation, public_page_of

from .helpers import body

pytestmark = pytest.mark.usefixtures("registry", "page_cache")

GZIP = {"accept_encoding": "gzip, deflate, br"}
# A page, a TemplateResponse (the sitemap), the API, a feed and the catalogue. (Streamed
# downloads are not kept, so not compressed either: the server in front compresses those.)
LARGE_ANSWERS = [
    "/cooperation/",
    "/sitemap-cooperation.xml",
    "/api/v1/organisations/",
    "/cooperation/feed/",
    "/catalog.ttl",
]


@pytest.mark.parametrize("url", LARGE_ANSWERS)
def test_a_client_accepting_gzip_gets_the_same_compressed_bytes_first_and_from_the_cache(client, url):
    plain = client.get(url)
    cache.clear()
    first, cached = client.get(url, headers=GZIP), client.get(url, headers=GZIP)

    for response in (first, cached):
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert int(response["Content-Length"]) == len(response.content)
        assert gzip.decompress(response.content) == plain.content
    assert first.content == cached.content
    assert first["ETag"] == cached["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert "accept-encoding" in first["Vary"].lower()


@pytest.mark.parametrize("accept_encoding", [None, "identity", "gzip;q=0", "br", "*;q=0"])
def test_a_client_not_accepting_gzip_gets_the_answer_as_it_is(client, accept_encoding):
    headers = {"accept_encoding": accept_encoding} if accept_encoding else {}
    client.get("/cooperation/", headers=headers)
    response = client.get("/cooperation/", headers=headers)
    assert not response.has_header("Content-Encoding")
    assert b"<html" in response.content
    assert not response["ETag"].endswith('-gzip"')


@pytest.mark.parametrize("held", ["gzip", "plain"])
def test_a_client_holding_either_copy_of_the_current_version_is_answered_304(client, held):
    etag = client.get("/cooperation/", headers=GZIP if held == "gzip" else {})["ETag"]
    response = client.get("/cooperation/", headers={**GZIP, "if_none_match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_a_head_request_names_the_compressed_length_without_a_body(client):
    full = client.get("/cooperation/", headers=GZIP)
    head = client.head("/cooperation/", headers=GZIP)
    assert head.content == b""
    assert head["Content-Encoding"] == "gzip"
    assert head["Content-Length"] == str(len(full.content))


def test_a_small_answer_is_not_compressed(client):
    client.get("/robots.txt", headers=GZIP)
    response = client.get("/robots.txt", headers=GZIP)
    assert len(body(response)) < 1024
    assert not response.has_header("Content-Encoding")


def test_a_page_kept_by_an_earlier_release_without_its_compressed_copy_is_given_as_it_is(client, rf):
    fresh = client.get("/cooperation/")
    request = rf.get("/cooperation/")
    key = Representation(request, public_page_of(request)).key
    cache.delete(f"{key}:gzip")  # an earlier release kept the page as it is only

    response = client.get("/cooperation/", headers=GZIP)

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert response.content == fresh.content


def test_a_hit_reads_only_the_copy_it_gives(client, monkeypatch):
    """The kept copies are two entries: a client taking gzip does not unpickle the plain page."""
    client.get("/cooperation/")
    read = []
    backend = type(caches["default"])
    original = backend.get

    def get(self, key, *args, **kwargs):
        read.append(key)
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", get)

    client.get("/cooperation/", headers=GZIP)
    client.get("/cooperation/")

    pages = [key for key in read if key.startswith("partnerships:page:")]
    assert len(pages) == 2 and pages[0] == pages[1] + ":gzip"
