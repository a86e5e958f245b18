"""The `Organization` type with its settings, and the `StorefrontPolicy` derived from them."""

from decimal import Decimal
from typing import Self

import strawberry

from models import organizations
from models.core.enums import Device, GuestCheckout, RegistrationStrategy
from models.organizations import storefront
from resolvers.node import Node, to_global_id


@strawberry.type(description="Guest checkout, per storefront.")
class GuestCheckoutSettings:
    web: GuestCheckout
    mobile_app: GuestCheckout


@strawberry.type
class OrganizationSettings:
    guest_checkout: GuestCheckoutSettings
    registration_strategy: RegistrationStrategy
    loyalty_earn_rate: Decimal = strawberry.field(
        description="Points earned per unit of currency spent on a completed order.")


@strawberry.type(description="The merchant whose customers these are.")
class Organization(Node):
    slug: str
    name: str
    default_country: str = strawberry.field(
        description="ISO 3166 two-letter code: phone numbers typed without a country prefix "
                    "are read in it.")
    currency: str = strawberry.field(description="ISO 4217 code of every amount.")
    timezone: str = strawberry.field(description="IANA time zone, e.g. `Europe/Madrid`.")
    settings: OrganizationSettings

    @classmethod
    def from_row(cls, row: organizations.Organization) -> Self:
        return cls(
            id=to_global_id("Organization", row.id), slug=row.slug, name=row.name,
            default_country=row.default_country, currency=row.currency, timezone=row.timezone,
            settings=OrganizationSettings(
                guest_checkout=GuestCheckoutSettings(web=row.guest_checkout_web,
                                                     mobile_app=row.guest_checkout_mobile_app),
                registration_strategy=row.registration_strategy,
                # `2.5`, not `2.5000` (the column's scale) nor `2.50` (as typed).
                loyalty_earn_rate=Decimal(f"{row.loyalty_earn_rate.normalize():f}")),
        )


@strawberry.type(description="What guests (shoppers who have not signed in) may do on one "
                             "storefront, from the organization's guest checkout setting.")
class StorefrontPolicy:
    device: Device
    guest_checkout: GuestCheckout
    guests_may_check_out: bool
    guests_may_use_cart: bool
    guests_see_prices: bool
    registration_strategy: RegistrationStrategy = strawberry.field(
        description="What a guest is asked for to register.")

    @classmethod
    def of(cls, policy: storefront.StorefrontPolicy) -> Self:
        return cls(device=policy.device, guest_checkout=policy.guest_checkout,
                   guests_may_check_out=policy.guests_may_check_out,
                   guests_may_use_cart=policy.guests_may_use_cart,
                   guests_see_prices=policy.guests_see_prices,
                   registration_strategy=policy.registration_strategy)
