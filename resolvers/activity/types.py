"""`ActivityEntry` and its connection: one domain event as the audit log shows it."""

from collections.abc import Awaitable
from datetime import datetime

import strawberry

from models.core.enums import ActorKind
from models.core.events import EventKind
from resolvers.common import PageInfo
from resolvers.context import Info

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
