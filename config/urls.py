"""URL configuration: the staff admin and the public site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("partnerships.urls")),
]

# The server-error page, or the "temporarily unavailable" one when the database is unreachable.
handler500 = "partnerships.outage.server_error"
# Staff inside the admin get its own 403 and 404 pages; everyone else the public site's.
handler403 = "partnerships.admin.errors.permission_denied"
handler404 = "partnerships.admin.errors.page_not_found"
