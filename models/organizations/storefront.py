"""What an organization's settings let guests (shoppers not signed in) do on each storefront:
the one reading of the guest checkout settings, which storefronts and order recording share."""

from dataclasses import dataclass

from models.core.enums import Device, GuestCheckout, RegistrationStrategy
from models.organizations.table import Organization


@dataclass(frozen=True, slots=True)
class StorefrontPolicy:
    """What a guest (a shopper who has not signed in) may do on one storefront."""

    device: Device
    guest_checkout: GuestCheckout
    guests_may_check_out: bool
    guests_may_use_cart: bool
    guests_see_prices: bool
    registration_strategy: RegistrationStrategy


# Each setting gives guests: (check out, use the cart, see prices).
GUEST_RIGHTS: dict[GuestCheckout, tuple[bool, bool, bool]] = {
    GuestCheckout.ENABLED: (True, True, True),
    GuestCheckout.DISABLED_CART_AVAILABLE: (False, True, True),
    GuestCheckout.DISABLED_CART_UNAVAILABLE: (False, False, True),
    GuestCheckout.DISABLED_CART_UNAVAILABLE_HIDE_PRICES: (False, False, False),
}


def storefront_policy(organization: Organization, device: Device) -> StorefrontPolicy:
    """The one reading of the guest checkout settings: storefronts and order recording share it."""
    setting = organization.guest_checkout(device)
    check_out, cart, prices = GUEST_RIGHTS[setting]
    return StorefrontPolicy(device=device, guest_checkout=setting,
                            guests_may_check_out=check_out, guests_may_use_cart=cart,
                            guests_see_prices=prices,
                            registration_strategy=organization.registration_strategy)
