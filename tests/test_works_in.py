"""One meaning of "an organisation works in an area", alike on the matrix, the area pages, the
overview, the organisations register's filter and its counts: it declares the area, or it takes
part in a published activity in it. The pages say which of the two applies."""

import pytest

from partnerships.models import CooperationActivity, CooperationArea, Organisation

from .helpers import export_json

pytestmark = pytest.mark.usefixtures("registry")


@pytest.fixture
def who_on_trafficking():
    """WHO does not declare trafficking but takes part in a published activity on it; UNODC only
    in an unpublished one, which does not count."""
    trafficking = CooperationArea.objects.get(slug="trafficking-in-human-beings")
    published = CooperationActivity.objects.create(
        title="Health screening of victims", slug="health-screening", status="planned", is_published=True
    )
    published.areas.add(trafficking)
    published.partners.add(Organisation.objects.get(slug="who"))
    draft = CooperationActivity.objects.create(
        title="Draft on trafficking", slug="draft-trafficking", status="planned", is_published=False
    )
    draft.areas.add(trafficking)
    draft.partners.add(Organisation.objects.get(slug="unodc"))
    return trafficking


def test_the_overview_counts_organisations_that_declare_or_take_part(client, who_on_trafficking):
    areas = {area.slug: area for area in client.get("/").context["areas"]}
    assert areas["trafficking-in-human-beings"].organisation_count == 3  # IOM, INTERPOL declare; WHO takes part
    assert areas["trafficking-in-human-beings"].activity_count == 3  # 2 shipped, 1 added; the draft not


def test_the_area_page_lists_them_and_says_which_applies(client, who_on_trafficking):
    response = client.get("/areas/trafficking-in-human-beings/")
    assert response.context["organisation_count"] == 3
    assert [o.slug for o in response.context["organisations"]] == ["interpol", "iom", "who"]
    html = response.content.decode()
    assert "Declares this area; takes part in" in html
    assert (
        'Takes part in <a href="/cooperation/?organisation=who&amp;area=trafficking-in-human-beings">1 activity</a>'
        " in it." in html
    )
    assert "/organisations/unodc/" not in html


def test_the_organisations_filter_and_its_count_agree_with_the_area_page(client, who_on_trafficking):
    rows = export_json(client, "/organisations/", {"area": "trafficking-in-human-beings"})
    assert sorted(row["slug"] for row in rows) == ["interpol", "iom", "who"]
    response = client.get("/organisations/")
    facet = next(f for f, _ in response.context["form_parts"] if f and f.name == "area")
    assert next(o.count for o in facet.options if o.value == "trafficking-in-human-beings") == 3


def test_the_matrix_marks_declared_areas_and_counts_activities(client, who_on_trafficking):
    response = client.get("/areas/")
    who = next(row for row in response.context["rows"] if row["organisation"].slug == "who")
    cells = {cell["area"].slug: (cell["declared"], cell["activities"]) for cell in who["cells"]}
    assert cells["trafficking-in-human-beings"] == (False, 1)
    assert cells["health-at-borders"] == (True, 1)
    unodc = next(row for row in response.context["rows"] if row["organisation"].slug == "unodc")
    assert {cell["area"].slug for cell in unodc["cells"] if cell["declared"] or cell["activities"]} == {
        "cross-border-crime"
    }
    html = response.content.decode()
    assert '<td class="works"><a href="/cooperation/?organisation=who&amp;area=trafficking-in-human-beings">' in html


def test_the_matrix_rows_are_in_the_order_of_the_acronyms_they_show(client):
    Organisation.objects.create(
        name="Aardvark Alliance", acronym="ZZA", slug="zza", kind="other", relationship="active", is_published=True
    )
    Organisation.objects.create(
        name="Zebra Union", acronym="abc", slug="abc", kind="other", relationship="active", is_published=True
    )
    acronyms = [row["organisation"].acronym for row in client.get("/areas/").context["rows"]]
    assert acronyms == [
        "abc", "CoE", "IMO", "INTERPOL", "IOM", "MAOC-N", "ODIHR", "OSCE", "UNHCR", "UNODC", "WHO", "ZZA",
    ]  # fmt: skip


