"""What a MANAGER's store scope reaches, as SQL conditions that `models/core/tenancy.py` adds to
every ORM statement of a session opened with a store scope; and the rules a manager's writes follow.

A customer is linked to a store when it is the customer's main store, or the customer has
ordered there (`customer_stores`). A session scoped to stores S sees:

- the customers linked to one of S;
- every row of any tenant table with a `customer_id` (addresses, consent history, loyalty,
  events, ...) that belongs to one of those customers, and the redirects of customers merged
  into them;
- all orders of those customers, wherever they were placed, and every order placed at one of S
  (also when its customer is no longer linked, e.g. after cancelling their only order there);
- the items of the orders it sees.

Stores, the organization and tables without a customer are not limited: a manager picks stores,
and a customer's profile names every store they ordered at.

Why all of a visible customer's orders and not only those placed at S: the customer row's
aggregates (order count, total spent, last order), the points balance and the ledger already
count every order, so a profile cut down to S would contradict its own figures; and the store
serving the customer needs their whole history. What a manager may change stays with S: orders
are recorded, and their status changed, only at the manager's own stores.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select

from models.core.actors import Actor
from models.core.base import Base, TenantScoped
from models.core.errors import ErrorCode, UserError, error
from models.customers.table import Customer, CustomerRedirect, CustomerStore
from models.orders.table import Order, OrderItem

_customers = Customer.__table__
_links = CustomerStore.__table__
_orders = Order.__table__


def linked(customer_id: Any, main_store_id: Any, stores: Sequence[int], *, per_row: bool
           ) -> ColumnElement[bool]:
    """The customer's main store is one of `stores`, or it has ordered at one of them.

    Two forms of the same condition, for PostgreSQL's sake (bench/store_scope_plans.py):
    - for a whole list (count, stats): an IN over `customer_stores`, read once through its
      (store_id, customer_id) index and hashed, in one pass over the customers;
    - `per_row`, for a page or a few rows: an EXISTS probing that index per customer. OFFSET 0
      keeps PostgreSQL from hashing it like the IN, which would read every link of the stores
      (200,000 for one store of five in a million customers) to return 50 rows.
    """
    if not per_row:
        return or_(main_store_id.in_(stores), customer_id.in_(
            select(_links.c.customer_id).where(_links.c.store_id.in_(stores))))
    return or_(main_store_id.in_(stores), exists(
        select(1).where(_links.c.customer_id == customer_id, _links.c.store_id.in_(stores))
        .offset(0)))


def _belongs(customer_id: Any, organization_id: int, stores: Sequence[int]
             ) -> ColumnElement[bool]:
    """The row's customer is visible: a correlated EXISTS on the customer's primary key, so that
    a loader reading the rows of 50 customers probes 50 customers and not the whole scope."""
    customer = _customers.alias("scope_customer")
    return exists().where(customer.c.id == customer_id,
                          customer.c.organization_id == organization_id,
                          linked(customer.c.id, customer.c.main_store_id, stores, per_row=True))


def criteria(organization_id: int, store_scope: Iterable[int], *, paged: bool
             ) -> list[tuple[type[Any], ColumnElement[bool]]]:
    """(mapped class, condition) for every tenant table that a store scope limits; `paged`: the
    statement reads a limited number of rows (see `linked`).

    Core tables inside the conditions, not the mapped classes, so that the session's criteria
    do not apply to themselves.
    """
    stores = sorted(store_scope)
    order = _orders.alias("scope_order")
    found: list[tuple[type[Any], ColumnElement[bool]]] = [
        (Customer, linked(Customer.id, Customer.main_store_id, stores, per_row=paged)),
        (CustomerRedirect, _belongs(CustomerRedirect.target_id, organization_id, stores)),
        (Order, or_(Order.store_id.in_(stores),
                    _belongs(Order.customer_id, organization_id, stores))),
        (OrderItem, exists().where(
            order.c.id == OrderItem.order_id, order.c.organization_id == organization_id,
            or_(order.c.store_id.in_(stores),
                _belongs(order.c.customer_id, organization_id, stores)))),
    ]
    special = {cls for cls, _ in found}
    # Any other tenant table that belongs to a customer, including tables added later.
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if (issubclass(cls, TenantScoped) and cls not in special
                and "customer_id" in mapper.columns):
            found.append((cls, _belongs(mapper.columns["customer_id"], organization_id, stores)))
    return found


def store_error(actor: Actor, store_id: int | None, path: str) -> UserError | None:
    """Why a store-scoped actor may not name this store (or none) here; None when it may."""
    scope = actor.store_scope
    if scope is None or (store_id is not None and store_id in scope):
        return None
    if store_id is None:
        return error(path, ErrorCode.REQUIRED, "Name one of your stores.")
    return error(path, ErrorCode.OUT_OF_SCOPE, "This store is not one of yours.")


def default_store(actor: Actor) -> int | None:
    """The store a manager's new customer belongs to when none is named: their only store."""
    scope = actor.store_scope
    return next(iter(scope)) if scope is not None and len(scope) == 1 else None
