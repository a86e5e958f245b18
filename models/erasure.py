"""The right to be forgotten: a customer's personal data wiped, the merchant's records kept.

Orders stay (with their amounts, items and stores) so that the merchant's accounts add up, but
they no longer lead to a person. The consent history keeps what the law asks to keep as proof:
each decision, when, and through what channel. The row stays, marked `erased_at` and unsubscribed,
so that the orders keep their aggregates; it no longer appears in lists, searches or stats.
"""

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.actors import Actor
from models.base import utcnow
from models.customers import Customer, CustomerAddress, locked_customer
from models.errors import ErrorCode, Rejected, error
from models.events import record_event
from models.loyalty import LoyaltyAccount

PERSONAL = ("first_name", "last_name", "email", "phone_e164", "birthday", "external_id",
            "notes", "company_name", "last_access_at")


async def erase_customer(session: AsyncSession, actor: Actor, customer_id: int) -> Customer:
    customer = await locked_customer(session, customer_id)
    if customer.erased_at is not None:
        raise Rejected([error("customerId", ErrorCode.INVALID,
                              "This customer's data was already erased.")])
    now = utcnow()
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
    record_event(session, actor, "customer.erased", customer.id, {})
    await session.flush()
    return customer
