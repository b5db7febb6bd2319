"""Every schema and enum the API documents has a component name of its own.

django-ninja keeps one OpenAPI component per class name, so two classes called ``Status`` (a
case's and a feed batch's) or ``VisitIn`` (an alert visit and a household visit) silently share
one entry and one of the operations is documented with the other's fields: every generated
client then sends the wrong body.
"""

from __future__ import annotations

import enum
import types
import typing
from collections import defaultdict
from typing import Any

from ninja.operation import Operation
from pydantic import BaseModel

from fupin.api.urls import api


def operations() -> list[Operation]:
    found: list[Operation] = []

    def walk(router: Any) -> None:
        for path_view in router.path_operations.values():
            found.extend(path_view.operations)
        for _, child, *_ in router._routers:
            walk(child)

    api.urls  # noqa: B018  builds the routers
    for _, router, *_ in api._routers:
        walk(router)
    return found


def classes_in(annotation: Any, seen: set[type]) -> None:
    """Every pydantic model and enum reachable from an annotation."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        seen.add(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            classes_in(field.annotation, seen)
        return
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            classes_in(arg, seen)


def documented_classes() -> set[type]:
    seen: set[type] = set()
    for operation in operations():
        for model in operation.models:
            classes_in(model, seen)
        for response in (operation.response_models or {}).values():
            if response is not None:
                classes_in(response, seen)
    return seen


def test_the_walk_finds_the_api_schemas() -> None:
    names = {cls.__name__ for cls in documented_classes()}
    assert {"HouseholdOut", "CaseOut", "AlertOut", "ErrorOut"} <= names


def test_no_two_documented_classes_share_a_component_name() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in documented_classes():
        if cls.__name__ == "NinjaResponseSchema" or cls.__module__.startswith("ninja."):
            continue  # ninja's own wrappers are inlined, never a component
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(owners) for name, owners in by_name.items() if len(owners) > 1}
    assert shared == {}


def test_every_component_is_the_class_of_its_name() -> None:
    components = api.get_openapi_schema()["components"]["schemas"]
    for cls in documented_classes():
        if cls.__name__ in components and issubclass(cls, enum.Enum):
            assert sorted(components[cls.__name__]["enum"]) == sorted(m.value for m in cls), cls
