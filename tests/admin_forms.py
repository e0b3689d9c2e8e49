"""What the admin's forms post, for tests that submit them."""

# The inline formsets of each record's form, by their prefixes in the posted data.
INLINES = {
    "organisation": ["citations", "DatedFact_organisations", "agreements"],
    "cooperationactivity": ["citations", "dated_facts"],
    "agreement": ["citations", "dated_facts"],
    "datedfact": ["citations"],
}


def empty_inlines(model_name):
    """The management data of a form's inlines, with no rows: existing rows are left as they are."""
    return {f"{prefix}-{field}": 0 for prefix in INLINES[model_name] for field in ("TOTAL_FORMS", "INITIAL_FORMS")}


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
        # The version the editor's page was opened at (optimistic locking).
        "version": organisation.version,
        # The inlines (citations, dated facts, agreements), empty unless the changes add rows.
        **empty_inlines("organisation"),
    }
    if organisation.is_published:
        data["is_published"] = "on"
    return {**data, **changes}
