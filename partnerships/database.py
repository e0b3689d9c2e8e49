"""Where the database lives, for the commands that need to know (migrate, backup)."""

from pathlib import Path
from urllib.parse import unquote, urlsplit


def sqlite_file(connection):
    """The path of the SQLite file a connection opens, or None (another database, or in memory)."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:"):
        name = unquote(urlsplit(name).path)
    return Path(name)
