"""The API's addresses, under /api/v1/: a collection per kind of record, the schema and its docs.

/api/v1/ stays compatible: fields may be added, none renamed or removed; a breaking change
would be published under /api/v2/ beside it.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("cooperation", views.ActivityViewSet, basename="activity")
router.register("areas", views.AreaViewSet, basename="area")
router.register("regions", views.RegionViewSet, basename="region")
router.register("sources", views.SourceViewSet, basename="source")

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    *router.urls,
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
]
