"""Every statement shows where it comes from: citations and dated facts on each kind of page,
the page of each source document, the downloads, and the admin's inlines. Drafts never show."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    DatedFact,
    Organisation,
    SourceDocument,
)
from partnerships.provenance import date_at_precision

from .admin_forms import empty_inlines
from .helpers import body, export_json

pytestmark = pytest.mark.usefixtures("registry")

ORGANISATION_PASSAGE = (
    "In its efforts to prevent, detect and combat cross-border crime, operational cooperation with "
    "international actors such as INTERPOL, UNODC, OSCE and MAOC-N are important."
)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def report():
    return SourceDocument.objects.create(
        title="Annual cooperation report",
        slug="annual-report",
        publisher="Frontex",
        published_on=datetime.date(2024, 6, 3),
        url="https://example.org/annual-report.pdf",
        accessed_on=datetime.date(2026, 11, 20),
        is_published=True,
    )


@pytest.fixture
def agreement(report):
    agreement = Agreement.objects.create(
        title="Working arrangement with the IOM",
        organisation=Organisation.objects.get(slug="iom"),
        kind="working-arrangement",
        status="in-force",
        signed_on=datetime.date(2024, 3, 1),
        is_published=True,
    )
    Citation.objects.create(
        agreement=agreement, source=report, passage="A working arrangement was signed.", locator="p. 12"
    )
    fact = DatedFact.objects.create(
        slug="arrangement-reviewed", date=datetime.date(2025, 5, 1), precision="month",
        statement="The arrangement was reviewed", agreement=agreement,
    )  # fmt: skip
    Citation.objects.create(dated_fact=fact, source=report, passage="Reviewed in May 2025.", locator="p. 40")
    return agreement


@pytest.mark.parametrize(
    "value, precision, written",
    [
        (datetime.date(2009, 1, 1), "year", "2009"),
        (datetime.date(2022, 4, 1), "month", "April 2022"),
        (datetime.date(2022, 4, 1), "day", "1 April 2022"),
    ],
)
def test_a_date_is_written_at_its_precision(value, precision, written):
    assert date_at_precision(value, precision) == written


def test_a_fact_known_to_a_year_is_kept_as_the_year_whatever_day_was_typed():
    fact = DatedFact.objects.create(slug="y", date=datetime.date(2011, 7, 14), precision="year", statement="S")
    fact.refresh_from_db()
    assert (fact.date, fact.when) == (datetime.date(2011, 1, 1), "2011")


def test_the_organisation_page_shows_its_citation_with_title_publisher_place_and_passage(client):
    html = page(client, "/organisations/maoc-n/")
    assert f"<blockquote><p>{escape(ORGANISATION_PASSAGE)}</p></blockquote>" in html
    assert (
        'Source: <a href="/sources/international-organisations/"><cite>International organisations</cite></a>, '
        "Frontex, “International organisations”, paragraph 3"
    ) in html


def test_the_activity_page_shows_its_dated_fact_with_the_facts_own_source(client):
    html = page(client, "/cooperation/fields-deployment/")
    assert '<time datetime="2022-04-01">1 April 2022</time>: FIELDS' in html
    assert (
        '<a href="/sources/eucrim-electronic-system-against-document-fraud-launched/">'
        "<cite>Electronic System against Document Fraud Launched</cite></a>, eucrim"
    ) in html
    assert "Source (its words are not quoted)" in html  # no passage is invented


def test_interpols_page_says_since_2009_and_never_1_january(client):
    html = page(client, "/organisations/interpol/")
    assert '<time datetime="2009">Since 2009</time>: INTERPOL has assisted Frontex operations.' in html
    assert ">since 2009</text>" in html  # the drawing writes the year too
    assert "1 January 2009" not in html and "1 Jan 2009" not in html


def test_maocs_page_dates_its_inauguration_to_the_day(client):
    html = page(client, "/organisations/maoc-n/")
    assert '<time datetime="2007-09-30">30 September 2007</time>: MAOC (N) was inaugurated.' in html
    assert "<cite>Who we are</cite></a>, maoc.eu" in html


def test_the_agreement_page_shows_its_citations_and_dated_facts_with_links(client, agreement):
    html = page(client, agreement.get_absolute_url())
    assert '<blockquote cite="https://example.org/annual-report.pdf"><p>A working arrangement was signed.</p>' in html
    assert (
        '<a href="/sources/annual-report/"><cite>Annual cooperation report</cite></a>, Frontex, '
        '<time datetime="2024-06-03">3 June 2024</time>, p. 12 '
        '(<a href="https://example.org/annual-report.pdf" rel="external">the document at example.org</a>)'
    ) in html
    assert '<time datetime="2025-05">May 2025</time>: The arrangement was reviewed.' in html
    assert "Reviewed in May 2025." in html


def test_the_source_page_lists_every_published_statement_that_cites_it(client):
    html = page(client, "/sources/international-organisations/")
    assert "<h1>International organisations</h1>" in html
    assert "<dt>Publisher</dt><dd>Frontex</dd>" in html
    assert "Organisations citing it (10)" in html
    assert "Cooperation activities citing it (9)" in html
    assert '<a href="/organisations/maoc-n/">' in html
    assert escape(ORGANISATION_PASSAGE) in html


def test_the_source_page_of_a_fact_names_the_fact(client):
    html = page(client, "/sources/interpol-cooperation-with-frontex/")
    assert "Dated facts citing it (1)" in html
    assert '<time datetime="2009">Since 2009</time>: INTERPOL has assisted Frontex operations' in html


def test_the_source_page_shows_its_link_and_access_date(client, agreement):
    html = page(client, "/sources/annual-report/")
    assert '<a href="https://example.org/annual-report.pdf" rel="external">' in html
    assert '(read on <time datetime="2026-11-20">20 November 2026</time>)' in html
    assert "Agreements citing it (1)" in html and "Dated facts citing it (1)" in html


def test_a_source_no_published_record_cites_is_not_found(client, report):
    draft = CooperationActivity.objects.create(title="Draft", slug="draft")
    Citation.objects.create(activity=draft, source=report, passage="Draft words.")
    assert client.get("/sources/annual-report/").status_code == 404
    assert client.get("/sources/no-such-source/").status_code == 404
    assert "/sources/annual-report/" not in page(client, "/")  # nor listed in the footer


def test_the_footer_links_each_cited_source_to_its_page(client):
    html = page(client, "/")
    footer = html[html.index('<footer class="site-footer">') :]
    assert re.findall(r'href="(/sources/[^"]+)"', footer) == [
        "/sources/interpol-cooperation-with-frontex/",
        "/sources/eucrim-electronic-system-against-document-fraud-launched/",
        "/sources/international-organisations/",
        "/sources/maoc-who-we-are/",
    ]  # in title order


@pytest.fixture
def draft_work(report):
    """A draft activity of INTERPOL's with its own citation and dated fact."""
    draft = CooperationActivity.objects.create(title="Secret plan", slug="secret-plan", status="planned")
    draft.partners.add(Organisation.objects.get(slug="interpol"))
    Citation.objects.create(activity=draft, source=report, passage="Words of a draft.")
    fact = DatedFact.objects.create(
        slug="secret-date", date=datetime.date(2030, 1, 1), precision="day", statement="A draft's date", activity=draft
    )
    Citation.objects.create(dated_fact=fact, source=report, passage="A draft fact's words.")
    return draft


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/interpol/",
        "/cooperation/?format=json",
        "/cooperation/?format=csv",
        "/organisations/?format=json",
        "/",
        "/sources/international-organisations/",
    ],
)
def test_a_drafts_citations_and_dated_facts_never_appear_publicly(client, draft_work, url):
    response = client.get(url)
    assert response.status_code == 200
    content = body(response)
    for secret in ("Words of a draft", "A draft fact", "A draft&#x27;s date", "A draft's date", "secret-date"):
        assert secret not in content, (url, secret)
    assert client.get("/sources/annual-report/").status_code == 404


