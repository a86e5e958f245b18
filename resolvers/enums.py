"""Every domain enum the schema shows, registered once with its description.

The enums live in `models/` (the rules speak them); GraphQL shows them under the same names.
Imported by `resolvers/__init__.py`, so that they are registered before any type uses them.
"""

import strawberry

from models.core.enums import (
    ActorKind,
    ConsentSource,
    CustomerSource,
    CustomerType,
    Device,
    FulfilmentType,
    GuestCheckout,
    LedgerKind,
    OrderChannel,
    OrderStatus,
    Punctuality,
    RegistrationStrategy,
    RiskLevel,
    ShopperLevel,
    StaffRole,
)
from models.core.errors import ErrorCode
from models.core.events import EventKind
from models.customers.columns import CustomerColumn
from models.customers.search import CustomerSortField
from models.exports.jobs import ExportFormat, ExportStatus
from models.imports.formats import ImportFormat

strawberry.enum(CustomerType, description="A guest is known only from a checkout.")
strawberry.enum(CustomerSource, description="How the customer was first created.")
strawberry.enum(ConsentSource, description="The channel a consent decision came through.")
strawberry.enum(ActorKind)
strawberry.enum(RiskLevel)
strawberry.enum(ShopperLevel)
strawberry.enum(CustomerSortField)
strawberry.enum(OrderChannel, description="Where an order was placed.")
strawberry.enum(OrderStatus)
strawberry.enum(FulfilmentType)
strawberry.enum(Punctuality, description="Own-fleet delivery: delivered by the promised time?")
strawberry.enum(LedgerKind, description="EARN: a completed order (negative when a cancellation "
                                        "takes it back); REDEEM, ADJUST, EXPIRE.")
strawberry.enum(GuestCheckout, description=(
    "What guests may do on a storefront. ENABLED: check out, use the cart, see prices; "
    "DISABLED_CART_AVAILABLE: use the cart and see prices, but sign in to check out; "
    "DISABLED_CART_UNAVAILABLE: see prices only; DISABLED_CART_UNAVAILABLE_HIDE_PRICES: "
    "none of them."))
strawberry.enum(RegistrationStrategy, description=(
    "What registering asks for. EMAIL: email, first and last name and an address; "
    "PHONE: a phone, the rest later; EMAIL_OR_PHONE: either."))
strawberry.enum(Device, description="A storefront with a guest checkout setting of its own.")
strawberry.enum(StaffRole, description="OWNER: everything; MANAGER: the customers of its "
                                        "stores; VIEWER: read only, plus its grants.")
strawberry.enum(ErrorCode, name="UserErrorCode")
strawberry.enum(EventKind, description="What happened, as `Customer.activity` lists it.")
strawberry.enum(ExportFormat)
strawberry.enum(ExportStatus)
strawberry.enum(CustomerColumn,
                description="A column of a customer export; the default order is this list's.")
strawberry.enum(ImportFormat, description=(
    "A customer file the import recognises by its headers. CUSTOMERHUB: our own export; "
    "SHOPIFY and SQUARE: their customer exports; GENERIC: any file whose headers name the "
    "fields, in English or Spanish."))
