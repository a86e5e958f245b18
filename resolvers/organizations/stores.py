"""The `Store` type."""

from typing import Self

import strawberry

from models import organizations
from resolvers.node import Node, to_global_id


@strawberry.type(description="A point of sale: a shop, a restaurant, a kitchen.")
class Store(Node):
    name: str
    code: str
    address_line1: str | None
    city: str | None
    postal_code: str | None
    country: str | None

    @classmethod
    def from_row(cls, row: organizations.Store) -> Self:
        return cls(
            id=to_global_id("Store", row.id), name=row.name, code=row.code,
            address_line1=row.address_line1, city=row.city, postal_code=row.postal_code,
            country=row.country,
        )
