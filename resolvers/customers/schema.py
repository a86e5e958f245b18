"""The customer domain's root fields: the list, one customer, the list's figures; and the
customer mutations (profile, consent, registration, import, merge, erasure)."""

import strawberry

from models.access.permissions import Permission
from resolvers.customers import queries
from resolvers.customers.connection import CustomerConnection
from resolvers.customers.mutations.add_customer import AddCustomerPayload, add_customer
from resolvers.customers.mutations.erase_customer import EraseCustomerPayload, erase_customer
from resolvers.customers.mutations.import_customers import (
    ImportCustomersPayload,
    import_customers,
)
from resolvers.customers.mutations.merge_customers import MergeCustomersPayload, merge_customers
from resolvers.customers.mutations.register_guest import RegisterGuestPayload, register_guest
from resolvers.customers.mutations.set_consent import SetConsentPayload, set_consent
from resolvers.customers.mutations.update_customer import UpdateCustomerPayload, update_customer
from resolvers.customers.stats import CustomerStats
from resolvers.customers.types import Customer
from resolvers.permissions import requires


@strawberry.type
class CustomerQueries:
    customers: CustomerConnection = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ),
        resolver=queries.customers,
        description="The customer list: filter, sort (ties broken by id) and page by cursor.")
    customer: Customer | None = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=queries.customer)
    customer_stats: CustomerStats = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ),
        resolver=queries.customer_stats,
        description="Figures for the customers that match the filter.")


@strawberry.type
class CustomerMutations:
    add_customer: AddCustomerPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE),
        resolver=add_customer, description="Staff add a registered customer by hand.")
    import_customers: ImportCustomersPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE), resolver=import_customers,
        description="Add and update customers from a CSV or XLSX file (a multipart upload): "
                    "matched by external ID, email, then phone; every row checked as "
                    "`addCustomer` checks; bad rows reported and skipped.")
    update_customer: UpdateCustomerPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE), resolver=update_customer)
    set_consent: SetConsentPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE),
        resolver=set_consent, description="Switch marketing communications; recorded in "
                                          "`consentHistory` with who, when and where.")
    register_guest: RegisterGuestPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE), resolver=register_guest)
    merge_customers: MergeCustomersPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE),
        resolver=merge_customers,
        description="Move orders, points, consent history, stores and addresses of the "
                    "sources to the target, keep the most recent consent decision, and remove "
                    "the sources.")
    erase_customer: EraseCustomerPayload = strawberry.mutation(
        extensions=requires(Permission.CUSTOMERS_WRITE),
        resolver=erase_customer,
        description="Wipe the customer's personal data; orders stay without it.")
