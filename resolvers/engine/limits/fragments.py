"""Walking an operation through its fragment spreads, once per fragment.

A document may spread the same fragment many times at many levels; counting by expanding every
spread takes time exponential in the number of fragments. Each measure here computes a
fragment's value once and reuses it (per key), so the walk stays linear in the document.
"""

from collections.abc import Iterator

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
