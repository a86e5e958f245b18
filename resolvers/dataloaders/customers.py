"""Customers by id."""

from typing import TYPE_CHECKING

from models.customers import Customer as CustomerRow
from resolvers.customers.types import Customer
from resolvers.dataloaders.by_id import load_by_id

if TYPE_CHECKING:
    from resolvers.context import Context

Key = int
Result = Customer | None


async def load_customers(context: "Context", keys: list[Key]) -> list[Result]:
    currency = context.organization.currency
    return await load_by_id(context, CustomerRow,
                            lambda row: Customer.from_row(row, currency), keys)
