"""The schema: the root types (`Query`, `Mutation`, `Subscription`) composed of the domains',
its extensions, and `build_schema()`, which the server and the SDL share."""

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.schema.config import StrawberryConfig

from resolvers.access.schema import AccessMutations, AccessQueries, ApiKeyQueries
from resolvers.customers.schema import CustomerMutations, CustomerQueries
from resolvers.customers.types import Customer
from resolvers.engine.errors import MaskInternalErrors
from resolvers.engine.execution import ExecutionContext
from resolvers.engine.limits.setup import Limits, limit_extensions
from resolvers.engine.shortcuts import Shortcut
from resolvers.exports.schema import ExportMutations, ExportQueries, ExportSubscriptions
from resolvers.loyalty.schema import LoyaltyMutations
from resolvers.me.schema import MeMutations, MeQueries
from resolvers.node_queries import NodeQueries
from resolvers.orders.schema import OrderMutations
from resolvers.orders.types import Order
from resolvers.organizations.schema import OrganizationMutations, OrganizationQueries
from resolvers.organizations.stores import Store


# The root types only compose the domains' (resolvers/<domain>/schema.py); the order of the
# bases is the order of the fields in schema.graphql.
@strawberry.type
class Query(CustomerQueries, NodeQueries, OrganizationQueries, AccessQueries, ExportQueries,
            ApiKeyQueries, MeQueries):
    pass


@strawberry.type
class Mutation(CustomerMutations, OrganizationMutations, OrderMutations, LoyaltyMutations,
               AccessMutations, MeMutations, ExportMutations):
    """Every mutation takes one `input` and returns its object and `userErrors`."""


@strawberry.type
class Subscription(ExportSubscriptions):
    """Served over a WebSocket at `/graphql` (server/graphql_view.py)."""


class Schema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The execution context's shortcuts for fields without arguments, by (type, field):
        # they depend on this schema only (resolvers/engine/execution.py).
        self.shortcuts: dict[tuple[str, str], Shortcut | None] = {}

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: strawberry.types.ExecutionContext | None = None) -> None:
        """Strawberry logs every error here, client errors too; MaskInternalErrors logs the
        internal ones instead, with the request ID."""


def build_schema(limits: Limits | None = None,
                 execution_context_class: type[ExecutionContext] | None = ExecutionContext,
                 ) -> strawberry.Schema:
    """The schema; `execution_context_class=None` runs Strawberry's stock executor, which
    tests/engine/test_execution.py compares ours with."""
    # Everything the limits need is built once here: the validation cache keys on the rules, so
    # rules made anew per request would never hit it.
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Customer, Order, Store],
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=execution_context_class,
        extensions=[
            *limit_extensions(limits or Limits()),
            lambda: ValidationCache(maxsize=1024),
            MaskInternalErrors,
        ],
    )


schema = build_schema()
