"""Helpers for reading responses in tests."""

import json


def body(response):
    """The whole body of a response, streamed or not, as text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def export_json(client, url, params=None):
    """The JSON download of a register URL as a list of rows."""
    response = client.get(url, {**(params or {}), "format": "json"})
    assert response.status_code == 200, body(response)
    return json.loads(body(response))
