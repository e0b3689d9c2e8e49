"""Login throttling that an attacker cannot turn against staff (partnerships/lockout.py).

Failures lock one user name from one client address; one address is limited across all user
names; behind trusted proxies each client is counted on its own address; a refused attempt
says when to try again; staff can lift a lock.
"""

import pytest
from django.core.management import call_command

from .conftest import PASSWORD

LOGIN_URL = "/admin/login/"
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.5"
STAFF = "198.51.100.7"


def log_in(client, password, username="erin", **meta):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **meta)


def via_proxy(address, forwarded_by_client=""):
    """A request through one proxy, which appends the address it was reached from."""
    chain = f"{forwarded_by_client}, {address}" if forwarded_by_client else address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def test_the_lockout_answer_says_when_to_try_again(client, editor):
    for _ in range(5):
        response = log_in(client, "wrong password", REMOTE_ADDR=ATTACKER)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"


def test_behind_a_trusted_proxy_an_attacker_locks_only_their_own_address(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        log_in(client, "wrong password", **via_proxy(ATTACKER))
    assert log_in(client, PASSWORD, **via_proxy(ATTACKER)).status_code == 429

    response = log_in(client, PASSWORD, **via_proxy(STAFF))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_an_address_forged_by_the_client_before_the_proxys_is_ignored(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(5):
        log_in(client, "wrong password", **via_proxy(ATTACKER, forwarded_by_client=f"192.0.2.{number}"))

    assert log_in(client, PASSWORD, **via_proxy(ATTACKER, forwarded_by_client=STAFF)).status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, editor):
    for number in range(5):
        log_in(client, "wrong password", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert log_in(client, PASSWORD, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=STAFF).status_code == 429


def test_an_address_trying_many_user_names_is_stopped(client, editor, settings):
    """Password spraying: one password against many names, each name failing only once."""
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        response = log_in(client, "Summer2026!", username=f"user{number}", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert log_in(client, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429

    assert log_in(client, PASSWORD, REMOTE_ADDR=STAFF).status_code == 302


def test_fewer_failures_from_an_address_than_its_limit_lock_no_other_name(client, editor, settings):
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS - 1):
        log_in(client, "wrong password", username=f"user{number}", REMOTE_ADDR=STAFF)

    assert log_in(client, PASSWORD, REMOTE_ADDR=STAFF).status_code == 302


@pytest.mark.parametrize("command, argument", [("axes_reset_username", "erin"), ("axes_reset_ip", ATTACKER)])
def test_staff_can_lift_a_lock(client, editor, command, argument):
    for _ in range(5):
        log_in(client, "wrong password", REMOTE_ADDR=ATTACKER)
    assert log_in(client, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429

    call_command(command, argument, verbosity=0)

    assert log_in(client, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302
