"""Staff roles: what each kind of user may do in the admin, and nothing more."""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from partnerships.models import Agreement, Organisation

from .admin_forms import organisation_form
from .helpers import restore_staff_groups

REGISTRY_MODELS = ["cooperationarea", "region", "sourcedocument", "organisation", "agreement", "cooperationactivity"]

LOGIN = "login page"  # redirected to the admin's login form, nothing done

ROLES = ["anonymous", "non_staff_user", "viewer", "editor", "superuser"]
EXPECTED = {
    # operation: what each role in ROLES gets
    "changelist": [LOGIN, LOGIN, 200, 200, 200],
    "add form": [LOGIN, LOGIN, 403, 200, 200],
    "add": [LOGIN, LOGIN, 403, 302, 302],
    "change form": [LOGIN, LOGIN, 200, 200, 200],
    "change": [LOGIN, LOGIN, 403, 302, 302],
    "delete form": [LOGIN, LOGIN, 403, 403, 200],
    "delete": [LOGIN, LOGIN, 403, 403, 302],
    # A viewer is offered no action, so the changelist simply shows again.
    "publish action": [LOGIN, LOGIN, 200, 302, 302],
}
MATRIX = [
    (operation, role, outcome)
    for operation, outcomes in EXPECTED.items()
    for role, outcome in zip(ROLES, outcomes, strict=True)
]


def admin_url(action, *args, model_name="organisation"):
    return reverse(f"admin:partnerships_{model_name}_{action}", args=args)


NEW_ORGANISATION = Organisation(
    name="European Example Organisation", acronym="EEO", slug="eeo", kind="intergovernmental", relationship="exploring"
)


@pytest.fixture
def draft(db):
    return Organisation.objects.create(
        name="Draft Organisation", acronym="DRAFT", slug="draft", kind="intergovernmental", relationship="exploring"
    )


