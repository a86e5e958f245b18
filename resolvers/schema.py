"""The schema: root types, extensions, and `build_schema()` which the server and SDL share."""

import strawberry
from graphql.validation import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaskErrors, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig

from models.permissions import Permission
from resolvers.access import queries as access_queries
from resolvers.access.mutations import AccessMutations
from resolvers.access.types import ApiKey, StaffUser
from resolvers.customers import queries as customer_queries
from resolvers.customers.connection import CustomerConnection
from resolvers.customers.mutations import CustomerMutations
from resolvers.customers.stats import CustomerStats
from resolvers.customers.types import Customer
from resolvers.errors import should_mask_error
from resolvers.execution import ExecutionContext
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
        extensions=requires(Permission.CUSTOMERS_READ),
        resolver=organization_queries.storefront_policy,
        description="What guests may do on a storefront: check out, use the cart, see prices.")
    viewer: StaffUser | None = strawberry.field(
        extensions=requires(Permission.SIGNED_IN), resolver=access_queries.viewer,
        description="The signed-in staff user; null for an API key or a customer.")
    staff_users: list[StaffUser] = strawberry.field(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=access_queries.staff_users,
        description="Every staff user of the organization, disabled ones included.")
    api_keys: list[ApiKey] = strawberry.field(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=access_queries.api_keys,
        description="Every API key of the organization, revoked ones included.")


@strawberry.type
class Mutation(CustomerMutations, OrganizationMutations, OrderMutations, AccessMutations):
    """Every mutation takes one `input` and returns its object and `userErrors`."""


def build_schema(max_depth: int = 12, max_aliases: int = 30,
                 execution_context_class: type[ExecutionContext] | None = ExecutionContext,
                 ) -> strawberry.Schema:
    """The schema; `execution_context_class=None` runs Strawberry's stock executor, which
    tests/test_execution.py compares ours with."""
    # The rules are built once here: the validation cache keys on them, so rules made anew per
    # request would never hit it.
    rules: list[type[ASTValidationRule]] = [
        max_depth_rule(max_depth, None, None), max_aliases_rule(max_aliases)]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Customer, Order, Store],
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=execution_context_class,
        extensions=[
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
            lambda: AddValidationRules(rules),
            lambda: MaskErrors(should_mask_error=should_mask_error,
                               error_message="Internal error; it has been logged."),
        ],
    )


schema = build_schema()
