"""The one fragment walker (resolvers/engine/limits/fragments.py) that depth, aliases and cost
measure with: each fragment's value computed once per key, linear in the document however often
fragments are spread, and a cycle of spreads does not loop."""

from graphql import DocumentNode, OperationDefinitionNode, parse, specified_rules, validate

from resolvers.engine.internals import graphql_schema_of
from resolvers.engine.limits.aliases import Aliases, aliases_rule
from resolvers.engine.limits.cost import LIST_ESTIMATE, Costs, Scope
from resolvers.engine.limits.depth import Depths, depth_rule
from resolvers.schema import schema

SCHEMA = graphql_schema_of(schema)


def doubled(levels: int, last: str) -> str:
    """`levels` fragments, each spreading the next twice: 2**levels copies of `last` when
    expanded, which no measure here can afford."""
    return ("query { ...F0 }\n"
            + "".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}\n"
                      for n in range(levels))
            + f"fragment F{levels} on Query {{ {last} }}")


def operation(document: DocumentNode) -> OperationDefinitionNode:
    [first, *_] = document.definitions
    assert isinstance(first, OperationDefinitionNode)
    return first


def test_each_fragment_is_measured_once_however_often_it_is_spread() -> None:
    document = parse(doubled(40, "s: stores { id }"))
    root = operation(document).selection_set
    aliases, depths = Aliases(document), Depths(document)
    assert aliases.selection_set(root, None) == 2**40
    assert depths.selection_set(root, None) == 1
    costs = Costs(SCHEMA, document, operation(document))
    query = SCHEMA.query_type
    assert query is not None
    plan = costs.selection_set(root, Scope(query, None, flat=False))
    assert plan.cost({}) == 2**40 * (1 + LIST_ESTIMATE)  # stores, and 10 ids
    for walker in (aliases, depths, costs):
        assert walker.computed == 41  # F0 to F40, once each


def test_depth_adds_up_through_fragments_spread_twice_at_two_depths() -> None:
    # C{n} spreads C{n+1} once where it is and once 3 levels down: 3 levels per fragment.
    levels = 30
    fragments = "".join(
        f"fragment C{n} on Customer {{ ...C{n + 1} orders {{ nodes {{ customer {{ ...C{n + 1} }} "
        f"}} }} }}\n" for n in range(levels))
    document = parse(f"query {{ customers {{ nodes {{ ...C0 }} }} }}\n{fragments}"
                     f"fragment C{levels} on Customer {{ mainStore {{ name }} }}")
    depths = Depths(document)
    assert depths.selection_set(operation(document).selection_set, None) == 2 + 3 * levels + 1
    assert depths.computed == levels + 1


def test_a_cost_fragment_is_compiled_once_per_page_it_is_in() -> None:
    document = parse("""
      query { customers(first: 4) { ...Page }  again: customers(first: 4) { ...Page }
              other: customers(first: 7) { ...Page } }
      fragment Page on CustomerConnection { nodes { id } }
    """)
    query = SCHEMA.query_type
    assert query is not None
    costs = Costs(SCHEMA, document, operation(document))
    plan = costs.selection_set(operation(document).selection_set, Scope(query, None, flat=False))
    assert costs.computed == 2  # in a page of 4 (either field's) and in a page of 7
    assert plan.cost({}) == (2 + 4) + (2 + 4) + (2 + 7)  # customers, nodes, and an id each


def test_a_cycle_of_spreads_does_not_loop() -> None:
    document = parse("""
      query { ...A }
      fragment A on Query { ...B stores { id } }
      fragment B on Query { ...A b: stores { name } }
    """)
    root = operation(document).selection_set
    assert Depths(document).selection_set(root, None) == 1
    assert Aliases(document).selection_set(root, None) == 1  # B's, once: A inside B is nothing
    errors = validate(SCHEMA, document, [*specified_rules, depth_rule(0), aliases_rule(0)])
    assert "Cannot spread fragment 'A' within itself via 'B'." in [e.message for e in errors]
    assert {e.extensions.get("code") for e in errors if e.extensions} >= {
        "QUERY_TOO_DEEP", "TOO_MANY_ALIASES"}


def test_a_document_that_would_be_exponential_validates() -> None:
    # With graphql-core's own rules too: 2**40 aliases counted, none expanded.
    errors = validate(SCHEMA, parse(doubled(40, "s: stores { id }")),
                      [*specified_rules, depth_rule(12), aliases_rule(30)])
    assert [e.extensions for e in errors] == [
        {"code": "TOO_MANY_ALIASES", "limit": 30, "actual": 2**40}]
