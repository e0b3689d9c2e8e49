"""URL configuration: the staff admin and the public site."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("partnerships.urls")),
]
