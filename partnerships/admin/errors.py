"""The admin's own "not allowed" and "not found" pages: staff who reach one inside the admin
stay in the admin's layout, with its navigation and their account, instead of the public site's."""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.views import defaults


def in_the_admin(request):
    user = getattr(request, "user", None)
    return request.path.startswith("/" + settings.ADMIN_URL) and user is not None and user.is_active and user.is_staff


def admin_error(request, template, status, title):
    context = {**admin.site.each_context(request), "title": title}
    response = TemplateResponse(request, template, context, status=status)
    return response.render()


def permission_denied(request, exception=None):
    if in_the_admin(request):
        return admin_error(request, "admin/403.html", 403, "Not allowed")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if in_the_admin(request):
        return admin_error(request, "admin/404.html", 404, "Not found")
    return defaults.page_not_found(request, exception)
