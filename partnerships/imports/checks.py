"""Uniqueness in any case, checked for a whole file at once.

The registers' slugs, and organisations' names and acronyms, are unique regardless of case: a
constraint on each lower-cased value. Django checks such a constraint with one query per record;
an import of ten thousand rows would send ten thousand. Here the values the file's rows could
collide with are read before the first row, a thousand a query (the records already holding one
of the file's values, and the records the file updates), and kept as the rows save records, so
that each row is checked without a query, against the database and the earlier rows alike.
"""

from django.core.exceptions import ValidationError
from django.db.models import UniqueConstraint
from django.db.models.functions import Lower

from ..batches import in_batches


def any_case_constraints(model):
    """{field name: constraint} of the model's unique constraints on one lower-cased field."""
    found = {}
    for constraint in model._meta.constraints:
        if not isinstance(constraint, UniqueConstraint) or constraint.condition is not None:
            continue
        [expression] = constraint.expressions or [None]
        if isinstance(expression, Lower) and len(expression.source_expressions) == 1:
            found[expression.source_expressions[0].name] = constraint
    return found


def lowered(value):
    return None if value is None else str(value).lower()


class UniqueInAnyCase:
    def __init__(self, model, values, records):
        """``values``: {field name: the file's values}; ``records``: the records the file updates."""
        self.constraints = any_case_constraints(model)
        # {field name: {lower-cased value: the record holding it (an id, or a record not yet saved)}}
        self.taken = {name: {} for name in self.constraints}
        # {record key: {field name: lower-cased value}} of the records placed here (``key()``)
        self.held = {}
        for name in self.constraints:
            for batch in in_batches({lowered(value) for value in values.get(name, [])}):
                holders = (
                    model._base_manager.annotate(_lowered=Lower(name))
                    .filter(_lowered__in=batch)
                    .values_list("_lowered", "pk")
                )
                self.taken[name].update(holders)
        for record in records:
            self.hold(record)

    @property
    def fields(self):
        return set(self.constraints)

    def errors(self, record, exclude=()):
        """{field name: [ValidationError]} for the record's values another record holds."""
        errors = {}
        for name, constraint in self.constraints.items():
            value = lowered(getattr(record, name))
            if name in exclude or value is None:
                continue
            holder = self.taken[name].get(value)
            if holder is not None and not self.same(holder, record):
                errors[name] = [
                    ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
                ]
        return errors

    @staticmethod
    def same(holder, record):
        if holder is record:
            return True
        pk = getattr(holder, "pk", holder)
        return pk is not None and pk == record.pk

    @staticmethod
    def key(record):
        """A saved record by its id (a later row finds it again as another object); one not yet
        saved by itself."""
        return ("id", record.pk) if record.pk is not None else ("object", id(record))

    def hold(self, record):
        """The record (saved, or to be saved) holds its values now; those it held are free."""
        for name, value in self.held.pop(self.key(record), {}).items():
            if self.same(self.taken[name].get(value), record):
                del self.taken[name][value]
        values = {name: lowered(getattr(record, name)) for name in self.constraints}
        for name, value in values.items():
            if value is not None:
                self.taken[name][value] = record if record.pk is None else record.pk
        self.held[self.key(record)] = values

    def saved(self, records):
        """These records, held while not yet saved, now have their ids."""
        for record in records:
            values = self.held.pop(("object", id(record)), None)
            if values is not None:
                self.held[self.key(record)] = values
