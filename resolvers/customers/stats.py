"""`CustomerStats`: the figures in the header of the customer list."""

import strawberry

from models.core.enums import CustomerSource
from models.customers import search
from resolvers.common import Money


@strawberry.type
class SourceCount:
    source: CustomerSource
    count: int


@strawberry.type
class CustomerStats:
    total: int
    registered: int
    guests: int
    subscribed: int
    new_last_30_days: int = strawberry.field(name="newLast30Days")
    total_spent: Money
    average_spend_per_customer: Money = strawberry.field(
        description="Total spent divided by the customers (in the filter) who have ordered.")
    average_order_value: Money
    by_source: list[SourceCount]

    @classmethod
    def of(cls, stats: search.CustomerStats, currency: str) -> "CustomerStats":
        def divide(total: int, by: int) -> Money:
            return Money.of(round(total / by) if by else 0, currency)

        return cls(
            total=stats.total, registered=stats.registered, guests=stats.guests,
            subscribed=stats.subscribed, new_last_30_days=stats.new_last_30_days,
            total_spent=Money.of(stats.total_spent, currency),
            average_spend_per_customer=divide(stats.total_spent, stats.with_orders),
            average_order_value=divide(stats.total_spent, stats.order_count),
            by_source=[SourceCount(source=s, count=n) for s, n in
                       sorted(stats.by_source.items(), key=lambda item: -item[1])],
        )
