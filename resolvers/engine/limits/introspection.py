"""Introspection for staff users and API keys only.

Customers of the mobile app and anonymous callers (who may only sign in) have no need to read
the schema. Both rule lists are built once; each request picks one by the actor's kind, and
the validation cache keeps one entry per list, so it still hits.
"""

from collections.abc import Iterator

from graphql import NoSchemaIntrospectionCustomRule
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from models.core.enums import ActorKind
from resolvers.engine.internals import add_validation_rules

INTROSPECTING_KINDS = frozenset({ActorKind.STAFF_USER, ActorKind.API_KEY, ActorKind.SYSTEM})


class RulesByActor(SchemaExtension):
    """Adds `staff_rules` for staff, keys and the system, `public_rules` for anyone else."""

    def __init__(self, staff_rules: tuple[type[ASTValidationRule], ...],
                 public_rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.staff_rules = staff_rules
        self.public_rules = public_rules

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        actor = getattr(context.context, "actor", None)
        kind = getattr(actor, "kind", None)
        rules = self.staff_rules if kind in INTROSPECTING_KINDS else self.public_rules
        add_validation_rules(context, rules)
        yield


def public_rules(staff_rules: tuple[type[ASTValidationRule], ...]
                 ) -> tuple[type[ASTValidationRule], ...]:
    return (*staff_rules, NoSchemaIntrospectionCustomRule)
