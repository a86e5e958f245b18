"""`QUERY_TOO_COSTLY` and `PAGE_SIZE_EXCEEDED`: what an operation would cost, refused before
it runs.

Each field costs 1. A connection field (one with `first`/`last`) multiplies the items of its
page (`nodes`, `edges`) by the page size asked for, or by the field's default when none is
given; any other list multiplies its subtree by `LIST_ESTIMATE`. Introspection costs 1 a field,
since the schema bounds it.

Page sizes may come from variables, which validation does not see. So an operation is
compiled once into a `CostPlan` (its fixed part, and each page size with the plan it
multiplies), cached by document text, and each request only evaluates that plan with its
variables, right before execution. Fragments are compiled through the walker of
limits/fragments.py, each once per page it is in.
"""

from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from resolvers.engine.internals import graphql_schema_of, skip_execution
from resolvers.engine.limits.errors import limit_exceeded
from resolvers.engine.limits.fragments import FragmentWalker, operation_label
from resolvers.pagination import DEFAULT_PAGE_SIZE

LIST_ESTIMATE = 10
"""Items assumed in a list that takes no page size: addresses, order items, stores."""

PAGE_ARGUMENTS = ("first", "last")
INTROSPECTION_ROOTS = {"__schema": "__Schema", "__type": "__Type"}


@dataclass(frozen=True, slots=True)
class PageSize:
    """The `first` or `last` of one connection field in the document."""

    field: str
    argument: str
    literal: int | None = None
    variable: str | None = None
    variable_default: int | None = None
    default: int = DEFAULT_PAGE_SIZE

    def size(self, variables: Mapping[str, Any]) -> int:
        if self.variable is None:
            return self.default if self.literal is None else self.literal
        if self.variable not in variables:
            return self.default if self.variable_default is None else self.variable_default
        value = variables[self.variable]
        # null means the field's default; a value of the wrong type is refused by execution.
        return value if type(value) is int else self.default


Scale = PageSize | int


@dataclass(frozen=True, slots=True)
class CostPlan:
    """`fixed` plus, for each page, its size times the cost of what it holds."""

    fixed: int = 0
    scaled: tuple[tuple[Scale, "CostPlan"], ...] = ()

    def pages(self, variables: Mapping[str, Any]) -> Iterator[tuple[PageSize, int]]:
        for scale, plan in self.scaled:
            if isinstance(scale, PageSize):
                yield scale, scale.size(variables)
            yield from plan.pages(variables)

    def cost(self, variables: Mapping[str, Any]) -> int:
        total = self.fixed
        for scale, plan in self.scaled:
            times = scale.size(variables) if isinstance(scale, PageSize) else scale
            total += max(times, 0) * plan.cost(variables)
        return total


def _combine(plans: list[CostPlan]) -> CostPlan:
    return CostPlan(sum(p.fixed for p in plans), tuple(s for p in plans for s in p.scaled))


def _times(scale: Scale, plan: CostPlan) -> CostPlan:
    if isinstance(scale, int) and not plan.scaled:
        return CostPlan(scale * plan.fixed)
    return CostPlan(0, ((scale, plan),))


class Scope(NamedTuple):
    """Where a selection set is costed: under which type, inside which page (if any), and
    whether flatly (introspection, and what lies under it: 1 a field)."""

    parent: GraphQLNamedType
    page: PageSize | None
    flat: bool


