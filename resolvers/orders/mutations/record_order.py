"""`recordOrder`: an order from the web shop, mobile app, POS, phone or a delivery platform."""

from datetime import datetime
from decimal import Decimal

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import orders
from models.core.enums import Device, FulfilmentType, OrderChannel, OrderStatus
from models.orders import recording
from models.orders.recording import (
    CustomerFields,
    FulfilmentFields,
    ItemFields,
    OrderFields,
)
from resolvers.context import Info
from resolvers.orders.types import Order
from resolvers.user_errors import UserError, input_pk, respond

# Also registered, in the same words, by resolvers/organizations/types.py (storefrontPolicy).
# Registered here as well because this module may be imported first: an enum left unregistered
# when an input is built gets a definition of its own, and the schema would then hold two.

@strawberry.input
class OrderItemInput:
    name: str
    quantity: int
    unit_price: Decimal = strawberry.field(
        description="In the organization's currency, e.g. `\"4.50\"`; rounded to its minor unit.")
    sku: str | None = None


@strawberry.input(description="Who placed the order, as the sending system knows them.")
class OrderCustomerInput:
    email: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="As typed; read in the organization's country.")
    first_name: str | None = None
    last_name: str | None = None
    external_id: str | None = strawberry.field(
        default=None, description="The customer's ID in the sending system.")


@strawberry.input
class FulfilmentInput:
    type: FulfilmentType = FulfilmentType.PICKUP
    promised_at: datetime | None = None
    delivered_at: datetime | None = None


@strawberry.input(description="The customer is found by `customerId`, then `customer.externalId`, "
                              "email and phone, in that order; when none matches, a guest is "
                              "created.")
class RecordOrderInput:
    channel: OrderChannel
    items: list[OrderItemInput]
    external_id: str | None = strawberry.field(
        default=None, description="The order's ID in the sending system: the same one again "
                                  "returns the order already recorded.")
    store_id: strawberry.ID | None = None
    device: Device | None = strawberry.field(
        default=None, description="Whose guest checkout setting applies; by default WEB for "
                                  "the WEB channel, MOBILE_APP for MOBILE_APP, none otherwise.")
    placed_at: datetime | None = strawberry.field(
        default=None, description="With its UTC offset; now when left out.")
    customer_id: strawberry.ID | None = None
    customer: OrderCustomerInput | None = None
    fulfilment: FulfilmentInput | None = strawberry.field(
        default=None, description="PICKUP when left out.")
    status: OrderStatus = strawberry.field(
        default=OrderStatus.COMPLETED,
        description="COMPLETED orders earn loyalty points; others earn when completed.")

    def to_fields(self) -> OrderFields:
        who = self.customer
        fulfilment = self.fulfilment
        return OrderFields(
            channel=self.channel, external_id=self.external_id,
            store_id=input_pk(self.store_id, "Store", "storeId") if self.store_id else None,
            device=self.device, placed_at=self.placed_at,
            customer_id=(input_pk(self.customer_id, "Customer", "customerId")
                         if self.customer_id else None),
            customer=CustomerFields(email=who.email, phone=who.phone, first_name=who.first_name,
                                    last_name=who.last_name, external_id=who.external_id)
            if who else None,
            items=[ItemFields(name=i.name, sku=i.sku, quantity=i.quantity,
                              unit_price=i.unit_price) for i in self.items],
            fulfilment=FulfilmentFields(type=fulfilment.type, promised_at=fulfilment.promised_at,
                                        delivered_at=fulfilment.delivered_at)
            if fulfilment else FulfilmentFields(),
            status=self.status,
        )


@strawberry.type
class RecordOrderPayload:
    order: Order | None
    created: bool = strawberry.field(
        default=False,
        description="False when the external ID was already recorded: `order` is that order.")
    user_errors: list[UserError]


async def record_order(info: Info, input: RecordOrderInput) -> RecordOrderPayload:
    async def rule(session: AsyncSession) -> tuple[orders.Order, bool]:
        return await recording.record_order(session, info.context.actor, input.to_fields())

    return await respond(info, RecordOrderPayload, rule, lambda result: {
        "order": Order.from_row(result[0], info.context.organization.currency),
        "created": result[1]})