@pytest.fixture
def client_as(client, request):
    """A test client logged in as the named role (not at all for "anonymous")."""

    def log_in(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return log_in


def request_operation(client, operation, draft):
    if operation == "changelist":
        return client.get(admin_url("changelist"))
    if operation == "add form":
        return client.get(admin_url("add"))
    if operation == "add":
        return client.post(admin_url("add"), organisation_form(NEW_ORGANISATION))
    if operation == "change form":
        return client.get(admin_url("change", draft.pk))
    if operation == "change":
        return client.post(
            admin_url("change", draft.pk),
            organisation_form(draft, summary="New"),
        )
    if operation == "delete form":
        return client.get(admin_url("delete", draft.pk))
    if operation == "delete":
        return client.post(admin_url("delete", draft.pk), {"post": "yes"})
    if operation == "publish action":
        return client.post(admin_url("changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    raise AssertionError(operation)


def database_effect(operation, draft):
    """Whether the operation left its mark on the database."""
    if operation == "add":
        return Organisation.objects.filter(slug="eeo").exists()
    if operation == "change":
        return Organisation.objects.get(pk=draft.pk).summary == "New"
    if operation == "delete":
        return not Organisation.objects.filter(pk=draft.pk).exists()
    if operation == "publish action":
        return Organisation.objects.get(pk=draft.pk).is_published
    return False


@pytest.mark.parametrize("operation, role, outcome", MATRIX, ids=[f"{o}-{r}" for o, r, _ in MATRIX])
def test_each_role_gets_exactly_what_it_is_allowed(client_as, draft, operation, role, outcome):
    response = request_operation(client_as(role), operation, draft)

    if outcome == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=")
    else:
        assert response.status_code == outcome
    assert database_effect(operation, draft) is (outcome == 302)


def a_shipped_record(model_name):
    """A record of the model from the shipped data, or a new agreement, as none is shipped."""
    if model_name == "agreement":
        return Agreement.objects.create(
            title="Example", organisation=Organisation.objects.get(slug="who"), kind="other", status="in-force"
        )
    return apps.get_model("partnerships", model_name).objects.order_by("pk").first()


@pytest.mark.parametrize("model_name", REGISTRY_MODELS)
@pytest.mark.parametrize("role, add, delete", [("viewer", 403, 403), ("editor", 200, 403), ("superuser", 200, 200)])
def test_the_roles_apply_to_every_registry_model(client_as, registry, model_name, role, add, delete):
    client = client_as(role)
    record = a_shipped_record(model_name)

    assert client.get(admin_url("changelist", model_name=model_name)).status_code == 200
    assert client.get(admin_url("change", record.pk, model_name=model_name)).status_code == 200
    assert client.get(admin_url("add", model_name=model_name)).status_code == add
    assert client.get(admin_url("delete", record.pk, model_name=model_name)).status_code == delete


@pytest.mark.parametrize("model_name", REGISTRY_MODELS)
@pytest.mark.parametrize("role, published", [("viewer", False), ("editor", True), ("superuser", True)])
def test_publishing_follows_the_role_for_every_publishable_model(client_as, registry, model_name, role, published):
    record = a_shipped_record(model_name)
    type(record).objects.filter(pk=record.pk).update(is_published=False)

    client_as(role).post(
        admin_url("changelist", model_name=model_name), {"action": "publish", "_selected_action": [record.pk]}
    )

    record.refresh_from_db()
    assert record.is_published is published


def test_the_groups_hold_exactly_the_permissions_of_their_role(db):
    """The migration creates the permissions it assigns, so this holds on a freshly migrated database."""
    editors = set(Group.objects.get(name="Registry editors").permissions.values_list("codename", flat=True))
    viewers = set(Group.objects.get(name="Registry viewers").permissions.values_list("codename", flat=True))

    assert viewers == {f"view_{model}" for model in [*REGISTRY_MODELS, "citation", "datedfact"]}
    assert editors == {
        f"{action}_{model}"
        for model in [*REGISTRY_MODELS, "citation", "datedfact"]
        for action in ("view", "add", "change")
    } | {f"publish_{model}" for model in REGISTRY_MODELS} | {
        # A citation is part of its record: editors remove a wrong one on the record's form.
        "delete_citation",
    }


@pytest.fixture
def change_only_user(db, django_user_model):
    """Staff who may edit organisations and agreements but not publish them."""
    user = django_user_model.objects.create_user("carl", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_organisation",
                "change_organisation",
                "view_agreement",
                "add_agreement",
                "change_agreement",
            ]
        )
    )
    return user


def test_without_the_publish_permission_the_form_cannot_publish(client, change_only_user, draft):
    client.force_login(change_only_user)

    response = client.post(
        admin_url("change", draft.pk),
        organisation_form(draft, summary="Edited", is_published="on"),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.summary, draft.is_published) == ("Edited", False)
    page = client.get(admin_url("change", draft.pk))
    assert "is_published" not in page.context["adminform"].form.fields


def test_without_the_publish_permission_the_actions_are_not_offered(client, change_only_user, draft):
    client.force_login(change_only_user)

    response = client.get(admin_url("changelist"))
    assert response.context["action_form"] is None  # neither publishing nor deleting is offered

    client.post(admin_url("changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert not draft.is_published


def test_without_the_publish_permission_an_agreement_cannot_be_published_inline(client, change_only_user, draft):
    client.force_login(change_only_user)
    form = organisation_form(
        draft,
        **{
            "agreements-TOTAL_FORMS": 1,
            "agreements-0-title": "Letter of intent",
            "agreements-0-kind": "letter-of-intent",
            "agreements-0-status": "in-force",
            "agreements-0-is_published": "on",
        },
    )

    response = client.post(admin_url("change", draft.pk), form)

    assert response.status_code == 302
    assert list(Agreement.objects.values_list("title", "is_published")) == [("Letter of intent", False)]


def test_an_editor_publishes_with_the_form(client, editor, draft):
    client.force_login(editor)

    client.post(
        admin_url("change", draft.pk),
        organisation_form(draft, is_published="on"),
    )

    draft.refresh_from_db()
    assert draft.is_published


def test_staff_groups_put_back_after_a_flush_have_every_right_their_migrations_gave(db):
    """A browser test empties every table; the groups come back with the rights of 0005, 0014 and 0017."""
    Group.objects.filter(name__in=["Registry editors", "Registry viewers"]).delete()
    restore_staff_groups()
    rights = {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.filter(name__in=["Registry editors", "Registry viewers"])
    }
    citations = import_module("partnerships.migrations.0014_staff_rights_for_citations").RIGHTS
    assert set(citations["Registry editors"]) <= rights["Registry editors"]
    assert set(citations["Registry viewers"]) <= rights["Registry viewers"]
    assert {"publish_cooperationarea", "publish_region", "publish_sourcedocument"} <= rights["Registry editors"]
    assert {"publish_organisation", "change_cooperationactivity"} <= rights["Registry editors"]
    assert not any(codename.startswith(("add_", "change_", "delete_")) for codename in rights["Registry viewers"])
