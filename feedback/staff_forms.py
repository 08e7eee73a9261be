"""Helpers of the staff forms. Errors as the page shows them: one message per input, by the
input's id, in the order of the form, whether WTForms found them or a service did (a service names
its fields "contact_types.2.code"; the page's input is "contact_types-1-code"). And the filter
that trims what was typed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wtforms import Field, Form
from wtforms.fields import FieldList, FormField


def strip(value: Any) -> Any:
    """A field filter: the text without surrounding white space (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def _walk(fields: Form | FieldList | FormField) -> list[Field]:
    found: list[Field] = []
    for field in fields:
        if isinstance(field, FieldList | FormField):
            found.extend(_walk(field))
        else:
            found.append(field)
    return found


def form_problems(form: Form) -> dict[str, str]:
    """The first error of each input, by id, in the form's order."""
    return {field.id: str(field.errors[0]) for field in _walk(form) if field.errors}


def service_problems(
    errors: Mapping[str, str], field_id: Callable[[str], str | None], fallback: str
) -> dict[str, str]:
    """A service's errors by the id of the input each is about (`field_id` maps a service's
    key to an input; an error about no input of this form goes to `fallback`)."""
    problems: dict[str, str] = {}
    for key, message in errors.items():
        problems.setdefault(field_id(key) or fallback, str(message))
    return problems


def position_key(key: str) -> str:
    """A service key counted from 1 ("contact_types.2.code") as a FieldList's input id, counted
    from 0 ("contact_types-1-code"); other dots become underscores ("name.en" -> "name_en")."""
    parts = key.split(".")
    if len(parts) > 1 and parts[1].isdigit():
        return "-".join([parts[0], str(int(parts[1]) - 1), "_".join(parts[2:])]).rstrip("-")
    return "_".join(parts)
