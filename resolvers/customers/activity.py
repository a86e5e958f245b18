"""`Customer.activity`: a page of one customer's audit log, batched across a page of customers."""

from collections.abc import Awaitable

from models.access.permissions import Permission
from resolvers.activity.types import ACTIVITY_CURSOR, ActivityConnection
from resolvers.context import Info
from resolvers.engine.errors import ClientError
from resolvers.pagination import decode_cursor, window
from resolvers.permissions import Requires

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
