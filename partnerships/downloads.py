"""The full download of each register, written once per registry version to a file.

A full download (no filter) is the largest answer the site gives and the one asked for most
often. Written out once per registry version, it is then served from a file: with its length
(``Content-Length``, so that a client can tell a cut download from a complete one), and from
the operating system's file cache, so that a slow client holds a thread while it reads, and no
database connection. Like every public answer it carries the registry's validators (an
``ETag``, a 304 for a repeat; caching.py). Filtered downloads are streamed from the database
as they are read (exports.py).

Each server host writes its own files to DOWNLOADS_DIR (DJANGO_DOWNLOADS_DIR). A file is written
under a temporary name and renamed when complete, so a reader never sees half a file; files of
earlier versions are removed when a newer one is written.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse


def version_tag(version):
    """The registry version as a short name for files and ETags, whatever characters it holds."""
    return hashlib.sha256(str(version).encode()).hexdigest()[:20]


def write(path, pieces):
    """Write the text pieces to ``path`` as UTF-8, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            for piece in pieces:
                file.write(piece.encode("utf-8"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_earlier(path, pattern):
    for earlier in path.parent.glob(pattern):
        if earlier != path:
            earlier.unlink(missing_ok=True)


def full_download(export, queryset, fmt, version):
    """The whole register ``export`` as ``fmt``, from the file of registry version ``version``."""
    path = Path(settings.DOWNLOADS_DIR) / f"{export.name}-{version_tag(version)}.{fmt}"
    if not path.exists():
        write(path, export.body(queryset, fmt))
        remove_earlier(path, f"{export.name}-*.{fmt}")
    return FileResponse(
        path.open("rb"), content_type=export.content_type(fmt), as_attachment=True, filename=export.file_name(fmt)
    )
