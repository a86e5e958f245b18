"""Merging duplicate customers into one.

Everything the sources own moves to the target: orders, loyalty ledger and membership, consent
history, addresses, events, and a password when the target has none. The most recent consent
decision wins; the target keeps its own contact data and takes the sources' where it has none.
The sources are removed, and their IDs go on resolving to the target (`CustomerRedirect`).
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.credentials import CustomerCredential, has_password
from models.core.actors import Actor
from models.core.base import utcnow
from models.core.changes import changed, plain
from models.core.enums import CustomerType
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import DomainEvent, EventKind, record_event
from models.customers.consent import ConsentEvent
from models.customers.table import Customer, CustomerAddress, CustomerRedirect
from models.loyalty.ledger import LoyaltyAccount, LoyaltyLedgerEntry
from models.orders.aggregates import recompute_aggregates
from models.orders.table import Order

# Filled on the target from the sources (newest source first) only where the target has none.
FILLABLE = ("first_name", "last_name", "email", "phone_e164", "birthday", "external_id",
            "shopper_level", "risk_level", "notes", "company_name", "main_store_id")


async def merge_customers(session: AsyncSession, actor: Actor, target_id: int,
                          source_ids: Sequence[int]) -> Customer:
    # IDs of customers merged earlier stand for the customers they were merged into.
    redirects = await resolve_redirects(session, [target_id, *source_ids])
    target_id = redirects.get(target_id, target_id)
    sources_asked = list(dict.fromkeys(redirects.get(i, i) for i in source_ids))
    errors: list[UserError] = []
    if not sources_asked:
        errors.append(error("sourceIds", ErrorCode.REQUIRED, "Name at least one customer to "
                                                             "merge into the target."))
    if target_id in sources_asked:
        errors.append(error("sourceIds", ErrorCode.INVALID,
                            "The target cannot be merged into itself (or into a customer "
                            "already merged into it)."))
    if errors:
        raise Rejected(errors)
    # Lock every row in id order, so that concurrent merges cannot deadlock.
    everyone = sorted({target_id, *sources_asked})
    rows = {c.id: c for c in await session.scalars(
        select(Customer).where(Customer.id.in_(everyone)).order_by(Customer.id)
        .with_for_update())}
    if target_id not in rows:
        errors.append(error("targetId", ErrorCode.NOT_FOUND, "No such customer."))
    missing = [i for i in sources_asked if i not in rows]
    if missing:
        errors.append(error("sourceIds", ErrorCode.NOT_FOUND,
                            f"{len(missing)} of the customers to merge do not exist."))
    erased = [c for c in rows.values() if c.erased_at is not None]
    if erased:
        errors.append(error("sourceIds" if erased[0].id != target_id else "targetId",
                            ErrorCode.INVALID, "An erased customer cannot be merged."))
    if errors:
        raise Rejected(errors)

    target = rows[target_id]
    sources = sorted((rows[i] for i in sources_asked), key=_recency, reverse=True)
    ids = [s.id for s in sources]
    # Read before the sources go: the activity says who was merged in.
    merged = [{"id": s.id, "name": plain(_label(s))} for s in sources]
    type_before = target.type
    await _move_children(session, target, ids)
    kept = _fill_from_sources(target, sources)
    filled = {name: (getattr(target, name), value) for name, value in kept.items()}
    consent_from = max([target, *sources], key=lambda c: _time(c.consent_updated_at))
    decision = (consent_from.subscribed, consent_from.consent_updated_at,
                consent_from.consent_source)
    merged_registered = [c for c in [target, *sources] if c.type is CustomerType.REGISTERED]
    created_at = min(c.created_at for c in [target, *sources])
    last_access = max((c.last_access_at for c in [target, *sources] if c.last_access_at),
                      default=None)
    last_activity = max((c.last_activity_at for c in [target, *sources] if c.last_activity_at),
                        default=None)

    # Redirects that pointed at a source now point at the target; then the sources go.
    await session.execute(update(CustomerRedirect).where(CustomerRedirect.target_id.in_(ids))
                          .values(target_id=target.id))
    session.add_all(CustomerRedirect(organization_id=target.organization_id, merged_id=i,
                                     target_id=target.id) for i in ids)
    for source in sources:
        await session.delete(source)
    await session.flush()  # frees the sources' email and phone before the target takes them

    for name, value in kept.items():
        setattr(target, name, value)
    target.subscribed, target.consent_updated_at, target.consent_source = decision
    if merged_registered:
        target.type = CustomerType.REGISTERED
        target.registered_at = min(c.registered_at or c.created_at for c in merged_registered)
    target.created_at = created_at
    target.last_access_at = last_access
    target.last_activity_at = last_activity
    target.updated_at = utcnow()
    membership = await session.scalar(select(LoyaltyAccount.membership_id).where(
        LoyaltyAccount.customer_id == target.id))
    target.refresh_search_columns(membership)
    await session.flush()
    await recompute_aggregates(session, [target.id])
    changes = changed({**filled, "type": (type_before, target.type)})
    record_event(session, actor, EventKind.CUSTOMER_MERGED, target.id,
                 {"merged": merged, "changed": changes})
    return target


async def _move_children(session: AsyncSession, target: Customer, ids: list[int]) -> None:
    for model in (Order, LoyaltyLedgerEntry, ConsentEvent, DomainEvent):
        await session.execute(update(model).where(model.customer_id.in_(ids))
                              .values(customer_id=target.id))
    next_position = await session.scalar(
        select(func.coalesce(func.max(CustomerAddress.position) + 1, 0))
        .where(CustomerAddress.customer_id == target.id))
    for address in await session.scalars(
            select(CustomerAddress).where(CustomerAddress.customer_id.in_(ids))
            .order_by(CustomerAddress.customer_id, CustomerAddress.position)):
        address.customer_id = target.id
        address.position = next_position or 0
        next_position = (next_position or 0) + 1
    # A password moves to a target that has none (the newest source's), so that the customer
    # goes on signing in with it.
    if not await has_password(session, target.id):
        password = await session.scalar(select(CustomerCredential).where(
            CustomerCredential.customer_id.in_(ids))
            .order_by(CustomerCredential.updated_at.desc()).limit(1))
        if password is not None:
            password.customer_id = target.id
    if await session.scalar(select(LoyaltyAccount.id).where(
            LoyaltyAccount.customer_id == target.id)) is None:
        first = await session.scalar(select(LoyaltyAccount).where(
            LoyaltyAccount.customer_id.in_(ids)).order_by(LoyaltyAccount.created_at).limit(1))
        if first is not None:
            first.customer_id = target.id
    await session.flush()


def _fill_from_sources(target: Customer, sources: Sequence[Customer]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name in FILLABLE:
        if getattr(target, name) is not None:
            continue
        value = next((getattr(s, name) for s in sources if getattr(s, name) is not None), None)
        if value is not None:
            kept[name] = value
    for flag in ("tax_exempt", "age_restricted_allowed"):
        if not getattr(target, flag) and any(getattr(s, flag) for s in sources):
            kept[flag] = True
    return kept


def _label(customer: Customer) -> str | None:
    """How the activity names a customer merged in: a name, else an email or a phone."""
    name = " ".join(p for p in (customer.first_name, customer.last_name) if p)
    return name or customer.email or customer.phone_e164


def _recency(customer: Customer) -> datetime:
    return max(_time(customer.last_activity_at), _time(customer.updated_at))


def _time(moment: datetime | None) -> datetime:
    return moment or datetime.min.replace(tzinfo=utcnow().tzinfo)


async def resolve_redirects(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    """For each ID of a customer merged away, the customer it lives on in."""
    rows = await session.execute(select(CustomerRedirect.merged_id, CustomerRedirect.target_id)
                                 .where(CustomerRedirect.merged_id.in_(ids)))
    return {row.merged_id: row.target_id for row in rows}


async def customers_by_id(session: AsyncSession, ids: Collection[int]) -> dict[int, Customer]:
    """The customers with these ids, keyed by the id asked for: the id of a customer merged
    away gives the customer it was merged into. Ids of no customer are left out."""
    rows = {row.id: row for row in await session.scalars(
        select(Customer).where(Customer.id.in_(ids)))}
    missing = [pk for pk in ids if pk not in rows]
    redirects = await resolve_redirects(session, missing) if missing else {}
    if redirects:
        rows.update((row.id, row) for row in await session.scalars(
            select(Customer).where(Customer.id.in_(set(redirects.values())))))
    found = {pk: rows.get(redirects.get(pk, pk)) for pk in ids}
    return {pk: row for pk, row in found.items() if row is not None}


async def live_customer_id(session: AsyncSession, organization_id: int, customer_id: int
                           ) -> int | None:
    """The customer a signed-in customer now is: the one it was merged into, if it was; None
    when that customer is erased or gone. For a session that sees every organization."""
    redirect = await session.scalar(select(CustomerRedirect.target_id).where(
        CustomerRedirect.merged_id == customer_id,
        CustomerRedirect.organization_id == organization_id))
    return await session.scalar(select(Customer.id).where(
        Customer.id == (redirect or customer_id), Customer.organization_id == organization_id,
        Customer.erased_at.is_(None)))
