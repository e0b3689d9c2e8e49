"""Whatever becomes public needs the permission to publish it, whichever way it becomes public.

Staff who may change records but not publish them can edit drafts and published records alike,
but no change of theirs may put a hidden record before the public: not the publication flag,
and not a relation that makes a record public (an agreement moved to a published organisation,
a record citing a source nothing public cites yet). Relations that never make anything public
(partners, areas, regions, parents...) stay theirs to change.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    DatedFact,
    Organisation,
    Region,
    SourceDocument,
)

from .helpers import body

pytestmark = pytest.mark.usefixtures("registry")

MODELS = ["cooperationarea", "region", "sourcedocument", "organisation", "agreement", "cooperationactivity"]


def staff(django_user_model, name, codenames):
    user = django_user_model.objects.create_user(name, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def changer(django_user_model):
    """May view, add and change every registry record and its citations, and publish none."""
    return staff(
        django_user_model,
        "carl",
        [f"{action}_{model}" for model in [*MODELS, "citation", "datedfact"] for action in ("view", "add", "change")],
    )


def change_url(record):
    return reverse(f"admin:partnerships_{record._meta.model_name}_change", args=[record.pk])


def add_url(model):
    return reverse(f"admin:partnerships_{model._meta.model_name}_add")


def form_data(client, record, **changes):
    """What the admin's change form of ``record`` posts as it stands, inlines included, with ``changes``."""
    return page_data(client, change_url(record), **changes)


