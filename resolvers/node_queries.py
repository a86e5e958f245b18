"""Root field `node`: any object by its global ID, whatever its domain."""

import strawberry

from models.access.permissions import Permission
from resolvers.context import Info
from resolvers.node import Node, from_global_id
from resolvers.organizations.queries import organization
from resolvers.permissions import requires


async def node(info: Info, id: strawberry.ID) -> Node | None:
    type_name, pk = from_global_id(id)
    loaders = info.context.loaders
    if type_name == "Customer":
        return await loaders.customer.load(pk)
    if type_name == "Order":
        return await loaders.order.load(pk)
    if type_name == "Store":
        return await loaders.store.load(pk)
    if type_name == "Organization" and pk == info.context.organization.id:
        return await organization(info)
    return None


@strawberry.type
class NodeQueries:
    node: Node | None = strawberry.field(
        extensions=requires(Permission.CUSTOMERS_READ), resolver=node)
