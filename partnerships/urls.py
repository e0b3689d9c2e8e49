"""Public URLs of the registry (fixed by the public contract, docs/contract.md)."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from . import views
from .caching import cache_public_page
from .sitemaps import SITEMAPS


class RecordIdConverter:
    """A record id: digits only, few enough that every database can compare them, and written
    one way only (no leading zeros), so that each record has one address."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RecordIdConverter, "id")

app_name = "partnerships"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("agreements/", views.AgreementList.as_view(), name="agreement-list"),
    path("agreements/<id:pk>/", views.agreement_detail, name="agreement-detail"),
    path("cooperation/", views.CooperationActivityList.as_view(), name="activity-list"),
    path("cooperation/<slug:slug>/", views.activity_detail, name="activity-detail"),
    path("areas/", views.area_list, name="area-list"),
    path("areas/<slug:slug>/", views.area_detail, name="area-detail"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
    # A section of the sitemap lists up to 50,000 records: seconds of work, so it is cached too.
    # A section reads one parameter, its page number p.
    path(
        "sitemap.xml",
        cache_public_page(sitemap_views.index, parameters=()),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "partnerships:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_public_page(sitemap_views.sitemap, parameters={"p"}),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
