"""The signed-in customer's own root field and mutations (the storefronts' `me`)."""

import strawberry

from models.access.permissions import Permission
from resolvers.me import queries
from resolvers.me.mutations.set_my_consent import SetMyConsentPayload, set_my_consent
from resolvers.me.mutations.update_me import UpdateMePayload, update_me
from resolvers.me.types import MyProfile
from resolvers.permissions import requires


@strawberry.type
class MeQueries:
    me: MyProfile = strawberry.field(
        extensions=requires(Permission.SELF), resolver=queries.me,
        description="The signed-in customer's own profile, orders and loyalty.")


@strawberry.type
class MeMutations:
    update_me: UpdateMePayload = strawberry.mutation(
        extensions=requires(Permission.SELF), resolver=update_me,
        description="The signed-in customer changes their own contact data.")
    set_my_consent: SetMyConsentPayload = strawberry.mutation(
        extensions=requires(Permission.SELF), resolver=set_my_consent,
        description="The signed-in customer switches marketing communications; the consent "
                    "history records that they did, and through which storefront.")
