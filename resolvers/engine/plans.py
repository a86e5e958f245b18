"""What a selection's plan is, and how it is built (resolvers/engine/execution.py runs it).

A plan lists the fields of one selection set on one object type, in response order, each with
its shortcut (resolvers/engine/shortcuts.py) or None for the ordinary path; plain leaves and
plain objects also carry what `ExecutionContext._run_plan` completes in its own loop. A plan is
built once per selection set and request: a field's arguments are the same for every object of
a list in one request, so they are coerced and converted here, once. The shortcut of a field
without arguments depends on the schema alone and is worked out once per process, in the
schema's `shortcuts` table (resolvers/schema.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType

from resolvers.engine.internals import (
    BaseExecutionContext,
    FieldDetailsList,
    GroupedFieldSet,
    argument_values,
    convert_field_arguments,
    definition_of,
    strawberry_schema_of,
)
from resolvers.engine.shortcuts import LEAF, OBJECT, Shortcut, shortcut_for

# The records below are built once per plan and never changed after. They are slotted classes
# read by attribute, not NamedTuples: on CPython 3.11 unpacking a tuple subclass takes the slow
# path (only exact tuples unpack fast), which made the fields of a list ~12% slower to run,
# while a slot read is as fast as an unpacked item. Not frozen: a frozen dataclass is ~5 times
# slower to build.


@dataclass(slots=True)
class Leaf:
    """A plain leaf, resolved and completed in `_run_plan`'s own loop: the list page has
    thousands of them, and this saves a call and a dozen attribute reads each."""

    get: Callable[[Any], Any]        # the value from the parent (Shortcut.get)
    coerce: Callable[[Any], Any]     # the leaf type's output coercion (Shortcut.coerce)
    nullable: bool
    resolved: bool                   # by a method, which may answer with an awaitable


@dataclass(slots=True)
class PlainObject:
    """A plain object (an attribute or a sync method without `info`, of a concrete type without
    an `is_type_of` check: `Money`, `PhoneNumber`), completed in the loop too, with the sub-plan
    of its selection."""

    get: Callable[[Any], Any]
    nullable: bool
    object_type: GraphQLObjectType


@dataclass(slots=True)
class Step:
    """One field of a plan: a plain leaf (`leaf`), a plain object (`plain`), another shortcut,
    or, when `shortcut` is None, graphql-core's own `execute_field`."""

    response_name: str
    details: FieldDetailsList
    shortcut: Shortcut | None
    leaf: Leaf | None = None
    plain: PlainObject | None = None


Plan = list[Step]
"""The fields of one selection set on one object type, in response order."""


def build_plan(context: BaseExecutionContext, parent_type: GraphQLObjectType,
               grouped_field_set: GroupedFieldSet) -> Plan:
    """The plan of `grouped_field_set` (graphql-core's collected fields) on `parent_type`."""
    plan: Plan = []
    for name, details in grouped_field_set.items():
        shortcut = shortcut_of(context, parent_type, details)
        leaf: Leaf | None = None
        plain: PlainObject | None = None
        if shortcut is not None and shortcut.get is not None:
            if shortcut.completion is LEAF and shortcut.coerce is not None:
                leaf = Leaf(shortcut.get, shortcut.coerce, shortcut.nullable, shortcut.resolved)
            elif (shortcut.completion is OBJECT and not shortcut.resolved
                  and shortcut.type_check is None and shortcut.object_type is not None):
                plain = PlainObject(shortcut.get, shortcut.nullable, shortcut.object_type)
        plan.append(Step(name, details, shortcut, leaf, plain))
    return plan


def shortcut_of(context: BaseExecutionContext, parent_type: GraphQLObjectType,
                details: FieldDetailsList) -> Shortcut | None:
    """The shortcut of a field in this request, None for the ordinary path.

    A field's arguments are the same for every object of a list in one request, so
    they are coerced and converted once, here, rather than once per object. Without
    arguments a field's shortcut depends on the schema alone, and is worked out once per
    process (Strawberry's resolver introspection made it ~5% of a list page)."""
    field_name = details[0].node.name.value
    field_def = parent_type.fields.get(field_name)
    if field_def is None:
        return None
    strawberry_schema = strawberry_schema_of(context.schema)
    if not (field_def.args or details[0].node.arguments):
        known: dict[tuple[str, str], Shortcut | None] | None = getattr(
            strawberry_schema, "shortcuts", None)
        if known is None:
            return shortcut_for(parent_type, details, {})
        key = (parent_type.name, field_name)
        if key not in known:
            known[key] = shortcut_for(parent_type, details, {})
        return known[key]
    definition = definition_of(field_def)
    if definition is None or strawberry_schema is None:
        return None
    try:
        arguments = convert_field_arguments(
            strawberry_schema, definition, argument_values(context, field_def, details))
    except Exception:  # the ordinary path reports it, located at the field
        return None
    return shortcut_for(parent_type, details, arguments)
