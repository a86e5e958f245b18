"""The right to be forgotten: a customer's personal data wiped, the merchant's records kept.

Orders stay (with their amounts, items and stores) so that the merchant's accounts add up, but
they no longer lead to a person. The password, any sign-in code and the open sessions go, and
with them the means to sign in. The consent history keeps what the law asks to keep as proof:
each decision, when, and through what channel. The row stays, marked `erased_at` and
unsubscribed, so that the orders keep their aggregates; it no longer appears in lists, searches
or stats.
The audit log (the customer's domain events) keeps which fields changed, when and by whom, but
no longer their values.
"""

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import forget_destination
from models.access.credentials import CustomerCredential
from models.access.sessions import revoke_subject_sessions
from models.core.actors import Actor
from models.core.base import utcnow
from models.core.changes import without_values
from models.core.enums import ActorKind
from models.core.errors import ErrorCode, Rejected, error
from models.core.events import DomainEvent, EventKind, record_event
from models.customers.table import Customer, CustomerAddress, CustomerRedirect, locked_customer
from models.loyalty.ledger import LoyaltyAccount

PERSONAL = ("first_name", "last_name", "email", "phone_e164", "birthday", "external_id",
            "notes", "company_name", "last_access_at")
# Fields whose values earlier events hold and erasure wipes: the personal columns, addresses.
PERSONAL_IN_EVENTS = (*PERSONAL, "addresses")
# The kinds of event whose payloads can hold those values (in `changed`, or merged names).
EVENTS_WITH_PERSONAL_VALUES = (
    EventKind.CUSTOMER_CREATED, EventKind.CUSTOMER_UPDATED, EventKind.CUSTOMER_REGISTERED,
    EventKind.CUSTOMER_MERGED)


async def erase_customer(session: AsyncSession, actor: Actor, customer_id: int) -> Customer:
    customer = await locked_customer(session, customer_id)
    if customer.erased_at is not None:
        raise Rejected([error("customerId", ErrorCode.INVALID,
                              "This customer's data was already erased.")])
    now = utcnow()
    for destination in (customer.phone_e164, customer.email):
        if destination is not None:
            await forget_destination(session, destination)
    await session.execute(delete(CustomerCredential).where(
        CustomerCredential.customer_id == customer.id))
    # Its sessions end, and those opened by customers merged into it since.
    merged = await session.scalars(select(CustomerRedirect.merged_id).where(
        CustomerRedirect.target_id == customer.id))
    for subject_id in (customer.id, *merged):
        await revoke_subject_sessions(session, ActorKind.CUSTOMER, subject_id)
    for name in PERSONAL:
        setattr(customer, name, None)
    customer.subscribed = False
    customer.erased_at = now
    customer.updated_at = now
    customer.refresh_search_columns(None)
    await session.execute(delete(CustomerAddress).where(
        CustomerAddress.customer_id == customer.id))
    await session.execute(update(LoyaltyAccount).where(LoyaltyAccount.customer_id == customer.id)
                          .values(membership_id=None))
    await _wipe_values_from_events(session, customer.id)
    record_event(session, actor, EventKind.CUSTOMER_ERASED, customer.id, {})
    await session.flush()
    return customer


async def _wipe_values_from_events(session: AsyncSession, customer_id: int) -> None:
    """Earlier events keep that a field changed, not what it held: in this transaction, so
    that no reader ever sees the customer erased and the values still in the log. Events of
    customers merged into this one moved here with the merge, and are wiped with it."""
    events = await session.scalars(select(DomainEvent).where(
        DomainEvent.customer_id == customer_id,
        DomainEvent.kind.in_([kind.value for kind in EVENTS_WITH_PERSONAL_VALUES])))
    for event in events:
        # A new dict: the JSON column notices reassignment, not changes inside it.
        event.payload = without_values(event.payload, PERSONAL_IN_EVENTS)
