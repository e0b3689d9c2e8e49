"""Cross-origin reading of the open data: any web page may read the API, the catalogue and the downloads.

They are public and read without credentials, so every origin may read every answer
(``Access-Control-Allow-Origin: *``, never with credentials). A middleware rather than the views
adds the headers, so that every answer gets them: fresh ones, copies from the page cache,
304s given before any view runs, and errors.
"""

import re

from .parameters import EXPORT_FORMATS

ALLOW_ORIGIN = {
    "Access-Control-Allow-Origin": "*",
    # Readable by the page's script besides the headers every origin may read.
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Disposition",
}
# The answer to a preflight (OPTIONS) request: what a page on another site may send.
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
OPEN_DATA_PATHS = ("/api/", "/catalog.")
VOCABULARY_DOWNLOAD = re.compile(r"/data/[-\w]+\.\w+")


def is_open_data(request):
    """The API, the catalogue, the vocabularies' downloads and the registers' downloads."""
    return (
        request.path.startswith(OPEN_DATA_PATHS)
        or VOCABULARY_DOWNLOAD.fullmatch(request.path) is not None
        or request.GET.get("format") in EXPORT_FORMATS
    )


class OpenDataCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in ("GET", "HEAD", "OPTIONS") and is_open_data(request):
            for name, value in ALLOW_ORIGIN.items():
                response[name] = value
            if request.method == "OPTIONS":
                for name, value in PREFLIGHT.items():
                    response[name] = value
        return response
