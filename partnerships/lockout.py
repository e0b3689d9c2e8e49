"""Login throttling that an attacker cannot turn against staff (django-axes).

- Failed logins lock the combination of user name and client address (AXES_LOCKOUT_PARAMETERS):
  someone guessing at a colleague's password from elsewhere does not lock the colleague out.
- One client address may fail only LOGIN_FAILURES_PER_ADDRESS times, across all user names,
  within the lockout period (``LoginAttempts``): trying one password against many names
  (password spraying) is stopped too.
- The client address is the one the trusted proxies saw (``client_address``), so behind a proxy
  each visitor is counted on their own address rather than all on the proxy's.
- A locked-out attempt gets the admin's lockout page (``locked_out``) with ``Retry-After``.

Staff lift a lock early with ``manage.py axes_reset_username <name>`` or
``manage.py axes_reset_ip <address>``, or by deleting the entry under "Access attempts" in the
admin (README, "Login throttling").
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import render


def valid_address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The address of the client, as the nearest of the trusted proxies saw it.

    With ``TRUSTED_PROXY_COUNT`` proxies in front (DJANGO_TRUSTED_PROXY_COUNT), each appends the
    address it was reached from to ``X-Forwarded-For``, so the client's is the one that many
    places from the end; whatever stands before it came from the client and may be forged.
    Without trusted proxies, or when the header has fewer entries than there are proxies (a
    request that did not come through them all), the address of the connection counts.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count and (address := valid_address(forwarded[-count])):
            return address
    return remote


def failures_from(address, request=None):
    """Failed logins from the address within the lockout period, whatever the user names."""
    failures = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gt=get_cool_off_threshold(request)
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return failures or 0


class LoginAttempts(AxesDatabaseHandler):
    """axes' database handler, with a limit per client address across user names on top of
    the limit per user name and address."""

    def address_locked(self, request):
        address = getattr(request, "axes_ip_address", None)
        return bool(address) and failures_from(address, request) >= settings.LOGIN_FAILURES_PER_ADDRESS

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and self.address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def locked_out(request, original_response=None, credentials=None):
    """The page of a refused login (settings.AXES_LOCKOUT_CALLABLE): the admin's look, how long
    to wait, and the same as ``Retry-After``."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Login locked",
        "lockout_minutes": int(cool_off.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.LOGIN_FAILURES_PER_ADDRESS,
    }
    response = render(request, "admin/login_locked.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
