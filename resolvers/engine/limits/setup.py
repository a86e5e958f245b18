"""The limits of one schema, and the extensions that enforce them, built once."""

from collections.abc import Callable
from dataclasses import dataclass

from graphql.validation import ASTValidationRule, MaxIntrospectionDepthRule
from strawberry.extensions import SchemaExtension

from resolvers.engine.limits.aliases import aliases_rule
from resolvers.engine.limits.cost import CostLimiter, QueryCostLimit
from resolvers.engine.limits.depth import depth_rule
from resolvers.engine.limits.introspection import RulesByActor, public_rules
from resolvers.engine.limits.tokens import TokenLimitedParser


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 25_000
    max_page_size: int = 250


def limit_extensions(limits: Limits, cache_size: int = 1024
                     ) -> list[Callable[[], SchemaExtension]]:
    """Extension factories for `strawberry.Schema(extensions=...)`, in this order: parse with
    the token cap, validate with depth, aliases and (for staff and keys) introspection, then
    check page sizes and cost with the variables."""
    staff_rules: tuple[type[ASTValidationRule], ...] = (
        depth_rule(limits.max_depth), aliases_rule(limits.max_aliases),
        MaxIntrospectionDepthRule)
    anyone_rules = public_rules(staff_rules)
    cost = CostLimiter(limits.max_cost, limits.max_page_size, cache_size)
    return [
        lambda: TokenLimitedParser(limits.max_tokens, cache_size),
        lambda: RulesByActor(staff_rules, anyone_rules),
        lambda: QueryCostLimit(cost),
    ]
