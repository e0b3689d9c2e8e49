"""The /data/ page."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .caching import cache_public_page


@require_safe
@cache_public_page
def data_page(request):
    return render(request, "partnerships/data.html", {})
