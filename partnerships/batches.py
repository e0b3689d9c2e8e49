"""Many keys asked of the database a batch at a time: no query carries more parameters than a
database takes (SQLite's limit is the lowest), and none is one query per key."""

BATCH = 1000


def in_batches(keys, size=BATCH):
    """The keys, sorted, in lists of at most ``size``."""
    keys = sorted(keys)
    for start in range(0, len(keys), size):
        yield keys[start : start + size]
