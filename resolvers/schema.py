"""The schema: root types, extensions, and `build_schema()` which the server and SDL share."""

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext as StrawberryExecutionContext

from models.access.permissions import Permission
from resolvers.access import queries as access_queries
from resolvers.access.mutations import AccessMutations
from resolvers.access.types import ApiKey, StaffUser
from resolvers.customer_sign_in.mutations import CustomerSignInMutations
from resolvers.customers import queries as customer_queries
from resolvers.customers.connection import CustomerConnection
from resolvers.customers.mutations import CustomerMutations
from resolvers.customers.stats import CustomerStats
from resolvers.customers.types import Customer
from resolvers.engine.errors import MaskInternalErrors
from resolvers.engine.execution import ExecutionContext
from resolvers.engine.limits.setup import Limits, limit_extensions
from resolvers.engine.shortcuts import Shortcut
from resolvers.exports import queries as export_queries
from resolvers.exports.mutations import ExportMutations
from resolvers.exports.types import ExportJob
from resolvers.me import queries as me_queries
from resolvers.me.mutations import MeMutations
from resolvers.me.types import MyProfile
from resolvers.node import Node
from resolvers.node_queries import node
from resolvers.orders.mutations import OrderMutations
from resolvers.orders.types import Order
from resolvers.organization import queries as organization_queries
from resolvers.organization.mutations import OrganizationMutations
from resolvers.organization.types import Organization, StorefrontPolicy
from resolvers.permissions import requires
from resolvers.stores import queries as store_queries
from resolvers.stores.types import Store


@strawberry.type
class Query:
    customers: CustomerConnection = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ),
        resolver=customer_queries.customers,
        description="The customer list: filter, sort (ties broken by id) and page by cursor.")
    customer: Customer | None = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=customer_queries.customer)
    customer_stats: CustomerStats = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ),
        resolver=customer_queries.customer_stats,
        description="Figures for the customers that match the filter.")
    node: Node | None = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=node)
    stores: list[Store] = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=store_queries.stores)
    store: Store | None = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=store_queries.store)
    organization: Organization = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ),
        resolver=organization_queries.organization,
        description="The caller's organization and its settings.")
    storefront_policy: StorefrontPolicy = strawberry.field(
        extensions=requires(Permission.PUBLIC),
        resolver=organization_queries.storefront_policy,
        description="What guests may do on a storefront: check out, use the cart, see prices.")
    viewer: StaffUser | None = strawberry.field(
        extensions=requires(Permission.SIGNED_IN), resolver=access_queries.viewer,
        description="The signed-in staff user; null for an API key or a customer.")
    staff_users: list[StaffUser] = strawberry.field(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=access_queries.staff_users,
        description="Every staff user of the organization, disabled ones included.")
    export_job: ExportJob | None = strawberry.field(
        extensions=requires(Permission.EXPORTS), resolver=export_queries.export_job,
        description="An export job of the organization, to poll until its `url` is set.")
    api_keys: list[ApiKey] = strawberry.field(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=access_queries.api_keys,
        description="Every API key of the organization, revoked ones included.")
    me: MyProfile = strawberry.field(
        extensions=requires(Permission.SELF), resolver=me_queries.me,
        description="The signed-in customer's own profile, orders and loyalty.")


@strawberry.type
class Mutation(CustomerMutations, OrganizationMutations, OrderMutations, AccessMutations,
               CustomerSignInMutations, MeMutations, ExportMutations):
    """Every mutation takes one `input` and returns its object and `userErrors`."""


class Schema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The execution context's shortcuts for fields without arguments, by (type, field):
        # they depend on this schema only (resolvers/engine/execution.py).
        self.shortcuts: dict[tuple[str, str], Shortcut | None] = {}

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: StrawberryExecutionContext | None = None) -> None:
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
