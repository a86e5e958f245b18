"""The access domain's root fields (the signed-in staff user, the staff, the API keys) and its
mutations: staff sign-in and sessions, staff users, API keys, and the storefronts' customer
sign-up and sign-in (refreshing and ending a customer's session are `refreshToken` and
`signOut`, as for staff)."""

import strawberry

from models.access.permissions import Permission
from resolvers.access import queries
from resolvers.access.customer_sessions import CustomerSessionPayload
from resolvers.access.mutations.create_api_key import CreateApiKeyPayload, create_api_key
from resolvers.access.mutations.create_staff_user import (
    CreateStaffUserPayload,
    create_staff_user,
)
from resolvers.access.mutations.customer_sign_in import customer_sign_in
from resolvers.access.mutations.customer_sign_up import customer_sign_up
from resolvers.access.mutations.refresh_token import RefreshTokenPayload, refresh_token
from resolvers.access.mutations.request_sign_in_code import (
    RequestSignInCodePayload,
    request_sign_in_code,
)
from resolvers.access.mutations.revoke_api_key import RevokeApiKeyPayload, revoke_api_key
from resolvers.access.mutations.sign_in import SignInPayload, sign_in
from resolvers.access.mutations.sign_out import SignOutPayload, sign_out
from resolvers.access.mutations.update_staff_user import (
    UpdateStaffUserPayload,
    update_staff_user,
)
from resolvers.access.types import ApiKey, StaffUser
from resolvers.permissions import requires


@strawberry.type
class AccessQueries:
    viewer: StaffUser | None = strawberry.field(
        extensions=requires(Permission.SIGNED_IN), resolver=queries.viewer,
        description="The signed-in staff user; null for an API key or a customer.")
    staff_users: list[StaffUser] = strawberry.field(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=queries.staff_users,
        description="Every staff user of the organization, disabled ones included.")


@strawberry.type
class ApiKeyQueries:
    """A class of its own only for the order of the root fields: `schema.graphql` has always
    printed `apiKeys` after `exportJob`, and the SDL stays as clients have it."""

    api_keys: list[ApiKey] = strawberry.field(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=queries.api_keys,
        description="Every API key of the organization, revoked ones included.")


@strawberry.type
class AccessMutations:
    sign_in: SignInPayload = strawberry.mutation(
        extensions=requires(Permission.PUBLIC), resolver=sign_in,
        description="A staff user signs in: an access token (short-lived) and a refresh token.")
    refresh_token: RefreshTokenPayload = strawberry.mutation(
        extensions=requires(Permission.PUBLIC), resolver=refresh_token,
        description="Trade a refresh token for new tokens; send it without an Authorization "
                    "header. The old access token stops working.")
    sign_out: SignOutPayload = strawberry.mutation(
        extensions=requires(Permission.SIGNED_IN), resolver=sign_out,
        description="End this session (or, with `everywhere`, all of the user's sessions).")
    create_staff_user: CreateStaffUserPayload = strawberry.mutation(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=create_staff_user)
    update_staff_user: UpdateStaffUserPayload = strawberry.mutation(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=update_staff_user)
    create_api_key: CreateApiKeyPayload = strawberry.mutation(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=create_api_key,
        description="A key for an integrator, with scopes; the key is shown once.")
    revoke_api_key: RevokeApiKeyPayload = strawberry.mutation(
        extensions=requires(Permission.MANAGE_ACCESS), resolver=revoke_api_key)
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
