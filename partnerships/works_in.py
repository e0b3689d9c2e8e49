"""Who works in which cooperation area.

The registry has one meaning of "an organisation works in an area": it declares the area, or
it takes part in a published activity in the area; only published areas count. The matrix,
the area pages, the overview, the organisations register's area filter and its counts all use
it; the pages say which of the two applies.

Which organisations work in which areas is read once per registry version (it joins every
published activity's partners to its areas) and shared: the filter and the counts then read
it from the cache instead of asking the database the same question on every page.
"""

from collections import defaultdict

from django.db.models import Count

from .caching import cached
from .models import CooperationActivity, Organisation

ORGANISATION_AREAS = Organisation.areas.through
ACTIVITY_AREAS = CooperationActivity.areas.through


def all_areas_of_organisations():
    """{organisation id: area ids} for every published organisation that works in a published area.

    Reading it joins every published activity's partners to its areas, so it is computed once
    per registry version (``areas_of_organisations``).
    """
    areas = defaultdict(set)
    declared = ORGANISATION_AREAS.objects.filter(
        organisation__is_published=True, cooperationarea__is_published=True
    ).values_list("organisation_id", "cooperationarea_id")
    in_activities = (
        ACTIVITY_AREAS.objects.filter(
            cooperationactivity__is_published=True,
            cooperationactivity__partners__is_published=True,
            cooperationarea__is_published=True,
        )
        .values_list("cooperationactivity__partners", "cooperationarea_id")
        .distinct()
    )
    for organisation_id, area_id in [*declared, *in_activities]:
        areas[organisation_id].add(area_id)
    return {organisation_id: frozenset(area_ids) for organisation_id, area_ids in areas.items()}


def areas_of_organisations(request):
    return cached(request, "areas-of-organisations", all_areas_of_organisations)


def organisations_working_in(request, areas):
    """The ids of the published organisations that work in any of ``areas`` (records or ids)."""
    wanted = {getattr(area, "pk", area) for area in areas}
    return sorted(
        organisation_id
        for organisation_id, area_ids in areas_of_organisations(request).items()
        if not wanted.isdisjoint(area_ids)
    )


def organisations_per_area(request, organisation_ids=None):
    """{area id: number of published organisations working in it}, among ``organisation_ids`` if given."""
    counts = defaultdict(int)
    areas = areas_of_organisations(request)
    ids = areas.keys() if organisation_ids is None else organisation_ids
    for organisation_id in ids:
        for area_id in areas.get(organisation_id, ()):
            counts[area_id] += 1
    return dict(counts)


def engagements(organisations, areas=None):
    """{(organisation id, area id): (declares it, number of published activities there)} for
    the given organisations (and areas), published areas only, in two grouped queries."""
    declared = ORGANISATION_AREAS.objects.filter(organisation__in=organisations, cooperationarea__is_published=True)
    links = ACTIVITY_AREAS.objects.filter(
        cooperationactivity__is_published=True,
        cooperationactivity__partners__in=organisations,
        cooperationarea__is_published=True,
    )
    if areas is not None:
        declared = declared.filter(cooperationarea__in=areas)
        links = links.filter(cooperationarea__in=areas)
    grouped = (
        links.values_list("cooperationactivity__partners", "cooperationarea_id")
        .annotate(n=Count("cooperationactivity_id"))
        .order_by()
    )
    counts = {(organisation_id, area_id): n for organisation_id, area_id, n in grouped}
    found = {pair: (False, n) for pair, n in counts.items()}
    for pair in declared.values_list("organisation_id", "cooperationarea_id"):
        found[pair] = (True, counts.get(pair, 0))
    return found
