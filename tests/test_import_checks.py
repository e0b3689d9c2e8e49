"""An import checks uniqueness in any case for the whole file without a query per row: against
the records already there and against the file's own earlier rows, and with the values a row
gives up free for the rows after it."""

import pytest
from django.db.models import CheckConstraint

from partnerships.imports.checks import any_case_constraints
from partnerships.models import Agreement, CooperationActivity, Organisation

from .importing import confirm, preview, row_errors, row_types

HEADER = b"slug,acronym,name,kind,relationship\n"


@pytest.mark.parametrize("model", [Organisation, Agreement, CooperationActivity])
def test_every_unique_field_of_an_imported_register_is_unique_in_any_case(model):
    """What lets the import leave out each field's own uniqueness check (one query a row): a
    field unique as typed is unique in any case too, and no other constraint names it."""
    any_case = any_case_constraints(model)
    unique = {field.name for field in model._meta.concrete_fields if field.unique and not field.primary_key}
    assert unique <= set(any_case)
    checked = [constraint for constraint in model._meta.constraints if isinstance(constraint, CheckConstraint)]
    for constraint in checked:
        assert not fields_named(constraint.condition) & set(any_case), constraint.name


def fields_named(condition):
    """The fields a check constraint's condition (a Q of lookups) names."""
    names = set()
    for child in condition.children:
        if isinstance(child, tuple):
            path, value = child
            names.add(path.split("__")[0])
            if hasattr(value, "name"):  # F("starts_on")
                names.add(value.name)
        else:
            names |= fields_named(child)
    return names


def test_two_rows_of_one_file_cannot_take_one_slug_in_two_cases(client, registry, editor):
    content = b"slug,title,status,priority\njoint,First,planned,normal\nJOINT,Second,planned,normal\n"
    client.force_login(editor)

    response = preview(client, "cooperationactivity", content)

    assert row_errors(response) == {
        2: {"slug": ["A cooperation activity with this slug (in any case) already exists."]}
    }
    assert not CooperationActivity.objects.filter(slug__iexact="joint").exists()


def test_a_name_or_acronym_an_organisation_holds_in_any_case_is_refused(client, registry, editor):
    iom = Organisation.objects.get(slug="iom")
    content = (
        HEADER
        + (
            f"newcomer,{iom.acronym.lower()},Newcomer,intergovernmental,exploring\n"
            f"other,OTHER,{iom.name.upper()},intergovernmental,exploring\n"
            f"third,THIRD,{iom.name},intergovernmental,exploring\n"
        ).encode()
    )
    client.force_login(editor)

    response = preview(client, "organisation", content)

    assert row_errors(response) == {
        1: {"acronym": ["An organisation with this acronym (in any case) already exists."]},
        2: {"name": ["An organisation with this name (in any case) already exists."]},
        3: {"name": ["An organisation with this name (in any case) already exists."]},
    }


def test_a_value_an_earlier_row_gives_up_is_free_for_a_later_row(client, registry, editor):
    """The first row renames IOM's acronym; the second gives the old one to a new organisation."""
    iom = Organisation.objects.get(slug="iom")
    old_acronym = iom.acronym
    content = (
        HEADER
        + (
            f"iom,IOM-UN,{iom.name},{iom.kind},{iom.relationship}\n"
            f"newcomer,{old_acronym},Newcomer,intergovernmental,exploring\n"
        ).encode()
    )
    client.force_login(editor)

    response = preview(client, "organisation", content)
    assert row_types(response) == ["update", "new"], row_errors(response)
    assert confirm(client, "organisation", response).status_code == 302

    assert Organisation.objects.get(slug="iom").acronym == "IOM-UN"
    assert Organisation.objects.get(slug="newcomer").acronym == old_acronym


def test_a_record_updated_twice_in_one_file_frees_the_value_it_held_first(client, registry, editor):
    iom = Organisation.objects.get(slug="iom")
    content = (
        HEADER
        + (
            f"iom,IOM-A,{iom.name},{iom.kind},{iom.relationship}\n"
            f"iom,IOM-B,{iom.name},{iom.kind},{iom.relationship}\n"
            "newcomer,IOM-A,Newcomer,intergovernmental,exploring\n"
        ).encode()
    )
    client.force_login(editor)

    response = preview(client, "organisation", content)
    assert row_types(response) == ["update", "update", "new"], row_errors(response)
    assert confirm(client, "organisation", response).status_code == 302

    assert Organisation.objects.get(slug="iom").acronym == "IOM-B"
    assert Organisation.objects.get(slug="newcomer").acronym == "IOM-A"


def test_a_new_record_repeated_in_a_file_keeps_its_values_for_itself(client, registry, editor):
    """Its second row updates what the first added: its own name is not taken from it."""
    content = HEADER + (
        b"newcomer,NEW,Newcomer,intergovernmental,exploring\n"
        b"newcomer,NEW,Newcomer,intergovernmental,active\n"
        b"other,new,Other,intergovernmental,exploring\n"
    )
    client.force_login(editor)

    response = preview(client, "organisation", content)

    assert row_types(response)[:2] == ["new", "update"]
    assert row_errors(response) == {
        3: {"acronym": ["An organisation with this acronym (in any case) already exists."]}
    }
