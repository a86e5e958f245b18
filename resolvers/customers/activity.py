"""A customer's activity (the audit log read from their domain events): `ActivityEntry` and
its connection, and `Customer.activity`, a page of one customer's log batched across a page
of customers. `activity_entries.py` turns an event row into an entry."""

from collections.abc import Awaitable
from datetime import datetime

import strawberry

from models.access.permissions import Permission
from models.core.enums import ActorKind
from models.core.events import EventKind
from resolvers.common import PageInfo
from resolvers.context import Info
from resolvers.engine.errors import ClientError
from resolvers.pagination import decode_cursor, window
from resolvers.permissions import Requires

ACTIVITY_CURSOR = "activity:newest"  # a customer's events, newest first


@strawberry.type(description="Who acted.")
class ActivityActor:
    kind: ActorKind
    id: strawberry.ID | None = strawberry.field(
        description="The global ID of the staff user (`StaffUser`), API key (`ApiKey`) or "
                    "customer (`Customer`); null for the system.")
    name: str | None = strawberry.field(
        description="The API key's name, the staff user's name, `the customer` or `system`; "
                    "null when it is not known (a key or user since deleted).")


@strawberry.type(description="One field a write changed, with its values as text.")
class ActivityChange:
    field: str = strawberry.field(
        description="The field as the API names it, e.g. `email`, `mainStoreId`, `status`.")
    from_: str | None = strawberry.field(name="from")
    to: str | None
    redacted: bool = strawberry.field(
        description="The values are withheld: wiped when the customer was erased, hidden "
                    "from this caller (`notes` without the notes grant), or never recorded. "
                    "`from` and `to` are then null.")


@strawberry.type(description="One entry of a customer's audit log: who, when, what changed.")
class ActivityEntry:
    id: strawberry.ID
    occurred_at: datetime
    kind: EventKind
    summary: str = strawberry.field(description="One line for people, e.g. `Updated email`.")
    actor: ActivityActor
    changes: list[ActivityChange]
    request_id: str | None = strawberry.field(
        description="The request that made the change, as the server's logs name it.")


@strawberry.type
class ActivityEdge:
    cursor: str
    node: ActivityEntry


@strawberry.type
class ActivityConnection:
    edges: list[ActivityEdge]
    page_info: PageInfo
    customer_pk: strawberry.Private[int]

    @strawberry.field
    def nodes(self) -> list[ActivityEntry]:
        return [edge.node for edge in self.edges]

    @strawberry.field(graphql_type=int, description="Entries in this customer's activity.")
    def total_count(self, info: Info) -> Awaitable[int]:
        return info.context.loaders.activity_count.load(self.customer_pk)


# `Customer` is reachable under `customers:read` (staff, keys) and, through `me`, by a signed-in
# customer: the log of who on staff did what stays with the former.
DEFAULT_PAGE = 20
_READERS = Requires(Permission.CUSTOMERS_READ)


def customer_activity(info: Info, customer_id: int, first: int | None, after: str | None
                      ) -> Awaitable[ActivityConnection]:
    """Checks the arguments now; the page itself comes with the other customers' pages."""
    _READERS.check(info)
    page = window(DEFAULT_PAGE if first is None else first, after, None, None,
                  info.context.max_page_size)
    before_id = None
    if after is not None:
        values = decode_cursor(after, ACTIVITY_CURSOR)
        if len(values) != 1 or not isinstance(values[0], int):
            raise ClientError("This cursor does not belong to this list; start again without "
                              "`after`.", code="INVALID_CURSOR")
        before_id = values[0]
    return info.context.loaders.customer_activity(page, before_id).load(customer_id)
