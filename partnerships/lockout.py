"""The page a login attempt gets while its user name and address are locked out.

django-axes calls ``locked_out`` (settings.AXES_LOCKOUT_CALLABLE) instead of its plain-text
default, so that the page looks like the admin's login and says how long to wait.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    context = {
        **admin.site.each_context(request),
        "title": "Login locked",
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "admin/login_locked.html", context, status=429)
