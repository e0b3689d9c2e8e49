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
    queryset = None

    def items(self):
        return self.queryset.only("pk", "slug", "updated_at").order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class OrganisationSitemap(RecordSitemap):
    queryset = Organisation.objects.published()


class AgreementSitemap(RecordSitemap):
    queryset = Agreement.objects.published()

    def items(self):
        return self.queryset.only("pk", "updated_at").order_by("pk")


class ActivitySitemap(RecordSitemap):
    queryset = CooperationActivity.objects.published()


class AreaSitemap(RecordSitemap):
    queryset = CooperationArea.objects.published()


class SourceSitemap(RecordSitemap):
    """The pages of the source documents that published statements cite."""

    def items(self):
        return cited_sources().only("pk", "slug", "updated_at").order_by("pk")


SITEMAPS = {
    "pages": RegisterSitemap,
    "organisations": OrganisationSitemap,
    "agreements": AgreementSitemap,
    "cooperation": ActivitySitemap,
    "areas": AreaSitemap,
    "sources": SourceSitemap,
}
