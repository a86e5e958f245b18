"""`CustomerSort`: a field and a direction; several apply in order, then the id breaks ties."""

import strawberry

from models.customers.search import CustomerOrder, CustomerSortField
from resolvers.common import SortDirection


@strawberry.input
class CustomerSort:
    field: CustomerSortField
    direction: SortDirection = SortDirection.ASC

    def to_order(self) -> CustomerOrder:
        return CustomerOrder(self.field, descending=self.direction is SortDirection.DESC)
