"""What the admin's forms post, for tests that submit them."""


def organisation_form(organisation, **changes):
    """The organisation form as the admin posts it for this organisation, with these changes."""
    data = {
        "name": organisation.name,
        "acronym": organisation.acronym,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "relationship": organisation.relationship,
        "parent": organisation.parent_id or "",
        "areas": [area.pk for area in organisation.areas.all()] if organisation.pk else [],
        "summary": organisation.summary,
        "headquarters_city": organisation.headquarters_city,
        "headquarters_country": organisation.headquarters_country,
        "website": organisation.website,
        "source": organisation.source_id or "",
        "source_passage": organisation.source_passage,
        # The version the editor's page was opened at (optimistic locking).
        "version": organisation.version,
        # The agreements inline, empty unless the changes add rows.
        "agreements-TOTAL_FORMS": 0,
        "agreements-INITIAL_FORMS": 0,
    }
    if organisation.is_published:
        data["is_published"] = "on"
    return {**data, **changes}
