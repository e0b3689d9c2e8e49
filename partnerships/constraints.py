"""Check constraints validated in Python where the database is not needed for them.

Django validates a ``CheckConstraint`` by asking the database: one query (and a savepoint
inside a transaction) per constraint, per record validated. For one record saved in the admin
that is nothing; a bulk import validating ten thousand rows pays it ten thousand times. The
registry's check constraints compare a record's own fields with each other or with nothing
(``ends_on >= starts_on``, ``parent != pk``, ``organisation IS NULL``): those are evaluated
here on the record's values, with SQL's rules for NULL (a comparison with NULL is unknown, and a
constraint fails only when its condition is false, as the database's CHECK does). Any other
condition is still asked of the database.

``tests/test_constraints.py`` checks, for every check constraint of the registry, that this
evaluation and the database's agree.
"""

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models import CheckConstraint, F, Q

COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class NotInPython(Exception):
    """The condition needs the database (a lookup or expression not evaluated here)."""


class Excluded(Exception):
    """The condition names a field left out of the validation: Django skips such a constraint."""


def value_of(instance, name, exclude):
    if name == "pk":
        return instance.pk
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        raise NotInPython(name) from None
    if not field.concrete or field.many_to_many:
        raise NotInPython(name)
    if exclude and name in exclude:
        raise Excluded(name)
    return getattr(instance, field.attname)


def _all(results):
    results = list(results)
    if False in results:
        return False
    return None if None in results else True


def _any(results):
    results = list(results)
    if True in results:
        return True
    return None if None in results else False


def truth(condition, instance, exclude=None):
    """True, False or None (unknown) for the record's values, as SQL evaluates ``condition``."""
    if isinstance(condition, Q):
        results = (truth(child, instance, exclude) for child in condition.children)
        result = _all(results) if condition.connector == Q.AND else _any(results)
        if condition.negated:
            result = None if result is None else not result
        return result
    if not isinstance(condition, tuple):
        raise NotInPython(condition)
    path, expected = condition
    name, _, lookup = path.partition("__")
    lookup = lookup or "exact"
    value = value_of(instance, name, exclude)
    if lookup == "isnull":
        if not isinstance(expected, bool):
            raise NotInPython(path)
        return (value is None) is expected
    if lookup not in COMPARISONS:
        raise NotInPython(path)
    if isinstance(expected, F):
        expected = value_of(instance, expected.name, exclude)
    elif hasattr(expected, "resolve_expression"):
        raise NotInPython(path)
    if value is None or expected is None:
        return None
    return COMPARISONS[lookup](value, expected)


class CheckedInPython(models.Model):
    """A model whose plain check constraints ``validate_constraints()`` evaluates without a query."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        # Model.validate_constraints(), with the plain check constraints evaluated here.
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, model_constraints in self.get_constraints():
            for constraint in model_constraints:
                try:
                    if not self._checked_in_python(constraint, exclude):
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _checked_in_python(self, constraint, exclude):
        """Whether the constraint was validated here (a ValidationError if it is not met)."""
        if not isinstance(constraint, CheckConstraint):
            return False
        try:
            met = truth(constraint.condition, self, exclude) is not False
        except Excluded:
            return True  # as Django skips it
        except NotInPython:
            return False
        if not met:
            raise ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
        return True