def test_a_draft_organisation_works_nowhere(client):
    Organisation.objects.filter(slug="iom").update(is_published=False)
    areas = {area.slug: area.organisation_count for area in client.get("/").context["areas"]}
    assert areas["risk-analysis"] == 0
    assert "/organisations/iom/" not in client.get("/areas/risk-analysis/").content.decode()


def test_the_organisation_page_says_where_it_works_without_declaring_it(client, who_on_trafficking):
    html = client.get("/organisations/who/").content.decode()
    assert "<dt>Cooperation areas it declares</dt>" in html
    assert '<a href="/areas/health-at-borders/">Health and safety at borders</a>' in html
    assert (
        "<dt>Also works in, through its cooperation activities</dt>\n  <dd>"
        '<a href="/cooperation/?organisation=who&amp;area=trafficking-in-human-beings">Trafficking in human beings</a>'
        "</dd>"
    ) in html
    assert "Also works in" not in client.get("/organisations/unodc/").content.decode()  # only a draft there


def test_a_draft_area_is_left_out_of_the_overview_the_matrix_and_the_organisation_pages(client, who_on_trafficking):
    CooperationArea.objects.filter(slug="trafficking-in-human-beings").update(is_published=False)
    assert "trafficking-in-human-beings" not in {area.slug for area in client.get("/").context["areas"]}
    matrix = client.get("/areas/")
    assert "trafficking-in-human-beings" not in {area.slug for area in matrix.context["areas"]}
    for row in matrix.context["rows"]:
        assert "trafficking-in-human-beings" not in {cell["area"].slug for cell in row["cells"]}
    assert "/areas/trafficking-in-human-beings/" not in matrix.content.decode()
    assert client.get("/areas/trafficking-in-human-beings/").status_code == 404
    assert "Also works in" not in client.get("/organisations/who/").content.decode()  # only through the draft area
    assert "Trafficking in human beings" not in client.get("/organisations/iom/").content.decode()  # declared
    assert client.get("/organisations/", {"area": "trafficking-in-human-beings"}).status_code == 400


def test_the_overview_the_area_pages_the_filter_and_the_matrix_agree(client, who_on_trafficking):
    """Each published area's number of organisations is the same on every page that shows it,
    with a draft area and a draft organisation in the registry."""
    CooperationArea.objects.filter(slug="return").update(is_published=False)
    Organisation.objects.filter(slug="iom").update(is_published=False)
    matrix = client.get("/areas/").context["rows"]
    on_matrix = {}
    for row in matrix:
        for cell in row["cells"]:
            if cell["declared"] or cell["activities"]:
                on_matrix[cell["area"].slug] = on_matrix.get(cell["area"].slug, 0) + 1
    overview = {area.slug: area for area in client.get("/").context["areas"]}
    facet = next(f for f, _ in client.get("/organisations/").context["form_parts"] if f and f.name == "area")
    filter_counts = {option.value: option.count for option in facet.options}
    activities = client.get("/cooperation/").context["form_parts"]
    activity_counts = {o.value: o.count for o in next(f for f, _ in activities if f and f.name == "area").options}
    assert (
        set(overview) == set(filter_counts) == set(CooperationArea.objects.published().values_list("slug", flat=True))
    )
    for slug, area in overview.items():
        page = client.get(f"/areas/{slug}/").context
        assert page["organisation_count"] == area.organisation_count == filter_counts[slug]
        assert on_matrix.get(slug, 0) == area.organisation_count, slug
        assert len(export_json(client, "/organisations/", {"area": slug})) == area.organisation_count, slug
        assert page["activity_count"] == area.activity_count == activity_counts[slug]
        assert len(export_json(client, "/cooperation/", {"area": slug})) == area.activity_count, slug
    assert overview["trafficking-in-human-beings"].organisation_count == 2  # INTERPOL declares it, WHO takes part