def test_the_json_download_carries_each_records_citations_and_dated_facts(client):
    # Search also finds the organisations whose passages name INTERPOL; its own row comes first.
    interpol = export_json(client, "/organisations/", {"q": "INTERPOL"})[0]
    assert interpol["slug"] == "interpol"
    assert interpol["citations"] == [
        {
            "source": "international-organisations",
            "passage": Citation.objects.get(organisation__slug="interpol").passage,
            "locator": "“International organisations”, paragraph 1",
        }
    ]
    assert [fact["slug"] for fact in interpol["dated_facts"]] == [
        "interpol-assists-frontex-operations",
        "fields-went-live",
    ]  # in date order
    assert interpol["dated_facts"][:1] == [
        {
            "slug": "interpol-assists-frontex-operations",
            "date": "2009",
            "precision": "year",
            "since": True,
            "statement": "INTERPOL has assisted Frontex operations",
            "citations": [{"source": "interpol-cooperation-with-frontex", "passage": "", "locator": ""}],
        }
    ]
    fields = next(row for row in export_json(client, "/cooperation/") if row["slug"] == "fields-deployment")
    assert [fact["date"] for fact in fields["dated_facts"]] == ["2022-04-01"]


def test_the_agreement_download_carries_its_citations(client, agreement):
    [row] = export_json(client, "/agreements/")
    assert row["citations"] == [
        {"source": "annual-report", "passage": "A working arrangement was signed.", "locator": "p. 12"}
    ]
    assert row["dated_facts"][0]["date"] == "2025-05"


