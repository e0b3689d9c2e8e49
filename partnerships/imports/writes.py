"""What an import writes after each row's record, gathered for the whole file and written together.

The records an import creates are inserted a thousand at a time (the resource's ``use_bulk``),
so a row has no id to give its links, its citation or its history entry while it is read. Those
wait here and are written, a thousand rows a query, once the rows are done and before the
import's own checks (who may publish what) read them: the links and the first citation of each
record the import creates, and the history entry of each record it saves. On a database server
every query is a round trip; a new row no longer sends any of its own.

A record already there is updated as the admin updates it, its links and citation saved with
its row, so that the row and the record agree at every step; a later row naming a record again
finds everything the earlier one wrote (the resource's ``write_pending()`` comes first).
"""

from collections import defaultdict

from ..batches import BATCH
from ..models import Citation


class RowWrites:
    def __init__(self, history=True):
        # A preview is rolled back: it writes no history, nor the change log that follows it.
        self.history = history
        self.links = defaultdict(list)  # {many-to-many field: [(record, related records)]}
        self.citations = []
        self.saved = defaultdict(list)  # {model: [(record, created)]}, in the order saved

    def link(self, record, field, related):
        """The links of a record the import creates, to the ``related`` records."""
        if not hasattr(record, "known_links"):
            record.known_links = {}  # (link id, related id) pairs, filled in by write(), for its history entry
        self.links[field].append((record, related))

    def cite(self, citation):
        """The first citation of a record the import creates."""
        self.citations.append(citation)

    def record_history(self, record, created):
        if self.history:
            self.saved[type(record)].append((record, created))

    def write(self):
        self.write_links()
        if self.citations:
            Citation.objects.bulk_create(self.citations, batch_size=BATCH)
            if self.history:
                # Part of its record's first entry: a draft's citations are shown nowhere, and a
                # record published by the import enters the change log as published, whatever
                # it cites. So the change log is not told of them apart (``noted``).
                Citation.registry_history.record_saves([(citation, True) for citation in self.citations], noted=False)
            self.citations = []
        for model, saves in self.saved.items():
            model.registry_history.record_saves(saves)
        self.saved.clear()

    def write_links(self):
        for field, records in self.links.items():
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            rows = through._base_manager.bulk_create(
                [
                    through(**{f"{source}_id": record.pk, f"{target}_id": other.pk})
                    for record, related in records
                    for other in related
                ],
                batch_size=BATCH,
            )
            written = defaultdict(list)
            for row in rows:
                written[getattr(row, f"{source}_id")].append((row.pk, getattr(row, f"{target}_id")))
            for record, _ in records:
                record.known_links[field.name] = written[record.pk]
        self.links.clear()
