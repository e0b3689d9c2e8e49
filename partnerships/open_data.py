"""Open data for people: the /data/ page, the vocabularies' downloads and schema.org descriptions.

The field tables of /data/ are made from the download definitions (exports.py) and the models,
so the page says exactly what each file holds.
"""

import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_safe

from . import exports
from .caching import cache_public_page
from .download_fields import describe
from .exports import FORMULA_PREFIXES
from .models import public_records
from .parameters import EXPORT_FORMATS
from .provenance import cited_sources

LICENCE_NAMES = {
    "https://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0 Universal (public domain dedication)",
}
# How the characters that make a spreadsheet cell a formula are shown on the page.
PREFIX_NAMES = {"=": "=", "+": "+", "-": "-", "@": "@", "\t": "a tab", "\r": "a carriage return"}


def licence():
    url = settings.REGISTRY_DATA_LICENCE
    return {"url": url, "name": LICENCE_NAMES.get(url, url)}


def register_downloads():
    """The registers' downloads, each with its page, API collection and field table."""
    pages = {
        "organisations": ("partnerships:organisation-list", "api:organisation-list"),
        "agreements": ("partnerships:agreement-list", "api:agreement-list"),
        "cooperation": ("partnerships:activity-list", "api:activity-list"),
    }
    return [
        {
            "key": key,
            "title": export.title,
            "page": reverse(pages[key][0]),
            "csv": reverse(pages[key][0]) + "?format=csv",
            "json": reverse(pages[key][0]) + "?format=json",
            "api": reverse(pages[key][1]),
            "fields": describe(export),
        }
        for key, export in exports.REGISTERS.items()
    ]


def vocabulary_downloads():
    return [
        {
            "key": key,
            "title": export.title,
            "csv": reverse("partnerships:vocabulary-download", args=[key, "csv"]),
            "json": reverse("partnerships:vocabulary-download", args=[key, "json"]),
            "api": reverse(f"api:{key[:-1]}-list" if key != "areas" else "api:area-list"),
            "fields": describe(export),
        }
        for key, export in exports.VOCABULARIES.items()
    ]


def dataset_jsonld(request):
    """schema.org ``Dataset`` for /data/: what search engines' dataset search reads."""
    absolute = request.build_absolute_uri
    distributions = [
        {"@type": "DataDownload", "encodingFormat": media_type, "contentUrl": absolute(download[fmt])}
        for download in register_downloads()
        for fmt, media_type in (("csv", "text/csv"), ("json", "application/json"))
    ]
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": "Partnerships registry",
        "description": (
            "The agency's cooperation with international organisations: the organisations, the formal "
            "agreements and the cooperation activities, each statement with the source passage it is quoted from."
        ),
        "url": absolute(reverse("partnerships:data")),
        "license": settings.REGISTRY_DATA_LICENCE,
        "isAccessibleForFree": True,
        "inLanguage": "en",
        "keywords": ["international cooperation", "international organisations", "border management"],
        "publisher": {"@type": "Organization", "name": settings.REGISTRY_PUBLISHER_NAME},
        "distribution": distributions,
        "subjectOf": {"@type": "DataCatalog", "url": absolute(reverse("partnerships:catalogue-jsonld"))},
    }


def organisation_jsonld(request, organisation, parent=None):
    """schema.org ``Organization`` for an organisation's page."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": organisation.name,
        "url": request.build_absolute_uri(organisation.get_absolute_url()),
    }
    if organisation.acronym:
        data["alternateName"] = organisation.acronym
    if organisation.website:
        data["sameAs"] = organisation.website
    if organisation.summary:
        data["description"] = organisation.summary
    if organisation.headquarters_city or organisation.headquarters_country:
        address = {"@type": "PostalAddress"}
        if organisation.headquarters_city:
            address["addressLocality"] = organisation.headquarters_city
        if organisation.headquarters_country:
            address["addressCountry"] = organisation.headquarters_country
        data["address"] = address
    if parent is not None:
        data["parentOrganization"] = {
            "@type": "Organization",
            "name": parent.name,
            "url": request.build_absolute_uri(parent.get_absolute_url()),
        }
    return data


def jsonld_script(data):
    """A ``<script type="application/ld+json">`` block: data, never run, so the CSP allows it.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no value can close the element.
    """
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return format_html('<script type="application/ld+json">{}</script>', _Raw(text))


class _Raw(str):
    """Text already made safe for a script element by ``jsonld_script``."""

    def __html__(self):
        return str(self)


@require_safe
@cache_public_page(parameters=())
def data_page(request):
    absolute = request.build_absolute_uri
    context = {
        "licence": licence(),
        "registers": register_downloads(),
        "vocabularies": vocabulary_downloads(),
        "formula_prefixes": [PREFIX_NAMES[prefix] for prefix in FORMULA_PREFIXES],
        "examples": {
            "organisations": absolute(reverse("api:organisation-list") + "?area=return"),
            "activities": absolute(reverse("api:activity-list") + "?organisation=iom&status=ongoing&page_size=100"),
            "activity": absolute(reverse("api:activity-detail", args=["fields-deployment"])),
            "csv": absolute(reverse("partnerships:activity-list") + "?area=return&format=csv"),
            "catalogue": absolute(reverse("partnerships:catalogue-ttl")),
        },
        "api_root": absolute(reverse("api:root")),
        "jsonld": jsonld_script(dataset_jsonld(request)),
        "contact_email": settings.REGISTRY_CONTACT_EMAIL,
    }
    return render(request, "partnerships/data.html", context)


@require_safe
@cache_public_page(parameters=())
def vocabulary_download(request, vocabulary, fmt):
    """``/data/areas.csv``, ``/data/regions.json``...: a vocabulary, to join the registers' slugs against."""
    export = exports.VOCABULARIES.get(vocabulary)
    if export is None or fmt not in EXPORT_FORMATS:
        raise Http404("There is no such download.")
    # A source is public once a public record cites it.
    queryset = cited_sources() if export is exports.SOURCES else public_records(export.model)
    return export.response(queryset, fmt, request)