def test_the_csv_download_keeps_source_and_passage_columns_holding_the_first_citation(client, report):
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    first = activity.citations.get()
    Citation.objects.create(activity=activity, source=report, passage="A later citation.", position=5)
    rows = list(csv.DictReader(io.StringIO(body(client.get("/cooperation/?format=csv")).lstrip("\ufeff"))))
    row = next(row for row in rows if row["slug"] == "fields-deployment")
    assert (row["source"], row["source_passage"]) == ("international-organisations", first.passage)
    assert "citations" not in row and "dated_facts" not in row


def test_a_citation_belongs_to_exactly_one_record(report):
    from django.db import IntegrityError, transaction

    iom = Organisation.objects.get(slug="iom")
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    for owners in ({}, {"organisation": iom, "activity": activity}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.create(source=report, passage="Whose?", **owners)


def citation_inline(**row):
    return {
        **empty_inlines("cooperationactivity"),
        "citations-TOTAL_FORMS": 1,
        **{f"citations-0-{name}": value for name, value in row.items()},
    }


def activity_change_data(activity, **extra):
    return {
        "title": activity.title,
        "slug": activity.slug,
        "summary": activity.summary,
        "status": activity.status,
        "priority": activity.priority,
        "partners": [p.pk for p in activity.partners.all()],
        "areas": [a.pk for a in activity.areas.all()],
        "is_published": "on",
        "version": activity.version,
        **extra,
    }


def test_the_admin_refuses_a_passage_without_its_source_with_a_message(admin_client):
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    url = reverse("admin:partnerships_cooperationactivity_change", args=[activity.pk])
    data = activity_change_data(activity, **citation_inline(passage="Quoted from nowhere.", position=1))

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Name the document the quoted passage comes from." in response.content.decode()
    assert activity.citations.count() == 1


def test_a_citation_added_in_the_admin_is_shown_and_kept_in_the_history(admin_client, superuser, client, report):
    activity = CooperationActivity.objects.get(slug="fields-deployment")
    url = reverse("admin:partnerships_cooperationactivity_change", args=[activity.pk])
    data = activity_change_data(
        activity, **citation_inline(source=report.pk, passage="FIELDS is in use.", locator="p. 7", position=1)
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()
    [added] = activity.citations.filter(source=report)
    assert [(h.history_type, h.history_user) for h in added.history.all()] == [("+", superuser)]
    html = page(client, "/cooperation/fields-deployment/")
    assert "<p>FIELDS is in use.</p>" in html and "p. 7" in html


def test_the_admin_forms_offer_citation_and_dated_fact_inlines(admin_client, agreement):
    for model, prefixes in [
        (Organisation, {"citations", "DatedFact_organisations", "agreements"}),
        (Agreement, {"citations", "dated_facts"}),
        (CooperationActivity, {"citations", "dated_facts"}),
        (DatedFact, {"citations"}),
    ]:
        record = model.objects.order_by("pk").first()
        response = admin_client.get(reverse(f"admin:partnerships_{model._meta.model_name}_change", args=[record.pk]))
        assert {f.formset.prefix for f in response.context["inline_admin_formsets"]} == prefixes
        assert "admin-autocomplete" in response.content.decode()  # the source is chosen by autocomplete


def dated_fact_inline(model_name, **row):
    """A new row of a record form's dated-fact inline."""
    return {
        **empty_inlines(model_name),
        "dated_facts-TOTAL_FORMS": 1,
        **{f"dated_facts-0-{name}": value for name, value in row.items()},
    }


@pytest.mark.parametrize("kind", ["cooperationactivity", "agreement"])
def test_a_dated_fact_added_on_the_form_of_an_activity_or_an_agreement_enters_the_histories(
    admin_client, superuser, client, agreement, kind
):
    """The fact's own edit history keeps who added it, and the public history of the record it
    belongs to (its change log) lists it."""
    from .admin_forms import activity_form, agreement_form

    record = CooperationActivity.objects.get(slug="fields-deployment") if kind == "cooperationactivity" else agreement
    row = {"date": "2025-09-01", "precision": "month", "statement": "A review was agreed", "slug": "review-agreed"}
    form = activity_form if kind == "cooperationactivity" else agreement_form
    data = form(record, **dated_fact_inline(kind, **row))

    response = admin_client.post(reverse(f"admin:partnerships_{kind}_change", args=[record.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    fact = DatedFact.objects.get(slug="review-agreed")
    assert getattr(fact, "activity" if kind == "cooperationactivity" else "agreement") == record
    assert [(entry.history_type, entry.history_user) for entry in fact.history.all()] == [("+", superuser)]
    kind_in_urls = "cooperation" if kind == "cooperationactivity" else "agreements"
    key = record.slug if kind == "cooperationactivity" else record.pk
    log = client.get("/changes/", {"record": f"{kind_in_urls}/{key}"})
    assert [[f"{line.label}: {line.text}" for line in entry.lines] for entry in log.context["entries"]][0] == [
        "Dated facts: + A review was agreed"
    ]
    assert "A review was agreed" in page(client, record.get_absolute_url())


def test_a_dated_fact_chosen_on_the_organisation_form_is_shown_and_kept_in_the_facts_history(
    admin_client, superuser, client
):
    from .admin_forms import organisation_form

    who = Organisation.objects.get(slug="who")
    fact = DatedFact.objects.get(slug="maoc-n-inaugurated")
    data = organisation_form(
        who, **{"DatedFact_organisations-TOTAL_FORMS": 1, "DatedFact_organisations-0-datedfact": fact.pk}
    )

    response = admin_client.post(reverse("admin:partnerships_organisation_change", args=[who.pk]), data)

    assert response.status_code == 302, response.content.decode()
    assert set(fact.organisations.values_list("slug", flat=True)) == {"maoc-n", "who"}
    latest = fact.history.first()
    assert latest.history_user == superuser
    assert set(latest.organisations.values_list("organisation__slug", flat=True)) == {"maoc-n", "who"}
    assert "MAOC (N) was inaugurated" in page(client, "/organisations/who/")

    link = DatedFact.organisations.through.objects.get(datedfact=fact, organisation=who)
    who.refresh_from_db()
    prefix = "DatedFact_organisations"
    data = organisation_form(
        who,
        **{
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 1,
            f"{prefix}-0-id": link.pk,
            f"{prefix}-0-organisation": who.pk,
            f"{prefix}-0-datedfact": fact.pk,
            f"{prefix}-0-DELETE": "on",
        },
    )
    response = admin_client.post(reverse("admin:partnerships_organisation_change", args=[who.pk]), data)
    assert response.status_code == 302, response.content.decode()
    assert set(fact.organisations.values_list("slug", flat=True)) == {"maoc-n"}
    assert "MAOC (N) was inaugurated" not in page(client, "/organisations/who/")


def test_a_facts_entry_on_the_source_page_links_to_the_fact_on_its_organisations_page(client):
    html = page(client, "/sources/maoc-who-we-are/")
    assert (
        '<a href="/organisations/maoc-n/#fact-maoc-n-inaugurated">'
        "Maritime Analysis and Operations Centre – Narcotics (MAOC-N)</a>"
    ) in html


def test_the_sitemap_lists_the_pages_of_cited_sources_only(client, report):
    draft = CooperationActivity.objects.create(title="Draft", slug="draft")
    Citation.objects.create(activity=draft, source=report, passage="Draft words.")
    xml = body(client.get("/sitemap-sources.xml"))
    assert sorted(re.findall(r"<loc>http://testserver(/sources/[^<]+)</loc>", xml)) == [
        "/sources/eucrim-electronic-system-against-document-fraud-launched/",
        "/sources/international-organisations/",
        "/sources/interpol-cooperation-with-frontex/",
        "/sources/maoc-who-we-are/",
    ]
