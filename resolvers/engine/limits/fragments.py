"""The one walk through an operation's selections and fragment spreads that depth, aliases and
cost measure with (`FragmentWalker`), and what they share about documents.

A document may spread the same fragment many times at many levels; measuring by expanding every
spread takes time exponential in the number of fragments (Strawberry's own depth and alias rules
take seconds on a small document whose fragments each spread the next twice). The walker
computes each fragment's value once per key (what the value depends on besides the fragment:
nothing for depth and aliases, the page and the flatness for cost) and reuses it, so the walk
stays linear in the document. A spread of a fragment inside itself counts as nothing: such a
cycle is refused by graphql-core's NoFragmentCyclesRule; here it only must not loop.
"""

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {definition.name.value: definition for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)}


def operations_of(document: DocumentNode) -> Iterator[OperationDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield definition


def operation_label(operation: OperationDefinitionNode) -> str:
    return f"`{operation.name.value}`" if operation.name else "The operation"


Selection = FieldNode | FragmentSpreadNode | InlineFragmentNode


def selections(selection_set: SelectionSetNode | None) -> tuple[Selection, ...]:
    if selection_set is None:
        return ()
    return tuple(selection_set.selections)  # type: ignore[arg-type]


Where = TypeVar("Where")
"""What a selection set is measured under (None for depth and aliases; for cost the parent
type, the page it is in and whether it is introspection)."""
Value = TypeVar("Value")


class FragmentWalker(Generic[Where, Value]):
    """Measures selection sets of one document, through inline fragments and fragment spreads.

    A measure says what a field is worth (`field`, which walks the field's own selection with
    `selection_set` when it needs to), how the values of one selection set combine, and what an
    unknown or cyclic spread is worth (`nothing`); if it depends on where it is measured, also
    where an inline fragment's selection is (`inline`), what a fragment's value depends on
    (`fragment_key`) and how a fragment is measured (`fragment`)."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = fragments_of(document)
        self.known: dict[tuple[str, Hashable], Value] = {}
        self.visiting: set[str] = set()  # the fragments being measured, outermost first
        self.computed = 0  # fragment values computed: at most one per fragment and key

    # ------------------------------------------------------------------ what a measure says

    def field(self, node: FieldNode, where: Where) -> Value:
        raise NotImplementedError

    def combine(self, values: list[Value]) -> Value:
        raise NotImplementedError

    def nothing(self) -> Value:
        raise NotImplementedError

    def inline(self, node: InlineFragmentNode, where: Where) -> Where:
        return where

    def fragment_key(self, where: Where) -> Hashable:
        return where

    def fragment(self, definition: FragmentDefinitionNode, where: Where) -> Value:
        return self.selection_set(definition.selection_set, where)

    # ------------------------------------------------------------------ the walk

    def selection_set(self, selection_set: SelectionSetNode | None, where: Where) -> Value:
        values = []
        for selection in selections(selection_set):
            if isinstance(selection, FieldNode):
                values.append(self.field(selection, where))
            elif isinstance(selection, FragmentSpreadNode):
                values.append(self.spread(selection.name.value, where))
            else:
                values.append(self.selection_set(selection.selection_set,
                                                 self.inline(selection, where)))
        return self.combine(values)

    def spread(self, name: str, where: Where) -> Value:
        key = (name, self.fragment_key(where))
        if key in self.known:
            return self.known[key]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return self.nothing()
        self.visiting.add(name)
        value = self.fragment(definition, where)
        self.visiting.discard(name)
        self.known[key] = value
        self.computed += 1
        return value
