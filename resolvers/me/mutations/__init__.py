"""The signed-in customer's own mutations, one module each."""

import strawberry

from models.access.permissions import Permission
from resolvers.me.mutations.set_my_consent import SetMyConsentPayload, set_my_consent
from resolvers.me.mutations.update_me import UpdateMePayload, update_me
from resolvers.permissions import requires


@strawberry.type
class MeMutations:
    update_me: UpdateMePayload = strawberry.mutation(
        extensions=requires(Permission.SELF), resolver=update_me,
        description="The signed-in customer changes their own contact data.")
    set_my_consent: SetMyConsentPayload = strawberry.mutation(
        extensions=requires(Permission.SELF), resolver=set_my_consent,
        description="The signed-in customer switches marketing communications; the consent "
                    "history records that they did, and through which storefront.")
