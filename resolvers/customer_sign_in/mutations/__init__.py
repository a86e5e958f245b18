"""The storefronts' public mutations, one module each. Refreshing and ending a customer's
session are the generic `refreshToken` and `signOut`."""

import strawberry

from models.access.permissions import Permission
from resolvers.customer_sign_in.mutations.customer_sign_in import customer_sign_in
from resolvers.customer_sign_in.mutations.customer_sign_up import customer_sign_up
from resolvers.customer_sign_in.mutations.request_sign_in_code import (
    RequestSignInCodePayload,
    request_sign_in_code,
)
from resolvers.customer_sign_in.types import CustomerSessionPayload
from resolvers.permissions import requires


@strawberry.type
class CustomerSignInMutations:
    customer_sign_up: CustomerSessionPayload = strawberry.mutation(
        extensions=requires(Permission.PUBLIC), resolver=customer_sign_up,
        description="A shopper registers, as the organization's registration strategy asks, "
                    "and is signed in. A guest with that email or phone becomes registered "
                    "with its orders.")
    request_sign_in_code: RequestSignInCodePayload = strawberry.mutation(
        extensions=requires(Permission.PUBLIC), resolver=request_sign_in_code,
        description="Send a one-time code to a phone, to sign up or sign in with (PHONE and "
                    "EMAIL_OR_PHONE). The answer never tells whether the phone is a "
                    "customer's.")
    customer_sign_in: CustomerSessionPayload = strawberry.mutation(
        extensions=requires(Permission.PUBLIC), resolver=customer_sign_in,
        description="A registered customer signs in with email and password, or with phone "
                    "and code, as the organization's registration strategy allows.")
