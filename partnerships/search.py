"""Free-text search of the public registers (the ``q`` parameter)."""

from django.db.models import Q

from .models import Agreement, CooperationActivity, Organisation

SEARCH_FIELDS = {
    Organisation: ["name", "acronym", "summary"],
    Agreement: ["title", "summary"],
    CooperationActivity: ["title", "summary"],
}


def search(queryset, q):
    """Rows of ``queryset`` whose searchable fields contain ``q`` (case-insensitive)."""
    q = q.replace("\x00", "").strip()
    if not q:
        return queryset
    condition = Q()
    for field in SEARCH_FIELDS[queryset.model]:
        condition |= Q(**{f"{field}__icontains": q})
    return queryset.filter(condition)
