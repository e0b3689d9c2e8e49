"""URL configuration: the staff admin and the public site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from partnerships.api.views import not_found

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/v1/", include("partnerships.api.urls")),
    # Any other address under /api/ is answered in JSON too, never with the site's HTML 404 page.
    re_path(r"^api/", not_found),
    path("", include("partnerships.urls")),
]

# The server-error page, or the "temporarily unavailable" one when the database is unreachable.
handler500 = "partnerships.outage.server_error"
# Staff inside the admin get its own 403 and 404 pages; everyone else the public site's.
handler403 = "partnerships.admin.errors.permission_denied"
handler404 = "partnerships.admin.errors.page_not_found"
