"""`QUERY_TOO_DEEP`: how many levels of nested selections an operation has.

Depth counts fields that have a selection of their own: `{ customers { nodes { id } } }` is 2
levels deep. Introspection fields are left out; graphql-core's MaxIntrospectionDepthRule
guards those.
"""

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

from resolvers.engine.limits.errors import limit_exceeded
from resolvers.engine.limits.fragments import (
    fragments_of,
    operation_label,
    operations_of,
    selections,
)


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule class that refuses operations deeper than `max_depth` levels."""

    class QueryDepthRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            depths = _Depths(document)
            for operation in operations_of(document):
                depth = depths.of(operation.selection_set)
                if depth > max_depth:
                    context.report_error(limit_exceeded(
                        f"{operation_label(operation)} is {depth} levels deep; the limit is "
                        f"{max_depth}. Ask for fewer nested fields, or in another request.",
                        "QUERY_TOO_DEEP", max_depth, depth))

    return QueryDepthRule


class _Depths:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments: dict[str, FragmentDefinitionNode] = fragments_of(document)
        self.known: dict[str, int] = {}

    def of(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()
           ) -> int:
        deepest = 0
        for selection in selections(selection_set):
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.of(selection.selection_set, seen))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self._fragment(selection.name.value, seen))
            else:
                deepest = max(deepest, self.of(selection.selection_set, seen))
        return deepest

    def _fragment(self, name: str, seen: frozenset[str]) -> int:
        # A cycle is reported by graphql-core's NoFragmentCyclesRule; here it only must not loop.
        if name in seen or name not in self.fragments:
            return 0
        if name not in self.known:
            self.known[name] = self.of(self.fragments[name].selection_set, seen | {name})
        return self.known[name]