def page_data(client, url, **changes):
    """What the admin form at ``url`` (a change or an add form) posts as it stands, with ``changes``."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}
    forms = [("", response.context["adminform"].form)]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        forms += [(f"{form.prefix}-", form) for form in formset.initial_forms]
    for prefix, form in forms:
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[prefix + name] = "on"
            elif isinstance(value, list | tuple):
                data[prefix + name] = [getattr(item, "pk", item) for item in value]
            elif isinstance(value, datetime.date):
                data[prefix + name] = value.isoformat()
            elif value is not None:
                data[prefix + name] = getattr(value, "pk", value)
    data.update(changes)
    return data


def save(client, record, **changes):
    return client.post(change_url(record), form_data(client, record, **changes))


def refused(response):
    assert response.status_code == 200, "the form is shown again"
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and errors[0].startswith("Not saved: this change would make public"), errors
    return errors[0]


@pytest.fixture
def draft_organisation():
    return Organisation.objects.create(
        name="Draft Organisation", acronym="DRAFT", slug="draft", kind="intergovernmental", relationship="exploring"
    )


@pytest.fixture
def hidden_agreement(draft_organisation):
    """Marked published, but hidden while its organisation is a draft."""
    return Agreement.objects.create(
        title="Hidden arrangement", organisation=draft_organisation, kind="other", status="in-force", is_published=True
    )


@pytest.fixture
def uncited_source():
    """Published, but cited by nothing public yet, so not public."""
    return SourceDocument.objects.create(
        title="Unreleased briefing", slug="unreleased-briefing", url="https://example.org/b", is_published=True
    )


def test_moving_a_hidden_agreement_to_a_published_organisation_needs_the_publish_permission(
    client, changer, hidden_agreement
):
    client.force_login(changer)
    iom = Organisation.objects.get(slug="iom")

    message = refused(save(client, hidden_agreement, organisation=iom.pk))

    assert "“Hidden arrangement”" in message and "agreements" in message
    hidden_agreement.refresh_from_db()
    assert hidden_agreement.organisation.slug == "draft"
    assert Client().get(f"/agreements/{hidden_agreement.pk}/").status_code == 404


def test_an_editor_who_may_publish_moves_the_agreement(client, editor, hidden_agreement):
    client.force_login(editor)

    response = save(client, hidden_agreement, organisation=Organisation.objects.get(slug="iom").pk)

    assert response.status_code == 302
    assert client.get(f"/agreements/{hidden_agreement.pk}/").status_code == 200


@pytest.mark.parametrize(
    "record",
    [
        lambda: CooperationActivity.objects.get(slug="fields-deployment"),
        lambda: Organisation.objects.get(slug="who"),
    ],
    ids=["activity", "organisation"],
)
def test_citing_a_source_that_nothing_public_cites_needs_the_publish_permission(
    client, changer, uncited_source, record
):
    client.force_login(changer)
    record = record()

    refused(save(client, record, **{"citations-0-source": uncited_source.pk}))

    assert record.citations.first().source.slug == "international-organisations"
    assert "Unreleased briefing" not in body(client.get("/"))


def test_citing_a_source_already_public_is_an_ordinary_change(client, changer):
    client.force_login(changer)
    activity = CooperationActivity.objects.get(slug="fields-deployment")

    response = save(client, activity, summary="Edited.")

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.summary == "Edited."


@pytest.fixture
def organisation_publisher(django_user_model):
    """May publish organisations, but not agreements or sources."""
    return staff(django_user_model, "olga", ["view_organisation", "change_organisation", "publish_organisation"])


def test_publishing_an_organisation_that_makes_its_agreements_public_needs_both_permissions(
    client, organisation_publisher, hidden_agreement, draft_organisation
):
    client.force_login(organisation_publisher)
    changelist = reverse("admin:partnerships_organisation_changelist")

    response = client.post(changelist, {"action": "publish", "_selected_action": [draft_organisation.pk]}, follow=True)

    assert "Not saved: this change would make public “Hidden arrangement”" in body(response)
    draft_organisation.refresh_from_db()
    assert not draft_organisation.is_published
    assert Client().get("/organisations/draft/").status_code == 404


def test_publishing_an_organisation_with_no_hidden_dependants_needs_only_its_own_permission(
    client, organisation_publisher, draft_organisation
):
    client.force_login(organisation_publisher)
    changelist = reverse("admin:partnerships_organisation_changelist")

    client.post(changelist, {"action": "publish", "_selected_action": [draft_organisation.pk]})

    draft_organisation.refresh_from_db()
    assert draft_organisation.is_published


def test_publishing_an_activity_that_makes_its_source_public_needs_the_source_permission(
    client, django_user_model, uncited_source
):
    user = staff(django_user_model, "pia", ["view_cooperationactivity", "publish_cooperationactivity"])
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    CooperationActivity.objects.filter(pk=activity.pk).update(is_published=False)
    activity.citations.update(source=uncited_source)
    client.force_login(user)

    client.post(
        reverse("admin:partnerships_cooperationactivity_changelist"),
        {"action": "publish", "_selected_action": [activity.pk]},
    )

    activity.refresh_from_db()
    assert not activity.is_published
    user.user_permissions.add(Permission.objects.get(codename="publish_sourcedocument"))
    client.post(
        reverse("admin:partnerships_cooperationactivity_changelist"),
        {"action": "publish", "_selected_action": [activity.pk]},
    )
    activity.refresh_from_db()
    assert activity.is_published
    assert "Unreleased briefing" in body(client.get("/"))


# Relations that make nothing public: pointed at a hidden record, the record stays hidden.
def draft_area():
    return CooperationArea.objects.create(name="Hidden area", slug="hidden-area")


def draft_region():
    return Region.objects.create(name="Hidden region", slug="hidden-region")


def draft_org():
    return Organisation.objects.create(
        name="Hidden body", acronym="HIDDEN", slug="hidden", kind="institution", relationship="exploring"
    )


def hidden_agreement_of(organisation_slug):
    return Agreement.objects.create(
        title="Hidden arrangement",
        organisation=Organisation.objects.get(slug=organisation_slug),
        kind="other",
        status="in-force",
    )


def published_agreement():
    return Agreement.objects.create(
        title="Public arrangement",
        organisation=Organisation.objects.get(slug="iom"),
        kind="other",
        status="in-force",
        is_published=True,
    )


RELATIONS = [
    # (record, field, a hidden target, whether the field takes several, public pages to look at)
    ("activity", "partners", draft_org, True, ["/cooperation/fields-deployment/", "/organisations/hidden/"]),
    ("activity", "areas", draft_area, True, ["/cooperation/fields-deployment/", "/areas/hidden-area/"]),
    ("activity", "regions", draft_region, True, ["/cooperation/fields-deployment/"]),
    ("activity", "agreement", lambda: hidden_agreement_of("interpol"), False, ["/cooperation/fields-deployment/"]),
    ("organisation", "parent", draft_org, False, ["/organisations/who/", "/organisations/hidden/"]),
    ("organisation", "areas", draft_area, True, ["/organisations/who/", "/areas/hidden-area/"]),
    ("agreement", "areas", draft_area, True, ["/agreements/{pk}/", "/areas/hidden-area/"]),
    ("agreement", "supersedes", lambda: hidden_agreement_of("iom"), False, ["/agreements/{pk}/"]),
]
RECORDS = {
    "activity": lambda: CooperationActivity.objects.get(slug="fields-deployment"),
    "organisation": lambda: Organisation.objects.get(slug="who"),
    "agreement": published_agreement,
}


@pytest.mark.parametrize(
    "kind, field, target, many, urls", RELATIONS, ids=[f"{kind}-{field}" for kind, field, *_ in RELATIONS]
)
def test_relations_that_make_nothing_public_stay_open_to_change(client, changer, kind, field, target, many, urls):
    client.force_login(changer)
    record, hidden = RECORDS[kind](), target()
    current = form_data(client, record).get(field, [])

    response = save(client, record, **{field: [*current, hidden.pk] if many else hidden.pk})

    assert response.status_code == 302
    record.refresh_from_db()
    linked = getattr(record, field)
    assert hidden in linked.all() if many else linked == hidden
    for url in urls:  # as the public sees them (staff see drafts with a banner)
        response = Client().get(url.format(pk=record.pk))
        assert response.status_code in (200, 404)
        assert str(hidden) not in body(response), url
    assert hidden not in type(hidden).objects.published()


@pytest.mark.parametrize("model", [CooperationArea, Region, SourceDocument])
def test_without_the_publish_permission_the_new_records_cannot_be_published_on_the_form(client, changer, model):
    client.force_login(changer)
    record = model.objects.order_by("pk").first()
    model.objects.filter(pk=record.pk).update(is_published=False)

    response = save(client, record, is_published="on")

    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.is_published
    assert "is_published" not in client.get(change_url(record)).context["adminform"].form.fields


# Citations and dated facts have no publication of their own: they are public with the records
# they belong to (partnerships/provenance.py). Adding them asks for no permission but the ones
# to publish what they make public: the sources they cite.

PASSAGE = "Quoted word for word."


def with_citation(client, url, source, **changes):
    """What the form at ``url`` posts with one more citation row, quoting ``PASSAGE`` from ``source``."""
    data = page_data(client, url, **changes)
    row = int(data["citations-TOTAL_FORMS"])
    data.update(
        {
            "citations-TOTAL_FORMS": row + 1,
            f"citations-{row}-source": source.pk,
            f"citations-{row}-passage": PASSAGE,
            f"citations-{row}-position": row,
        }
    )
    return data


def fields_deployment():
    return CooperationActivity.objects.get(slug="fields-deployment")


def fact_of_fields_deployment():
    """Public with the published activity it belongs to."""
    return DatedFact.objects.get(slug="fields-went-live")


NEW_FACT = {"statement": "FIELDS reached every crossing.", "slug": "fields-everywhere", "date": "2024-05-01"}


def new_fact(client, source):
    url = add_url(DatedFact)
    return url, with_citation(client, url, source, activity=fields_deployment().pk, precision="day", **NEW_FACT)


def citation_on_the_facts_form(client, source):
    url = change_url(fact_of_fields_deployment())
    return url, with_citation(client, url, source)


def citation_of_a_fact_in_the_citation_list(client, source):
    url = add_url(Citation)
    return url, page_data(client, url, source=source.pk, passage=PASSAGE, dated_fact=fact_of_fields_deployment().pk)


def citation_of_an_activity_in_the_citation_list(client, source):
    url = add_url(Citation)
    return url, page_data(client, url, source=source.pk, passage=PASSAGE, activity=fields_deployment().pk)


def citation_on_the_agreements_form(client, source):
    url = change_url(published_agreement())
    return url, with_citation(client, url, source)


def draft_activity():
    return CooperationActivity.objects.create(title="Draft activity", slug="draft-activity")


def fact_moved_to_a_published_record(client, source):
    """A dated fact of a draft, citing ``source``, moved to a published activity."""
    fact = DatedFact.objects.create(
        slug="drafted-fact", date=datetime.date(2024, 5, 1), statement="A drafted fact.", activity=draft_activity()
    )
    Citation.objects.create(source=source, dated_fact=fact, passage=PASSAGE)
    return change_url(fact), page_data(client, change_url(fact), activity=fields_deployment().pk)


def fact_added_to_a_published_organisation(client, source):
    """A dated fact of a draft, citing ``source``, given a published organisation too."""
    fact = DatedFact.objects.create(
        slug="drafted-fact", date=datetime.date(2024, 5, 1), statement="A drafted fact.", activity=draft_activity()
    )
    Citation.objects.create(source=source, dated_fact=fact, passage=PASSAGE)
    return change_url(fact), page_data(
        client, change_url(fact), organisations=[Organisation.objects.get(slug="who").pk]
    )


def fact_chosen_on_a_published_organisations_form(client, source):
    """A dated fact of a draft, citing ``source``, chosen among the dated facts of a published organisation."""
    fact = DatedFact.objects.create(
        slug="drafted-fact", date=datetime.date(2024, 5, 1), statement="A drafted fact.", activity=draft_activity()
    )
    Citation.objects.create(source=source, dated_fact=fact, passage=PASSAGE)
    url = change_url(Organisation.objects.get(slug="who"))
    data = page_data(client, url)
    row = int(data["DatedFact_organisations-TOTAL_FORMS"])
    data.update({"DatedFact_organisations-TOTAL_FORMS": row + 1, f"DatedFact_organisations-{row}-datedfact": fact.pk})
    return url, data


def citation_moved_to_a_published_record(client, source):
    """A citation of ``source`` on a draft, moved to a published activity in the citation list."""
    citation = Citation.objects.create(source=source, activity=draft_activity(), passage=PASSAGE)
    return change_url(citation), page_data(client, change_url(citation), activity=fields_deployment().pk)


ROUTES = [
    new_fact,
    citation_on_the_facts_form,
    citation_of_a_fact_in_the_citation_list,
    citation_of_an_activity_in_the_citation_list,
    citation_on_the_agreements_form,
    fact_moved_to_a_published_record,
    fact_added_to_a_published_organisation,
    fact_chosen_on_a_published_organisations_form,
    citation_moved_to_a_published_record,
]


def public_passages():
    return list(Citation.objects.published().filter(passage=PASSAGE).values_list("source__slug", flat=True))


def form_errors(response):
    if response.status_code != 200 or not response.context:
        return ""
    form = response.context["adminform"].form
    inlines = [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    return f"{form.errors} {inlines}"


@pytest.fixture(params=["changer", "editor"])
def staff_member(request):
    """Staff who may publish nothing (``changer``), and a member of "Registry editors"."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("route", ROUTES, ids=[route.__name__ for route in ROUTES])
