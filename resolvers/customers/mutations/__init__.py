"""The customer mutations, one module each."""

import strawberry

from resolvers.customers.mutations.add_customer import AddCustomerPayload, add_customer
from resolvers.customers.mutations.register_guest import RegisterGuestPayload, register_guest
from resolvers.customers.mutations.set_consent import SetConsentPayload, set_consent
from resolvers.customers.mutations.update_customer import UpdateCustomerPayload, update_customer


@strawberry.type
class CustomerMutations:
    add_customer: AddCustomerPayload = strawberry.mutation(
        resolver=add_customer, description="Staff add a registered customer by hand.")
    update_customer: UpdateCustomerPayload = strawberry.mutation(resolver=update_customer)
    set_consent: SetConsentPayload = strawberry.mutation(
        resolver=set_consent, description="Switch marketing communications; recorded in "
                                          "`consentHistory` with who, when and where.")
    register_guest: RegisterGuestPayload = strawberry.mutation(resolver=register_guest)
