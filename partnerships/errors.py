"""Error answers in the site's own layout, for the failures Django answers itself."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form sent without a valid security token (settings.CSRF_FAILURE_VIEW): most often a
    page left open so long that its token expired, or cookies blocked in the browser."""
    return render(request, "403_csrf.html", status=403)
