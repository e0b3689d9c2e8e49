"""The API fuzzed from its own OpenAPI document with schemathesis, against a live test server.

For each operation schemathesis sends generated requests, valid and invalid, and checks that
no answer is a server error, that every answer's status, content type and body are the ones
the document describes, and (a check of our own) that no draft's marker word reaches any
answer. Drafts carrying the marker sit beside the shipped records, linked to them.
The number of examples is bounded so that the run fits the suite.
"""

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerships.models import (
    Agreement,
    Citation,
    CooperationActivity,
    CooperationArea,
    Organisation,
    Region,
    SourceDocument,
)

MARKER = "Quagmirequux"
# Generated requests per operation: enough to reach each parameter, few enough for the suite.
MAX_EXAMPLES = 20

pytestmark = pytest.mark.usefixtures("drafts")


@pytest.fixture
def drafts(transactional_db, registry):
    """Unpublished records with the marker word, linked to published ones: an organisation, an
    activity, an agreement, and a cooperation area, a region and a source document."""
    draft = Organisation.objects.create(
        name=f"{MARKER} Organisation", acronym="QQX", slug="qqx", kind="un-system", relationship="active",
        summary=MARKER, is_published=False,
    )  # fmt: skip
    draft.areas.set(CooperationArea.objects.filter(slug="return"))
    Organisation.objects.filter(slug="who").update(parent=draft)
    CooperationActivity.objects.get(slug="fields-deployment").partners.add(draft)
    hidden = CooperationActivity.objects.create(
        title=f"{MARKER} activity", slug="qqx-activity", summary=MARKER, status="ongoing", is_published=False
    )
    hidden.partners.add(Organisation.objects.get(slug="iom"))
    Agreement.objects.create(
        title=f"{MARKER} agreement", organisation=draft, kind="other", status="in-force", is_published=True
    )
    fields = CooperationActivity.objects.get(slug="fields-deployment")
    area = CooperationArea.objects.create(
        name=f"{MARKER} area", slug="qqx-area", description=MARKER, is_published=False
    )
    region = Region.objects.create(name=f"{MARKER} region", slug="qqx-region", is_published=False)
    fields.areas.add(area)
    fields.regions.add(region)
    Organisation.objects.get(slug="iom").areas.add(area)
    source = SourceDocument.objects.create(
        title=f"{MARKER} source", slug="qqx-source", publisher=MARKER, is_published=False
    )
    Citation.objects.create(activity=fields, source=source, passage=MARKER, position=9)


def no_draft_marker(ctx, response, case):
    """No answer mentions a draft."""
    if MARKER.lower() in response.text.lower() or "qqx" in response.text.lower():
        raise AssertionError(f"A draft's marker is in the answer to {case.path}")


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_api_keeps_its_schema_and_never_shows_a_draft(live_server):
    """Each operation in turn, with requests valid by the schema and requests that are not."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13

    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call_and_validate(checks=CHECKS)
            no_draft_marker(None, response, case)

        check()