class Costs(FragmentWalker[Scope, CostPlan]):
    """Builds the plan of one operation; each fragment is compiled once per page and flatness
    (its type is its own)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode,
                 operation: OperationDefinitionNode) -> None:
        super().__init__(document)
        self.schema = schema
        self.variable_defaults: dict[str, int] = {
            definition.variable.name.value: int(definition.default_value.value)
            for definition in operation.variable_definitions or ()
            if isinstance(definition.default_value, IntValueNode)}

    def combine(self, values: list[CostPlan]) -> CostPlan:
        return _combine(values)

    def nothing(self) -> CostPlan:
        return CostPlan()  # invalid documents never get here

    def inline(self, node: InlineFragmentNode, where: Scope) -> Scope:
        condition = node.type_condition
        inner = self.schema.get_type(condition.name.value) if condition else where.parent
        return Scope(inner or where.parent, where.page, where.flat)

    def fragment_key(self, where: Scope) -> Hashable:
        return where.page, where.flat

    def fragment(self, definition: FragmentDefinitionNode, where: Scope) -> CostPlan:
        parent = self.schema.get_type(definition.type_condition.name.value)
        if parent is None:
            return CostPlan()
        return self.selection_set(definition.selection_set, Scope(parent, where.page, where.flat))

    def field(self, node: FieldNode, where: Scope) -> CostPlan:
        parent, page, flat = where
        name = node.name.value
        if node.selection_set is None:
            return CostPlan(1)
        if name in INTROSPECTION_ROOTS:
            return _combine([CostPlan(1), self.selection_set(node.selection_set, Scope(
                self.schema.type_map[INTROSPECTION_ROOTS[name]], None, flat=True))])
        definition = _field_definition(parent, name)
        if definition is None:
            return CostPlan(1)  # not in the schema: validation has refused it already
        inner = get_named_type(definition.type)
        if flat:
            return _combine([CostPlan(1), self.selection_set(node.selection_set,
                                                              Scope(inner, None, flat=True))])
        own_page = self.page_size(node, definition)
        if own_page is not None:
            # The connection object itself is one; its page of items is scaled below it. The
            # empty term keeps the page size checked when no items are asked for.
            return _combine([CostPlan(1, ((own_page, CostPlan()),)), self.selection_set(
                node.selection_set, Scope(inner, own_page, flat))])
        inside = self.selection_set(node.selection_set, Scope(inner, None, flat))
        if is_list_type(get_nullable_type(definition.type)):
            inside = _times(page if page is not None else LIST_ESTIMATE, inside)
        return _combine([CostPlan(1), inside])

    def page_size(self, node: FieldNode, definition: GraphQLField) -> PageSize | None:
        names = [name for name in PAGE_ARGUMENTS if name in definition.args]
        if not names:
            return None
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        # `first` and `last` together are refused by the resolver; either one is the size.
        argument = next((name for name in names if name in given), names[0])
        default = definition.args[argument].default_value
        field_default = default if type(default) is int else DEFAULT_PAGE_SIZE
        value = given.get(argument)
        label = node.name.value
        if isinstance(value, VariableNode):
            variable = value.name.value
            return PageSize(label, argument, variable=variable, default=field_default,
                            variable_default=self.variable_defaults.get(variable))
        if isinstance(value, IntValueNode):
            return PageSize(label, argument, literal=int(value.value), default=field_default)
        return PageSize(label, argument, default=field_default)


def _field_definition(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return parent.fields.get(name)
    return None


def compile_plan(schema: GraphQLSchema, document: DocumentNode,
                 operation: OperationDefinitionNode) -> CostPlan:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return CostPlan()
    return Costs(schema, document, operation).selection_set(
        operation.selection_set, Scope(root, None, flat=False))


@dataclass
class CostLimiter:
    """The limits and the cache of compiled plans, built once with the schema."""

    max_cost: int
    max_page_size: int
    cache_size: int = 1024
    plans: "OrderedDict[tuple[str, str | None], CostPlan]" = field(default_factory=OrderedDict)

    def plan(self, schema: GraphQLSchema, document: DocumentNode, query: str | None,
             operation: OperationDefinitionNode) -> CostPlan:
        if query is None:
            return compile_plan(schema, document, operation)
        key = (query, operation.name.value if operation.name else None)
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = compile_plan(schema, document, operation)
            if len(self.plans) > self.cache_size:
                self.plans.popitem(last=False)
        else:
            self.plans.move_to_end(key)
        return plan

    def check(self, schema: GraphQLSchema, document: DocumentNode, query: str | None,
              operation_name: str | None, variables: Mapping[str, Any]) -> GraphQLError | None:
        """The limit error an operation breaks, if any."""
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return None  # execution reports the missing or ambiguous operation
        plan = self.plan(schema, document, query, operation)
        for page, size in plan.pages(variables):
            if size > self.max_page_size:
                return limit_exceeded(
                    f"A page holds at most {self.max_page_size} items; `{page.field}` asked "
                    f"for {size} (`{page.argument}`). Page through with `after`/`before`.",
                    "PAGE_SIZE_EXCEEDED", self.max_page_size, size)
        cost = plan.cost(variables)
        if cost > self.max_cost:
            return limit_exceeded(
                f"{operation_label(operation)} would cost {cost:,}; the limit is "
                f"{self.max_cost:,}. Each field costs 1 and each page multiplies what it holds "
                f"by its size (`first`/`last`, {DEFAULT_PAGE_SIZE} when not given; other lists "
                f"by {LIST_ESTIMATE}): ask for fewer items or fields.",
                "QUERY_TOO_COSTLY", self.max_cost, cost)
        return None


class QueryCostLimit(SchemaExtension):
    """Checks page sizes and cost with the request's variables, after validation passed."""

    def __init__(self, limiter: CostLimiter) -> None:
        self.limiter = limiter

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            error = self.limiter.check(
                graphql_schema_of(context.schema), context.graphql_document, context.query,
                context.operation_name, context.variables or {})
            if error is not None:
                # A result set here is returned as it is: execution never starts.
                skip_execution(context, error)
        yield
