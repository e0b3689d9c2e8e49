"""The number of SQL queries of each public page does not grow with the number of rows.

Each page is measured with 5 related rows and again with 50, uncached both times, and must
run the same number of queries. This is intended to prevent an N+1 query (one more query per
row shown or exported) from creeping back into a page.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

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

SMALL, LARGE = 5, 50
OWNER_FIELDS = {Organisation: "organisation", Agreement: "agreement", CooperationActivity: "activity"}


class Registry:
    """Records around one busy organisation ("hub"), grown in steps."""

    def __init__(self):
        self.size = 0
        self.areas = list(CooperationArea.objects.order_by("pk")[:3])
        self.regions = list(Region.objects.order_by("pk")[:2])
        osce = Organisation.objects.get(slug="osce")
        self.hub = Organisation.objects.create(
            name="Hub Organisation", acronym="HUB", slug="hub", kind="intergovernmental",
            relationship="structured", parent=osce, is_published=True,
        )  # fmt: skip
        self.hub.areas.set(self.areas)
        self.agreement = Agreement.objects.create(
            title="Hub agreement", organisation=self.hub, kind="other", status="in-force", is_published=True
        )
        self.agreement.areas.set(self.areas)
        self.crowded = CooperationActivity.objects.create(
            title="Crowded activity", slug="crowded", status="ongoing", is_published=True, agreement=self.agreement
        )
        self.crowded.areas.set(self.areas)
        self.crowded.regions.set(self.regions)
        self.source = SourceDocument.objects.create(
            title="Grown source", slug="grown", publisher="Frontex", url="https://example.org/grown", is_published=True
        )

    def grow(self, size):
        """Add organisations, agreements, activities, areas, regions and sources until there are ``size`` of each."""
        for number in range(self.size, size):
            organisation = Organisation.objects.create(
                name=f"Member {number}", acronym=f"M{number}", slug=f"m{number}", kind="un-system",
                relationship="active", parent=self.hub, is_published=True,
            )  # fmt: skip
            organisation.areas.set(self.areas)
            agreement = Agreement.objects.create(
                title=f"Agreement {number}", organisation=self.hub, kind="other", status="in-force",
                supersedes=self.agreement if number == 0 else None, is_published=True,
            )  # fmt: skip
            activity = CooperationActivity.objects.create(
                title=f"Activity {number}", slug=f"activity-{number}", status="ongoing", is_published=True,
                agreement=self.agreement,
            )  # fmt: skip
            activity.partners.set([self.hub, organisation])
            # An area, a region and a source of its own, so that the vocabularies grow too.
            area = CooperationArea.objects.create(
                name=f"Area {number}", slug=f"area-{number}", display_order=100 + number, is_published=True
            )
            region = Region.objects.create(name=f"Region {number}", slug=f"region-{number}", is_published=True)
            source = SourceDocument.objects.create(
                title=f"Source {number}", slug=f"source-{number}", is_published=True
            )
            Citation.objects.create(source=source, passage=f"Own passage {number}.", activity=activity)
            activity.areas.set([*self.areas, area])
            activity.regions.set([*self.regions, region])
            self.crowded.partners.add(organisation)
            # Citations and dated facts on every kind of record, all from one source.
            for record in (organisation, agreement, activity, self.hub, self.agreement, self.crowded):
                owner = OWNER_FIELDS[type(record)]
                Citation.objects.create(
                    source=self.source, passage=f"Passage {number}.", locator="p. 1", **{owner: record}
                )
            for owner in ({"agreement": self.agreement}, {"activity": self.crowded}, {"activity": activity}):
                fact = DatedFact.objects.create(
                    slug=f"fact-{number}-{next(iter(owner))}-{owner[next(iter(owner))].pk}",
                    date=datetime.date(2000 + number % 20, 1, 1), precision="year", statement=f"Fact {number}",
                    **owner,
                )  # fmt: skip
                fact.organisations.add(self.hub)
                Citation.objects.create(source=self.source, passage=f"Fact passage {number}.", dated_fact=fact)
        self.size = size


PAGES = [
    "/",
    "/organisations/",
    "/organisations/?area=return&kind=un-system&relationship=active",
    "/organisations/?q=member",
    "/agreements/",
    "/agreements/?organisation=hub&status=in-force&area=return&kind=other",
    "/cooperation/",
    "/cooperation/?area=return&status=ongoing&organisation=hub&region=eastern-partnership&priority=normal",
    "/cooperation/?q=activity",
    "/cooperation/?sort=-starts_on&organisation=hub",
    "/cooperation/?area=return&expand=organisation",
    "/agreements/?sort=-signed_on&area=return",
    "/organisations/?sort=-updated&area=return",
    "/areas/",
    "/areas/return/",
    "/organisations/hub/",
    "/agreements/{agreement}/",
    "/cooperation/crowded/",
    "/organisations/?format=csv",
    "/organisations/?format=json",
    "/agreements/?format=csv",
    "/agreements/?format=json",
    "/cooperation/?format=csv",
    "/cooperation/?format=json&area=return",
    "/sitemap-cooperation.xml",
    "/api/v1/organisations/",
    "/api/v1/organisations/?page_size=100&area=return",
    "/api/v1/organisations/hub/",
    "/api/v1/agreements/",
    "/api/v1/agreements/{agreement}/",
    "/api/v1/cooperation/?page_size=100",
    "/api/v1/cooperation/crowded/",
    "/api/v1/areas/",
    "/api/v1/regions/",
    "/api/v1/sources/",
    "/api/v1/areas/return/",
    "/api/v1/regions/{region}/",
    "/api/v1/sources/grown/",
    "/catalog.jsonld",
    "/catalog.ttl",
    "/data/areas.csv",
    "/data/regions.csv",
    "/data/sources.csv",
    "/data/sources.json",
    "/data/",
    "/organisations/feed/",
    "/organisations/feed/?area=return&kind=un-system&q=member",
    "/agreements/feed/?organisation=hub&status=in-force",
    "/cooperation/feed/",
    "/cooperation/feed/?area=return&status=ongoing&organisation=hub&region=eastern-partnership&q=activity",
    "/organisations/hub/feed/",
    "/areas/return/feed/",
    "/changes/",
    "/changes/?page=2",
    "/changes/?record=organisations/hub",
    "/changes/?record=cooperation/crowded",
    "/changes/feed/",
    "/search/?q=member",
    "/search/?q=mmeber",
    "/sources/grown/",
]


def queries(client, url):
    """The queries of one uncached anonymous request, the streamed body included."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        content = body(response)
    assert response.status_code == 200, content
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("url", PAGES)
def test_the_query_count_does_not_grow_with_the_rows(client, registry, url):
    records = Registry()
    url = url.format(agreement=records.agreement.pk, region=records.regions[0].slug)
    records.grow(SMALL)
    small = queries(client, url)
    records.grow(LARGE)
    large = queries(client, url)
    assert len(large) == len(small), "\n".join(large)
