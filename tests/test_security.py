"""Production security: HTTPS, security headers, secure cookies, login throttling, and an admin
that works under a Content-Security-Policy without 'unsafe-inline'."""

import datetime
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from partnerships.models import Agreement, CooperationActivity, Organisation

from .admin_forms import empty_inlines
from .conftest import PASSWORD

# django-csp writes the directives in no fixed order.
CONTENT_SECURITY_POLICY = {
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# A public URL that does not exist (yet): public responses, 404s included, carry the headers.
PUBLIC_URL = "/organisations/no-such/"
LOGIN_URL = "/admin/login/"


def security_headers(response):
    headers = {name: response.get(name) for name in SECURITY_HEADERS}
    headers["Content-Security-Policy"] = {d.strip() for d in headers["Content-Security-Policy"].split(";")}
    return headers


@pytest.mark.parametrize("url", [PUBLIC_URL, LOGIN_URL])
def test_responses_carry_the_security_headers(client, db, url):
    response = client.get(url, secure=True)

    assert security_headers(response) == SECURITY_HEADERS


def test_plain_http_is_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(LOGIN_URL)

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/"


def test_behind_a_tls_proxy_the_forwarded_scheme_is_trusted_only_when_configured(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(LOGIN_URL, headers={"x-forwarded-proto": "https"}).status_code == 301

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get(LOGIN_URL, headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == SECURITY_HEADERS["Strict-Transport-Security"]


def test_the_session_and_csrf_cookies_are_secure(client, superuser):
    login_page = client.get(LOGIN_URL, secure=True)
    response = client.post(LOGIN_URL, {"username": "alice", "password": PASSWORD, "next": "/admin/"}, secure=True)

    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True
    assert login_page.cookies["csrftoken"]["secure"] is True


def log_in(client, password, address="192.0.2.10"):
    return client.post(LOGIN_URL, {"username": "erin", "password": password}, REMOTE_ADDR=address, secure=True)


def test_five_failed_logins_lock_the_login(client, editor):
    for _ in range(4):
        response = log_in(client, "wrong password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    fifth = log_in(client, "wrong password")
    with_the_right_password = log_in(client, PASSWORD)

    assert fifth.status_code == 429
    assert "Too many failed login attempts: logging in is locked for 15 minutes." in fifth.content.decode()
    assert with_the_right_password.status_code == 429
    assert "_auth_user_id" not in client.session
    assert security_headers(fifth) == SECURITY_HEADERS


def test_the_lock_applies_to_one_user_name_from_one_address(client, editor):
    for _ in range(5):
        log_in(client, "wrong password")

    response = log_in(client, PASSWORD, address="198.51.100.7")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_the_lock_lifts_after_the_configured_time(client, editor, settings):
    for _ in range(5):
        log_in(client, "wrong password")
    assert log_in(client, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=15, seconds=1))
    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_a_successful_login_starts_the_count_again(client, editor):
    for _ in range(4):
        log_in(client, "wrong password")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert log_in(client, "wrong password").status_code == 200


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block in a page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}>")
            if name == "style":
                self.found.append(f"style attribute {value!r} on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL on <{tag}>")


def inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


def admin_pages(organisation, activity, agreement):
    """The admin pages an editor uses, with every widget the registry's forms have."""
    yield reverse("admin:index")
    for model in (Organisation, Agreement, CooperationActivity):
        name = model._meta.model_name
        yield reverse(f"admin:partnerships_{name}_changelist")
        yield reverse(f"admin:partnerships_{name}_add")
    yield reverse("admin:partnerships_organisation_changelist") + "?has_areas=no&q=x"
    yield reverse("admin:partnerships_organisation_change", args=[organisation.pk])
    yield reverse("admin:partnerships_cooperationactivity_change", args=[activity.pk])
    yield reverse("admin:partnerships_agreement_change", args=[agreement.pk])
    yield reverse("admin:partnerships_organisation_delete", args=[organisation.pk])
    yield reverse("admin:partnerships_organisation_history", args=[organisation.pk])
    yield reverse(
        "admin:partnerships_organisation_simple_history", args=[organisation.pk, organisation.history.first().pk]
    )
    yield reverse(
        "admin:partnerships_organisation_history_compare", args=[organisation.pk, organisation.history.first().pk]
    )
    for model in (Organisation, Agreement, CooperationActivity):
        yield reverse(f"admin:partnerships_{model._meta.model_name}_import")
    yield reverse("admin:partnerships_cooperationarea_changelist")
    yield reverse("admin:partnerships_region_add")
    yield reverse("admin:partnerships_sourcedocument_add")
    yield reverse("admin:password_change")


# The history list is the registry's own template (no inline style): nothing is let through.
HARMLESS = []


def test_the_admin_needs_no_inline_code(admin_client, registry):
    organisation = Organisation.objects.get(slug="iom")
    admin_client.post(
        reverse("admin:partnerships_organisation_change", args=[organisation.pk]),
        {
            "name": organisation.name,
            "acronym": organisation.acronym,
            "slug": organisation.slug,
            "kind": organisation.kind,
            "relationship": organisation.relationship,
            "summary": "Changed to give it a history.",
            "version": organisation.version,
            **empty_inlines("organisation"),
        },
    )
    agreement = Agreement.objects.create(title="Example", organisation=organisation, kind="other", status="in-force")
    activity = CooperationActivity.objects.get(slug="fields-deployment")

    for url in admin_pages(organisation, activity, agreement):
        response = admin_client.get(url, secure=True)
        assert response.status_code == 200, url
        assert [found for found in inline_code(response) if found not in HARMLESS] == [], url


def test_the_login_and_lockout_pages_need_no_inline_code(client, editor):
    assert inline_code(client.get(LOGIN_URL, secure=True)) == []
    for _ in range(5):
        response = log_in(client, "wrong password")
    assert response.status_code == 429
    assert inline_code(response) == []
