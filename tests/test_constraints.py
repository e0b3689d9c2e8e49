"""The check constraints validated in Python (partnerships/constraints.py) give the database's answer."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CheckConstraint, F, Q
from django.test.utils import CaptureQueriesContext

from partnerships.constraints import CheckedInPython, NotInPython, truth
from partnerships.models import Agreement, CooperationActivity, Organisation

pytestmark = pytest.mark.django_db

CHECKED_MODELS = [Organisation, Agreement, CooperationActivity]
# Values each kind of field takes in the grid: NULL, and values below, equal to and above others.
DATES = [None, datetime.date(2020, 1, 1), datetime.date(2021, 6, 30)]
IDS = [None, 1, 2]


def fields_named(condition):
    """The field names a condition compares, with the fields its F() expressions name."""
    if isinstance(condition, Q):
        return {name for child in condition.children for name in fields_named(child)}
    path, expected = condition
    names = {path.split("__")[0]}
    if isinstance(expected, F):
        names.add(expected.name)
    return names


def values_for(model, name):
    if name == "pk":
        return IDS
    field = model._meta.get_field(name)
    return DATES if field.get_internal_type() == "DateField" else IDS


def check_constraints():
    for model in CHECKED_MODELS:
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                yield pytest.param(model, constraint, id=constraint.name)


def test_the_imported_models_check_in_python():
    assert all(issubclass(model, CheckedInPython) for model in CHECKED_MODELS)


@pytest.mark.parametrize(("model", "constraint"), list(check_constraints()))
def test_every_check_constraint_is_evaluated_in_python_as_the_database_does(model, constraint):
    names = sorted(fields_named(constraint.condition))
    cases = 0
    for values in itertools.product(*(values_for(model, name) for name in names)):
        record = model()
        for name, value in zip(names, values, strict=True):
            setattr(record, "pk" if name == "pk" else model._meta.get_field(name).attname, value)
        in_python = truth(constraint.condition, record)
        in_the_database = Q(constraint.condition).check(record._get_field_expression_map(meta=model._meta))
        assert (in_python is not False) == in_the_database, dict(zip(names, values, strict=True))
        cases += 1
    assert cases == 3 ** len(names)


def test_sql_rules_for_null():
    activity = CooperationActivity(starts_on=datetime.date(2021, 1, 1), ends_on=None)
    assert truth(Q(ends_on__gte=F("starts_on")), activity) is None  # unknown: the CHECK passes
    assert truth(~Q(ends_on__gte=F("starts_on")), activity) is None
    assert truth(Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), activity) is True
    assert truth(Q(ends_on__isnull=False) & Q(ends_on__gte=F("starts_on")), activity) is False


def test_a_condition_python_cannot_evaluate_is_left_to_the_database():
    activity = CooperationActivity(title="Training")
    with pytest.raises(NotInPython):
        truth(Q(title__icontains="train"), activity)
    with pytest.raises(NotInPython):
        truth(Q(partners__isnull=True), activity)


def test_a_broken_check_constraint_is_named_without_a_query():
    activity = CooperationActivity(
        slug="x", title="X", starts_on=datetime.date(2021, 1, 2), ends_on=datetime.date(2021, 1, 1)
    )
    constraint = next(c for c in CooperationActivity._meta.constraints if c.name.endswith("end_not_before_start"))
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as raised:
        activity._checked_in_python(constraint, exclude=None)
    assert raised.value.messages == ["The planned end cannot be before the planned start."]
    assert len(queries) == 0


def test_full_validation_names_the_broken_check_and_skips_excluded_fields():
    activity = CooperationActivity(
        slug="x", title="X", starts_on=datetime.date(2021, 1, 2), ends_on=datetime.date(2021, 1, 1)
    )
    with pytest.raises(ValidationError) as raised:
        activity.validate_constraints()
    assert raised.value.message_dict == {"__all__": ["The planned end cannot be before the planned start."]}
    activity.validate_constraints(exclude={"ends_on"})  # as Django skips a constraint on an excluded field
