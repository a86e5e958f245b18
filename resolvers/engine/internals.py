"""Every graphql-core and Strawberry internal the engine relies on, reached through this module.

The engine is fast because it works inside graphql-core's executor and beside Strawberry's field
machinery: it subclasses Strawberry's execution context and calls graphql-core's executor
methods (all `:meta private:`), reads Strawberry's field definitions and resolver introspection,
builds Strawberry's `Info` itself, and leans on how Strawberry runs extensions. None of that is
public API: any release of either library may change it. So all of it is here, and nowhere else
in resolvers/engine (tests/engine/test_boundaries.py checks that the other modules import no
internal module and read no private attribute). `RELIED_ON` says what each use relies on, and
tests/engine/test_internals.py checks each, failing with the library, the range the engine was
written for (`WRITTEN_FOR`, as pyproject.toml pins it) and what changed: an upgrade of either
library fails here, in one place.

What the hot path uses (the executor's base class and its methods, `new_info`, the record
types) is handed back as it is, with no wrapper; the functions run when a plan is built (once
per selection set and request, or once per process) or once per request (the extensions).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import EnumMeta
from importlib.metadata import version
from operator import attrgetter
from typing import Any, NamedTuple

from graphql import DocumentNode, GraphQLError, GraphQLField, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.validation import ASTValidationRule
from strawberry import Schema
from strawberry.extensions import MaskErrors
from strawberry.extensions.validation_cache import _get_validate_cache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types import ExecutionContext as OperationContext
from strawberry.types.arguments import convert_arguments
from strawberry.types.execution import PreExecutionError
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

__all__ = [
    "EXECUTOR_METHODS",
    "RELIED_ON",
    "WRITTEN_FOR",
    "BaseExecutionContext",
    "FieldDetailsList",
    "GroupedFieldSet",
    "Info",
    "MaskErrors",
    "Resolver",
    "StrawberryField",
    "add_validation_rules",
    "argument_values",
    "attribute_getter",
    "convert_field_arguments",
    "definition_of",
    "enum_class_of",
    "graphql_schema_of",
    "is_default_resolver",
    "isinstance_check_of",
    "new_info",
    "resolver_of",
    "skip_execution",
    "strawberry_schema_of",
    "subfields",
    "use_document",
    "validation_cache",
]


# ------------------------------------------------------------------ what we rely on, and on which


@dataclass(frozen=True)
class Library:
    distribution: str
    written_for: str  # the version range of pyproject.toml's dependencies

    def installed(self) -> str:
        return version(self.distribution)


GRAPHQL_CORE = Library("graphql-core", ">=3.3.2,<3.4")
STRAWBERRY = Library("strawberry-graphql", ">=0.341,<0.400")
WRITTEN_FOR = {library.distribution: library.written_for for library in (GRAPHQL_CORE, STRAWBERRY)}


@dataclass(frozen=True)
class Reliance:
    library: Library
    what: str

    def changed(self, detail: str) -> str:
        """The message of a check that failed: the library, the range we were written for,
        what we rely on and what the installed version does instead."""
        library = self.library
        return (f"{library.distribution} {library.installed()} no longer does what the engine "
                f"relies on: {self.what}. What changed: {detail}. resolvers/engine/internals.py "
                f"was written for {library.distribution}{library.written_for}: adapt it to this "
                f"version (and the check in tests/engine/test_internals.py), or pin the range.")


def _relies(library: Library, what: str) -> Reliance:
    return Reliance(library, what)


EXECUTOR_METHODS: dict[str, tuple[str, ...]] = {
    "execute_fields": ("parent_type", "source_value", "path", "grouped_field_set",
                       "position_context"),
    "execute_field": ("parent_type", "source", "field_details_list", "path", "position_context"),
    "build_response": ("data",),
    "build_resolve_info": ("field_def", "field_nodes", "parent_type", "path"),
    "complete_value": ("return_type", "field_details_list", "info", "path", "result",
                       "position_context"),
    "complete_awaitable_value": ("return_type", "field_details_list", "info", "path", "result",
                                 "position_context"),
    "handle_field_error": ("raw_error", "return_type", "field_details_list", "path"),
    "settle_in_background": ("awaitables",),
}
"""The executor methods the engine overrides or calls (graphql-core's, all `:meta private:`),
with their parameters after `self`."""

RELIED_ON: dict[str, Reliance] = {
    # Strawberry: its schema, field definitions and resolvers.
    "strawberry_schema_of": _relies(
        STRAWBERRY, "the graphql-core schema of a Strawberry schema holds it as "
        "`_strawberry_schema`"),
    "graphql_schema_of": _relies(
        STRAWBERRY, "a Strawberry schema holds its graphql-core schema as `_schema`"),
    "definition_of": _relies(
        STRAWBERRY, "each graphql-core field of a Strawberry type has its StrawberryField "
        "under the extension key `strawberry-definition`"),
    "is_default_resolver": _relies(
        STRAWBERRY, "the graphql-core resolver of a field without a resolver of its own is "
        "marked `_is_default = True`, and reads the attribute (no other work to skip)"),
    "attribute_getter": _relies(
        STRAWBERRY, "a field without a resolver answers "
        "`field.default_resolver(source, field.python_name)` (`getattr` by default)"),
    "resolver_of": _relies(
        STRAWBERRY, "a field's `base_resolver` tells `is_async`, `self_parameter`, "
        "`root_parameter`, `parent_parameter`, `info_parameter` and `wrapped_func`"),
    "new_info": _relies(
        STRAWBERRY, "`Info` is a dataclass built as `Info(_raw_info, _field)` from graphql-core's "
        "resolve info and the StrawberryField"),
    "convert_field_arguments": _relies(
        STRAWBERRY, "`strawberry.types.arguments.convert_arguments(value, arguments, "
        "scalar_registry, config)` with `schema.schema_converter.scalar_registry` and "
        "`schema.config` converts coerced arguments as Strawberry's resolvers get them"),
    "enum_class_of": _relies(
        STRAWBERRY, "Strawberry's enums are `CustomGraphQLEnumType`s whose `wrapped_cls` is the "
        "Python enum"),
    "isinstance_check_of": _relies(
        STRAWBERRY, "the `is_type_of` Strawberry gives types with interfaces is "
        "`_get_is_type_of.<locals>.is_type_of` in strawberry.schema.schema_converter, an "
        "isinstance check that ignores its info argument"),
    "BaseExecutionContext": _relies(
        STRAWBERRY, "`StrawberryGraphQLCoreExecutionContext` (strawberry.schema.schema) is the "
        "execution context Strawberry runs, a graphql-core executor with Strawberry's resolve "
        "info, and a subclass of it can be passed as `execution_context_class`"),
    "use_document": _relies(
        STRAWBERRY, "a document set on `execution_context.graphql_document` in `on_parse` is "
        "the one validated and executed: Strawberry parses only when none is set"),
    "add_validation_rules": _relies(
        STRAWBERRY, "rules added to `execution_context.validation_rules` in `on_operation` are "
        "validated with Strawberry's"),
    "skip_execution": _relies(
        STRAWBERRY, "a `PreExecutionError` set on `execution_context.result` in `on_execute`, "
        "before it yields, is the response: execution never starts"),
    "MaskErrors": _relies(
        STRAWBERRY, "`MaskErrors.on_operation` is a generator (extended with `yield from`) that "
        "calls `anonymise_error(error)` for each error `should_mask_error` selects"),
    "validation_cache": _relies(
        STRAWBERRY, "`ValidationCache(maxsize)` validates through one LRU cache per maxsize "
        "(`strawberry.extensions.validation_cache._get_validate_cache`), keyed by schema, "
        "document and rules"),
    # graphql-core: its executor.
    "FieldDetailsList": _relies(
        GRAPHQL_CORE, "`graphql.execution.collect_fields` has `FieldDetailsList` (a list of "
        "`FieldDetails` with `node` and `fragment_variable_values`) and `GroupedFieldSet` (a "
        "dict of response names to them)"),
    "argument_values": _relies(
        GRAPHQL_CORE, "`graphql.execution.values.get_argument_values(type_def, node, "
        "variable_values, fragment_variable_values, hide_suggestions)` coerces a field's "
        "arguments"),
    "subfields": _relies(
        GRAPHQL_CORE, "the executor's `collect_subfields(return_type, field_details_list)` "
        "answers (grouped_field_set, new_defer_usages, forbidden_directive_instances)"),
    "executor_attributes": _relies(
        GRAPHQL_CORE, "the executor has `schema`, `variable_values`, `hide_suggestions`, "
        "`middleware_manager` (None or with `middlewares`) and `is_awaitable`"),
    "abort_signal": _relies(
        GRAPHQL_CORE, "the executor's `abort_signal` is None unless the operation can be "
        "aborted"),
    **{f"executor.{name}": _relies(
        GRAPHQL_CORE, f"the executor's `{name}({', '.join(parameters)})`")
       for name, parameters in EXECUTOR_METHODS.items()},
}


# ------------------------------------------------------------------ the executor


BaseExecutionContext = StrawberryGraphQLCoreExecutionContext
"""The class the engine's execution context extends; its methods (EXECUTOR_METHODS) and
attributes are graphql-core's executor's."""


def subfields(context: BaseExecutionContext, object_type: Any, details: FieldDetailsList
              ) -> tuple[GroupedFieldSet, bool]:
    """The fields of an object field's selection (memoized by the executor), and whether the
    selection defers fragments."""
    grouped_field_set, new_defer_usages, _forbidden = context.collect_subfields(
        object_type, details)
    return grouped_field_set, bool(new_defer_usages)


def argument_values(context: BaseExecutionContext, field_def: GraphQLField,
                    details: FieldDetailsList) -> dict[str, Any]:
    """A field's arguments, coerced by graphql-core with the request's variables."""
    return get_argument_values(field_def, details[0].node, context.variable_values,
                               details[0].fragment_variable_values, context.hide_suggestions)


# ------------------------------------------------------------------ Strawberry's schema and fields


DEFINITION = "strawberry-definition"


def strawberry_schema_of(schema: GraphQLSchema) -> Schema | None:
    schema_of: Schema | None = getattr(schema, "_strawberry_schema", None)
    return schema_of


def graphql_schema_of(schema: Schema) -> GraphQLSchema:
    return schema._schema


def definition_of(field_def: GraphQLField) -> StrawberryField | None:
    """The Strawberry definition of a graphql-core field, if Strawberry made it."""
    definition = (field_def.extensions or {}).get(DEFINITION)
    return definition if isinstance(definition, StrawberryField) else None


def is_default_resolver(resolve: Callable[..., Any] | None) -> bool:
    """Whether a graphql-core resolver is Strawberry's for a field without a resolver."""
    return bool(getattr(resolve, "_is_default", False))


def attribute_getter(definition: StrawberryField) -> Callable[[Any], Any]:
    """What Strawberry's resolver of a field without a resolver of its own answers."""
    default_resolver, attribute = definition.default_resolver, definition.python_name
    return (attrgetter(attribute) if default_resolver is getattr
            else lambda source: default_resolver(source, attribute))


class Resolver(NamedTuple):
    """What the shortcuts need to know of a field's resolver."""

    function: Callable[..., Any]  # as written: a method takes the object as `self`
    is_async: bool
    takes_self: bool
    takes_root: bool
    takes_parent: bool
    info_name: str | None  # the parameter that receives `Info`, if any


def resolver_of(definition: StrawberryField) -> Resolver | None:
    """The field's own resolver, None for a field without one."""
    resolver = definition.base_resolver
    if resolver is None:
        return None
    info = resolver.info_parameter
    return Resolver(
        function=resolver.wrapped_func,  # type: ignore[arg-type]
        is_async=resolver.is_async, takes_self=resolver.self_parameter is not None,
        takes_root=resolver.root_parameter is not None,
        takes_parent=resolver.parent_parameter is not None,
        info_name=None if info is None else info.name)


new_info: Callable[[GraphQLResolveInfo, StrawberryField], Info] = Info
"""`new_info(raw_info, field)`: the `Info` a resolver gets, as Strawberry builds it."""


def convert_field_arguments(schema: Schema, definition: StrawberryField, raw: dict[str, Any]
                            ) -> dict[str, Any]:
    """Coerced arguments (graphql-core's) as the field's resolver gets them: input types as
    their classes, names as in Python."""
    return convert_arguments(raw, definition.arguments,
                             schema.schema_converter.scalar_registry, schema.config)


def enum_class_of(leaf_type: Any) -> EnumMeta | None:
    """The Python enum behind a Strawberry enum type; None for any other leaf type."""
    if not isinstance(leaf_type, CustomGraphQLEnumType):
        return None
    return leaf_type.wrapped_cls


def isinstance_check_of(is_type_of: Callable[[Any, Any], Any]) -> Callable[[Any], bool] | None:
    """Strawberry's own `is_type_of` (for types with interfaces, such as `Node`) is an
    isinstance check that ignores its info argument: the same check without info. None for
    any other `is_type_of`, which needs the ordinary path."""
    if (is_type_of.__module__ != "strawberry.schema.schema_converter"
            or not is_type_of.__qualname__.endswith("_get_is_type_of.<locals>.is_type_of")):
        return None
    return lambda value: bool(is_type_of(value, None))


# ------------------------------------------------------------------ how Strawberry runs extensions


def use_document(execution_context: OperationContext, document: DocumentNode) -> None:
    """In `on_parse`: the document to validate and execute, parsed by the extension."""
    execution_context.graphql_document = document


def add_validation_rules(execution_context: OperationContext,
                         rules: tuple[type[ASTValidationRule], ...]) -> None:
    """In `on_operation`: rules to validate with, after Strawberry's."""
    execution_context.validation_rules = execution_context.validation_rules + rules


def skip_execution(execution_context: OperationContext, error: GraphQLError) -> None:
    """In `on_execute`, before yielding: answer with `error` alone; execution never starts."""
    execution_context.result = PreExecutionError(data=None, errors=[error])


def validation_cache(maxsize: int | None) -> Any:
    """The LRU-cached validation `ValidationCache(maxsize)` shares (its `cache_info()`)."""
    return _get_validate_cache(maxsize)


# `MaskErrors` (imported above) is handed back as it is: resolvers/engine/errors.py extends it.
