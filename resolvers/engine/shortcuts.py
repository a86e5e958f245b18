"""Which fields of a schema have a shortcut through the executor (resolvers/engine/execution.py),
and what it is: how to get the value and how to complete it. Decided from the schema alone,
apart from arguments, which a plan converts once per request (resolvers/engine/plans.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)

from resolvers.engine.internals import (
    FieldDetailsList,
    Info,
    StrawberryField,
    attribute_getter,
    definition_of,
    enum_class_of,
    is_default_resolver,
    isinstance_check_of,
    resolver_of,
)

LEAF, OBJECT, LIST = "leaf", "object", "list"


@dataclass(frozen=True, slots=True)
class Shortcut:
    """How to resolve and complete one field without the per-field machinery."""

    completion: str                          # LEAF, OBJECT or LIST
    get: Callable[[Any], Any] | None         # value from the parent, when no info is needed
    with_info: Callable[[Any, Info], Any] | None  # value from the parent and the field's info
    definition: StrawberryField
    field_def: GraphQLField
    nullable: bool
    resolved: bool                           # by a method, which may answer with an awaitable
    coerce: Callable[[Any], Any] | None
    object_type: GraphQLObjectType | None
    parent_type: GraphQLObjectType
    type_check: Callable[[Any], bool] | None = None  # the object type's `is_type_of`


def shortcut_for(parent_type: GraphQLObjectType, details: FieldDetailsList,
                 arguments: dict[str, Any]) -> Shortcut | None:
    """The shortcut for a field without extensions whose value is an attribute, or comes from
    a sync method taking `self`, perhaps `info`, and `arguments` (converted once, shared by
    every call: resolvers do not change their arguments); None for any other field."""
    field_def = parent_type.fields.get(details[0].node.name.value)
    if field_def is None:
        return None
    definition = definition_of(field_def)
    if definition is None or definition.extensions:
        return None
    get: Callable[[Any], Any] | None = None
    with_info: Callable[[Any, Info], Any] | None = None
    resolver = resolver_of(definition)
    if resolver is None:
        if arguments or not is_default_resolver(field_def.resolve):
            return None
        get = attribute_getter(definition)
    else:
        if (resolver.is_async or not resolver.takes_self or resolver.takes_root
                or resolver.takes_parent):
            return None
        method = resolver.function
        info_name = resolver.info_name
        if info_name is None:
            get = (lambda source: method(source, **arguments)) if arguments else method
        else:
            with_info = lambda source, info: method(source, **{info_name: info}, **arguments)  # noqa: E731

    field_type = field_def.type
    nullable = not isinstance(field_type, GraphQLNonNull)
    named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    common: dict[str, Any] = {"get": get, "with_info": with_info, "definition": definition,
                              "field_def": field_def, "nullable": nullable,
                              "resolved": resolver is not None, "parent_type": parent_type}
    if is_leaf_type(named):
        return Shortcut(LEAF, coerce=_coercion(named), object_type=None, **common)
    completion, object_type = OBJECT, named
    if isinstance(named, GraphQLList) and isinstance(named.of_type, GraphQLNonNull):
        completion, object_type = LIST, named.of_type.of_type
    if not isinstance(object_type, GraphQLObjectType):
        return None
    if object_type.is_type_of is None:
        return Shortcut(completion, coerce=None, object_type=object_type, **common)
    type_check = isinstance_check_of(object_type.is_type_of)
    if type_check is None:
        return None
    return Shortcut(completion, coerce=None, object_type=object_type, type_check=type_check,
                    **common)


def _coercion(leaf_type: Any) -> Callable[[Any], Any]:
    """The type's own `coerce_output_value`; for Strawberry's enums, the same answers from a
    table: theirs compares the value with each member's in turn (hundreds of enum values a
    list page)."""
    coerce: Callable[[Any], Any] = leaf_type.coerce_output_value
    enum: Any = enum_class_of(leaf_type)
    if enum is None:
        return coerce
    names = {member: coerce(member) for member in enum}

    def coerce_enum(value: Any) -> Any:
        return names[value] if type(value) is enum else coerce(value)

    return coerce_enum

