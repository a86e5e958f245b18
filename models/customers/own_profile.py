"""What a signed-in customer does to their own profile: read it, edit it, decide on marketing.

The customer is always the actor's own (`Actor.customer_id`), never an ID from the input. The
same rules as staff edits apply (`customer_profile.update_customer`, `consent.set_consent`), with
the customer as the actor, so that events and the consent history record that they did it.

A customer merged into another since signing in goes on as that other customer (the merge
redirect); an erased customer has no profile any more, and their session is dead.
"""

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import CodeRefused, require_codes
from models.core.actors import Actor
from models.core.enums import ActorKind, ConsentSource, RegistrationStrategy
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.validation import normal_email, normal_phone
from models.customers.consent import set_consent
from models.customers.profile import (
    as_told_to_customers,
    organization_of,
    unique_errors,
    update_customer,
    validate_fields,
)
from models.customers.table import Customer, CustomerRedirect
from models.organizations.table import Organization

# What a customer may change about themself; the rest is the merchant's (notes, levels, ...).
SELF_EDITABLE = frozenset({"first_name", "last_name", "email", "phone", "birthday",
                           "addresses"})
# The channels a customer decides through on their own.
SELF_CHANNELS = frozenset({ConsentSource.WEB, ConsentSource.MOBILE_APP})


class SessionEnded(Exception):
    """The signed-in customer no longer exists (erased, or never in this organization)."""


async def own_customer(session: AsyncSession, actor: Actor, *, lock: bool = False) -> Customer:
    """The actor's customer row, following a merge; `SessionEnded` when there is none."""
    if actor.kind is not ActorKind.CUSTOMER or actor.customer_id is None:
        raise SessionEnded("not a signed-in customer")
    customer_id = actor.customer_id
    target = await session.scalar(select(CustomerRedirect.target_id).where(
        CustomerRedirect.merged_id == customer_id))
    statement = select(Customer).where(Customer.id == (target or customer_id))
    customer = await session.scalar(statement.with_for_update() if lock else statement)
    if customer is None or customer.erased_at is not None:
        raise SessionEnded("the customer was erased")
    return customer


def acting_as(actor: Actor, customer: Customer) -> Actor:
    """The actor, speaking for the customer it is now (another one after a merge)."""
    if actor.customer_id == customer.id:
        return actor
    return dataclasses.replace(actor, id=str(customer.id), customer_id=customer.id)


async def update_own_profile(session: AsyncSession, actor: Actor, fields: Mapping[str, Any],
                             codes: Mapping[str, str | None] | None = None) -> Customer:
    """Change only the fields sent, among `SELF_EDITABLE`, with the checks staff edits get;
    never empty what the organization signs customers in with; and a new email or phone that
    the customer would sign in with is proven with the code sent to it (`codes` by field:
    `code` for the phone, `emailCode` for the email), or `CodeRefused` after counting a wrong
    one (commit that)."""
    unknown = set(fields) - SELF_EDITABLE
    if unknown:
        raise ValueError(f"not editable by the customer: {sorted(unknown)}")
    customer = await own_customer(session, actor, lock=True)
    org = await organization_of(session, actor)
    problems = _keeps_sign_in(org.registration_strategy, customer, fields)
    if problems:
        raise Rejected(problems)
    try:
        # An edit that needs codes is checked first (a bad or taken value is said without
        # spending a code), then its codes; both before anything is written.
        if needed := _new_sign_in_contacts(org, customer, fields):
            errors: list[UserError] = []
            await validate_fields(session, org, fields, customer.id, errors)
            if errors:
                raise Rejected(unique_errors(errors))
            await require_codes(session, needed, codes or {})
        return await update_customer(session, acting_as(actor, customer), customer.id, fields)
    except CodeRefused:
        raise
    except Rejected as rejected:
        raise Rejected(as_told_to_customers(rejected.errors)) from None


def _new_sign_in_contacts(org: Organization, customer: Customer, fields: Mapping[str, Any]
                          ) -> list[tuple[str, str]]:
    """(destination, code field) of each new email or phone the customer would sign in with
    under the organization's strategy: another's phone or email would let its owner in, or
    keep them out."""
    strategy = org.registration_strategy
    new = []
    email = normal_email(fields.get("email"), "email", [])
    if email is not None and email != customer.email and strategy is not RegistrationStrategy.PHONE:
        new.append((email, "emailCode"))
    phone = normal_phone(fields.get("phone"), org.default_country, "phone", [])
    if phone is not None and phone != customer.phone_e164 and \
            strategy is not RegistrationStrategy.EMAIL:
        new.append((phone, "code"))
    return new


async def set_own_consent(session: AsyncSession, actor: Actor, subscribed: bool,
                          channel: ConsentSource) -> tuple[Customer, bool]:
    """The customer's own marketing decision, through the storefront they took it on."""
    if channel not in SELF_CHANNELS:
        raise ValueError(f"not a customer's own channel: {channel}")
    customer = await own_customer(session, actor, lock=True)
    return await set_consent(session, acting_as(actor, customer), customer.id, subscribed,
                             channel)


def _keeps_sign_in(strategy: RegistrationStrategy, customer: Customer,
                   fields: Mapping[str, Any]) -> list[UserError]:
    """REQUIRED when the edit would empty the email or phone the strategy signs in with."""
    def kept(name: str, current: str | None) -> bool:
        value = fields.get(name, current)
        return bool((value or "").strip())

    email, phone = kept("email", customer.email), kept("phone", customer.phone_e164)
    # Only an edit that empties it is refused: a customer who never had one (the strategy
    # changed since) may still edit the rest.
    if strategy is RegistrationStrategy.EMAIL and "email" in fields and not email:
        return [error("email", ErrorCode.REQUIRED, "You sign in with your email: it cannot be "
                                                   "emptied.")]
    if strategy is RegistrationStrategy.PHONE and "phone" in fields and not phone:
        return [error("phone", ErrorCode.REQUIRED, "You sign in with your phone: it cannot be "
                                                   "emptied.")]
    if (strategy is RegistrationStrategy.EMAIL_OR_PHONE and {"email", "phone"} & set(fields)
            and not (email or phone)):
        return [error("email", ErrorCode.REQUIRED, "Keep an email or a phone to sign in with.")]
    return []

