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


def activity_form(activity, **changes):
    """The cooperation activity form as the admin posts it for this activity, with these changes."""
    data = {
        "title": activity.title,
        "slug": activity.slug,
        "summary": activity.summary,
        "status": activity.status,
        "priority": activity.priority,
        "partners": [partner.pk for partner in activity.partners.all()] if activity.pk else [],
        "areas": [area.pk for area in activity.areas.all()] if activity.pk else [],
        "regions": [region.pk for region in activity.regions.all()] if activity.pk else [],
        "agreement": activity.agreement_id or "",
        "starts_on": activity.starts_on or "",
        "ends_on": activity.ends_on or "",
        "version": activity.version,
        # The inlines (citations, dated facts), empty unless the changes add rows.
        **empty_inlines("cooperationactivity"),
    }
    if activity.is_published:
        data["is_published"] = "on"
    return {**data, **changes}


def agreement_form(agreement, **changes):
    """The agreement form as the admin posts it for this agreement, with these changes."""
    data = {
        "title": agreement.title,
        "organisation": agreement.organisation_id or "",
        "kind": agreement.kind,
        "status": agreement.status,
        "areas": [area.pk for area in agreement.areas.all()] if agreement.pk else [],
        "summary": agreement.summary,
        "signed_on": agreement.signed_on or "",
        "in_force_from": agreement.in_force_from or "",
        "expires_on": agreement.expires_on or "",
        "document_url": agreement.document_url,
        "supersedes": agreement.supersedes_id or "",
        "version": agreement.version,
        # The inlines (citations, dated facts), empty unless the changes add rows.
        **empty_inlines("agreement"),
    }
    if agreement.is_published:
        data["is_published"] = "on"
    return {**data, **changes}
