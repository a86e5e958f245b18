"""The stores each customer has ordered at, by customer id."""

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select

from models.customers.table import CustomerStore
from models.organizations.stores import Store as StoreRow
from resolvers.stores.types import Store

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = list[Store]


async def load_customer_stores(context: "Context", keys: list[Key]) -> list[Result]:
    async with context.read_session() as session:
        rows = await session.execute(
            select(CustomerStore.customer_id, StoreRow)
            .join(StoreRow, StoreRow.id == CustomerStore.store_id)
            .where(CustomerStore.customer_id.in_(keys))
            .order_by(CustomerStore.customer_id, StoreRow.name, StoreRow.id)
        )
        by_customer: dict[int, Result] = defaultdict(list)
        for customer_id, store in rows:
            by_customer[customer_id].append(Store.from_row(store))
    return [by_customer.get(key, []) for key in keys]
