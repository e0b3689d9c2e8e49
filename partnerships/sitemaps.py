"""The sitemap: the public pages of published records only."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Agreement, CooperationActivity, CooperationArea, Organisation
from .provenance import cited_sources


class RegisterSitemap(Sitemap):
    """The overview and the registers."""

    def items(self):
        return ["home", "organisation-list", "agreement-list", "activity-list", "area-list"]

    def location(self, item):
        return reverse(f"partnerships:{item}")


class RecordSitemap(Sitemap):
    """A published record's page, last modified when what the public sees of it last changed
    (``public_changed_at``, the date its feed entries carry too)."""

    queryset = None
    changed_field = "public_changed_at"

    def items(self):
        return self.queryset.only("pk", "slug", self.changed_field).order_by("pk")

    def lastmod(self, obj):
        return getattr(obj, self.changed_field)


class OrganisationSitemap(RecordSitemap):
    queryset = Organisation.objects.published()


class AgreementSitemap(RecordSitemap):
    queryset = Agreement.objects.published()

    def items(self):
        return self.queryset.only("pk", self.changed_field).order_by("pk")


class ActivitySitemap(RecordSitemap):
    queryset = CooperationActivity.objects.published()


class AreaSitemap(RecordSitemap):
    queryset = CooperationArea.objects.published()


class SourceSitemap(RecordSitemap):
    """The pages of the source documents that published statements cite."""

    def items(self):
        return cited_sources().only("pk", "slug", self.changed_field).order_by("pk")


SITEMAPS = {
    "pages": RegisterSitemap,
    "organisations": OrganisationSitemap,
    "agreements": AgreementSitemap,
    "cooperation": ActivitySitemap,
    "areas": AreaSitemap,
    "sources": SourceSitemap,
}
