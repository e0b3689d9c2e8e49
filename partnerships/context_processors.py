"""Template context shared by every public page."""


def navigation(request):
    """The site section of the current page, so the header can mark it (``aria-current``)."""
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match and match.url_name else ""
    return {"current_section": name.split("-")[0]}
