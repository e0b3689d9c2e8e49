"""Two editors press Save at the same instant, each in a server thread with a connection of its own.

Used by tests/test_simultaneous_saves.py in the test process (PostgreSQL) and in a process of its
own against a SQLite file (``python -m tests.simultaneous_saves same|different`` prints the outcomes).
"""

import contextlib
import sys
import threading

SAVED, REFUSED = "saved", "refused with the edit-conflict message"
CONFLICT_MESSAGE = "Someone else changed this organisation"


def two_editors_save(slugs, summaries=("Summary typed by the first editor.", "Summary typed by the second editor.")):
    """Each editor opens the change page of the organisation with their slug, types a summary and
    saves; both saves reach the database together. Returns [(slug, summary, outcome)], where a
    refusal counts only if the form came back with what the editor typed."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from partnerships.admin import VersionedForm
    from partnerships.models import Organisation

    from .admin_forms import organisation_form

    user, _ = get_user_model().objects.get_or_create(
        username="simultaneous", defaults={"is_staff": True, "is_superuser": True}
    )
    forms = []
    for slug, summary in zip(slugs, summaries, strict=True):
        organisation = Organisation.objects.get(slug=slug)
        url = reverse("admin:partnerships_organisation_change", args=[organisation.pk])
        forms.append((slug, url, organisation_form(organisation, summary=summary)))

    # Each save waits here, inside its request's transaction and after reading the record, for
    # the other, so that both have read before either writes. Where the database makes the second
    # transaction wait for the first to end before it reads, the first stops waiting after a
    # moment (the barrier breaks) and the second then passes straight through.
    both_read = threading.Barrier(2)
    check_version = VersionedForm.clean

    def clean_when_both_have_read(form):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=2)
        return check_version(form)

    outcomes = {}

    def save(slug, url, data):
        try:
            browser = Client(raise_request_exception=False)
            browser.force_login(user)
            response = browser.post(url, data)
            content = response.content.decode()
            if response.status_code == 302:
                outcomes[slug, data["summary"]] = SAVED
            elif (
                response.status_code == 200
                and CONFLICT_MESSAGE in content
                and f"{data['summary']}</textarea>" in content
            ):
                outcomes[slug, data["summary"]] = REFUSED
            else:
                outcomes[slug, data["summary"]] = f"answered {response.status_code}"
        finally:
            connection.close()

    VersionedForm.clean = clean_when_both_have_read
    try:
        editors = [threading.Thread(target=save, args=form) for form in forms]
        for editor in editors:
            editor.start()
        for editor in editors:
            editor.join(timeout=60)
    finally:
        VersionedForm.clean = check_version
    return sorted((slug, summary, outcome) for (slug, summary), outcome in outcomes.items())


if __name__ == "__main__":
    import json

    import django

    django.setup()
    print(json.dumps(two_editors_save(["who", "who"] if sys.argv[1] == "same" else ["who", "iom"])))
