"""`QUERY_TOO_DEEP`: how many levels of nested selections an operation has.

Depth counts fields that have a selection of their own: `{ customers { nodes { id } } }` is 2
levels deep. Introspection fields are left out; graphql-core's MaxIntrospectionDepthRule
guards those. Measured without expanding fragment spreads, each fragment once
(limits/fragments.py).
"""

from graphql import FieldNode, ValidationContext, ValidationRule

from resolvers.engine.limits.errors import limit_exceeded
from resolvers.engine.limits.fragments import FragmentWalker, operation_label, operations_of


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule class that refuses operations deeper than `max_depth` levels."""

    class QueryDepthRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            depths = Depths(document)
            for operation in operations_of(document):
                depth = depths.selection_set(operation.selection_set, None)
                if depth > max_depth:
                    context.report_error(limit_exceeded(
                        f"{operation_label(operation)} is {depth} levels deep; the limit is "
                        f"{max_depth}. Ask for fewer nested fields, or in another request.",
                        "QUERY_TOO_DEEP", max_depth, depth))

    return QueryDepthRule


class Depths(FragmentWalker[None, int]):
    """The depth of a selection set: its deepest field that has a selection of its own."""

    def field(self, node: FieldNode, where: None) -> int:
        if node.selection_set is None or node.name.value.startswith("__"):
            return 0
        return 1 + self.selection_set(node.selection_set, where)

    def combine(self, values: list[int]) -> int:
        return max(values, default=0)

    def nothing(self) -> int:
        return 0
