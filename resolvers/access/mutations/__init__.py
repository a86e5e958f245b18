"""The access mutations, one module each: sign-in sessions, staff users and API keys."""

import strawberry

from models.access.permissions import Permission
from resolvers.access.mutations.create_api_key import CreateApiKeyPayload, create_api_key
from resolvers.access.mutations.create_staff_user import (
    CreateStaffUserPayload,
    create_staff_user,
)
from resolvers.access.mutations.refresh_token import RefreshTokenPayload, refresh_token
from resolvers.access.mutations.revoke_api_key import RevokeApiKeyPayload, revoke_api_key
from resolvers.access.mutations.sign_in import SignInPayload, sign_in
from resolvers.access.mutations.sign_out import SignOutPayload, sign_out
from resolvers.access.mutations.update_staff_user import (
    UpdateStaffUserPayload,
    update_staff_user,
)
from resolvers.permissions import requires


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
