"""Which published activities have each area, region, status and priority, as sets of bits.

The counts beside the cooperation register's filters ask, for every option, how many
activities of a selection have it. Asked of the database, each filter's counts read the links
of every selected activity: tens of milliseconds for a broad selection at 100,000 activities.
Held as bit sets (a Python int whose bit *n* is set when activity *n* has the value), a
selection is a few ANDs and ORs of 100,000-bit numbers and each count one ``bit_count()``:
microseconds. The sets are read once per registry version (``activity_bits``) and shared.
"""

from collections import defaultdict

from .caching import cached
from .models import CooperationActivity

# The filters answered from bit sets, and the dimension of ``activity_bits()`` each one reads.
DIMENSIONS = ("area", "region", "status", "priority")


def bits_of(ids):
    """A bit set with the bits of ``ids`` set."""
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray((max(ids) >> 3) + 1)
    for number in ids:
        buffer[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(buffer, "little")


def grouped(pairs):
    ids = defaultdict(list)
    for key, activity_id in pairs:
        ids[key].append(activity_id)
    return {key: bits_of(activity_ids) for key, activity_ids in ids.items()}


def read_activity_bits():
    """{"published": bits, "area": {area id: bits}, "region": {...}, "status": {value: bits}, "priority": {...}}.

    Only published activities, and only published areas and regions, have bits.
    """
    published = CooperationActivity.objects.published()
    rows = list(published.values_list("pk", "status", "priority"))
    links = {
        name: CooperationActivity._meta.get_field(relation)
        .remote_field.through.objects.filter(cooperationactivity__is_published=True, **{f"{name}__is_published": True})
        .values_list(f"{name}_id", "cooperationactivity_id")
        for name, relation in (("cooperationarea", "areas"), ("region", "regions"))
    }
    return {
        "published": bits_of(pk for pk, _, _ in rows),
        "status": grouped((status, pk) for pk, status, _ in rows),
        "priority": grouped((priority, pk) for pk, _, priority in rows),
        "area": grouped(links["cooperationarea"]),
        "region": grouped(links["region"]),
    }


def activity_bits(request):
    return cached(request, "activity-bits", read_activity_bits)
