"""`TOO_MANY_ALIASES`: how many aliased fields an operation asks for.

An alias inside a fragment counts once for every place the fragment is spread, since each is
resolved again: `{ a: customers ... b: customers ... }` is the classic way to multiply work.
Counted without expanding the spreads, each fragment once (limits/fragments.py).
"""

from graphql import FieldNode, ValidationContext, ValidationRule

from resolvers.engine.limits.errors import limit_exceeded
from resolvers.engine.limits.fragments import FragmentWalker, operation_label, operations_of


def aliases_rule(max_aliases: int) -> type[ValidationRule]:
    """A validation rule class that refuses operations with more than `max_aliases` aliases."""

    class MaxAliasesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            aliases = Aliases(document)
            for operation in operations_of(document):
                count = aliases.selection_set(operation.selection_set, None)
                if count > max_aliases:
                    context.report_error(limit_exceeded(
                        f"{operation_label(operation)} uses {count} aliases; the limit is "
                        f"{max_aliases}. Send fewer aliased fields per request.",
                        "TOO_MANY_ALIASES", max_aliases, count))

    return MaxAliasesRule


class Aliases(FragmentWalker[None, int]):
    """The aliased fields of a selection set, each fragment's counted once per spread."""

    def field(self, node: FieldNode, where: None) -> int:
        return (node.alias is not None) + self.selection_set(node.selection_set, where)

    def combine(self, values: list[int]) -> int:
        return sum(values)

    def nothing(self) -> int:
        return 0
