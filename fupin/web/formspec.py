"""Forms drawn from the same field specs the actions validate with, so a page never
validates differently from the API or an import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import QueryDict

from fupin.core.errors import FupinError, ValidationFailed
from fupin.registry.cleaning import Field


@dataclass
class BoundField:
    name: str
    label: str
    spec: Field
    value: Any
    error: str = ""
    input_type: str = "text"
    choices: list[tuple[str, str]] | None = None
    required: bool = False


def bind(
    model: type[models.Model],
    specs: dict[str, Field],
    instance: Any = None,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> list[BoundField]:
    fields = []
    for name, spec in specs.items():
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except Exception:  # a form-only field such as id_number
            label = name
        if data is not None and name in data:
            value = data[name]
        elif instance is not None:
            value = getattr(instance, name, "")
        else:
            value = ""
        bound = BoundField(
            name,
            label,
            spec,
            "" if value is None else value,
            (errors or {}).get(name, ""),
            required=spec.required,
        )
        if spec.kind == "choice" and spec.choices is not None:
            bound.input_type = "select"
            bound.choices = [(str(v), str(lbl)) for v, lbl in spec.choices.choices]
        elif spec.kind == "bool":
            bound.input_type = "checkbox"
            if data is not None:
                bound.value = name in data
        elif spec.kind in ("decimal", "amount") or spec.kind in ("int", "year"):
            bound.input_type = "number"
        elif spec.kind == "date":
            bound.input_type = "date"
        fields.append(bound)
    return fields


def form_data(post: QueryDict, specs: dict[str, Field], *, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The submitted values of ``specs``; an unticked checkbox is sent as nothing, so it is False."""
    data: dict[str, Any] = {}
    for name, spec in specs.items():
        if spec.kind == "bool":
            data[name] = name in post
        elif name in post:
            data[name] = post.get(name)
    for name in extra:
        if name in post:
            data[name] = post.getlist(name) if name.endswith("causes") else post.get(name)
    return data


def error_map(exc: FupinError) -> dict[str, str]:
    errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    out: dict[str, str] = {}
    for err in errors:
        out.setdefault(err.field or "form", err.message)
    return out