def test_citations_and_dated_facts_that_make_nothing_new_public_are_ordinary_changes(client, staff_member, route):
    client.force_login(staff_member)
    source = SourceDocument.objects.get(slug="international-organisations")
    url, data = route(client, source)

    response = client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert public_passages() == ["international-organisations"]


def snapshot():
    citations = Citation.objects.values_list("pk", "source", "organisation", "agreement", "activity", "dated_fact")
    facts = DatedFact.objects.values_list("pk", "activity", "agreement")
    links = DatedFact.organisations.through.objects.values_list("datedfact", "organisation")
    return sorted(citations), sorted(facts), sorted(links)


@pytest.mark.parametrize("route", ROUTES, ids=[route.__name__ for route in ROUTES])
def test_a_citation_that_would_make_a_source_public_needs_the_permission_to_publish_sources(
    client, changer, uncited_source, route
):
    client.force_login(changer)
    url, data = route(client, uncited_source)
    before = snapshot()

    message = refused(client.post(url, data))

    assert "“Unreleased briefing”" in message and "source documents" in message
    assert snapshot() == before
    assert public_passages() == []
    assert uncited_source not in SourceDocument.objects.public()
    assert Client().get("/sources/unreleased-briefing/").status_code == 404

    changer.user_permissions.add(Permission.objects.get(codename="publish_sourcedocument"))
    response = client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert public_passages() == ["unreleased-briefing"]
    assert Client().get("/sources/unreleased-briefing/").status_code == 200


def test_a_dated_fact_whose_sources_are_public_is_chosen_on_an_organisations_form_as_an_ordinary_change(
    client, changer
):
    """The fact's source is public already (through another organisation), if not yet through this one."""
    client.force_login(changer)
    who, fact = Organisation.objects.get(slug="who"), DatedFact.objects.get(slug="maoc-n-inaugurated")
    data = form_data(client, who)
    row = int(data["DatedFact_organisations-TOTAL_FORMS"])
    data.update({"DatedFact_organisations-TOTAL_FORMS": row + 1, f"DatedFact_organisations-{row}-datedfact": fact.pk})

    response = client.post(change_url(who), data)

    assert response.status_code == 302, form_errors(response)
    assert set(fact.organisations.values_list("slug", flat=True)) == {"maoc-n", "who"}
    assert "MAOC (N) was inaugurated" in body(Client().get("/organisations/who/"))
