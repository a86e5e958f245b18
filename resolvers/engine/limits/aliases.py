"""`TOO_MANY_ALIASES`: how many aliased fields an operation asks for.

An alias inside a fragment counts once for every place the fragment is spread, since each is
resolved again: `{ a: customers ... b: customers ... }` is the classic way to multiply work.
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


def aliases_rule(max_aliases: int) -> type[ValidationRule]:
    """A validation rule class that refuses operations with more than `max_aliases` aliases."""

    class MaxAliasesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            aliases = _Aliases(document)
            for operation in operations_of(document):
                count = aliases.of(operation.selection_set)
                if count > max_aliases:
                    context.report_error(limit_exceeded(
                        f"{operation_label(operation)} uses {count} aliases; the limit is "
                        f"{max_aliases}. Send fewer aliased fields per request.",
                        "TOO_MANY_ALIASES", max_aliases, count))

    return MaxAliasesRule


class _Aliases:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments: dict[str, FragmentDefinitionNode] = fragments_of(document)
        self.known: dict[str, int] = {}

    def of(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()
           ) -> int:
        count = 0
        for selection in selections(selection_set):
            if isinstance(selection, FieldNode):
                count += (selection.alias is not None) + self.of(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                count += self._fragment(selection.name.value, seen)
            else:
                count += self.of(selection.selection_set, seen)
        return count

    def _fragment(self, name: str, seen: frozenset[str]) -> int:
        if name in seen or name not in self.fragments:
            return 0
        if name not in self.known:
            self.known[name] = self.of(self.fragments[name].selection_set, seen | {name})
        return self.known[name]
