"""Adding, editing and registering customers: validation, duplicates, and the events they leave.

Fields arrive as a mapping of what was sent (`first_name`, `email`, `addresses`, ...), so that an
edit changes only the fields sent. Every problem is collected and reported at once, as
`Rejected`, before anything is written.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.actors import Actor
from models.base import utcnow
from models.changes import changed
from models.customers import Customer, CustomerAddress, locked_customer
from models.enums import CustomerSource, CustomerType, RegistrationStrategy
from models.errors import ErrorCode, Rejected, UserError, error
from models.events import EventKind, record_event
from models.loyalty import LoyaltyAccount
from models.organizations import Organization
from models.store_scope import default_store, store_error
from models.stores import Store
from models.tenancy import has_store_scope, organization_wide
from models.validation import (
    AddressFields,
    normal_address,
    normal_email,
    normal_name,
    normal_phone,
)

MAX_TEXT = {"notes": 5000, "company_name": 200, "external_id": 100}
EDITABLE = frozenset({
    "first_name", "last_name", "email", "phone", "address", "addresses", "birthday",
    "external_id",
    "shopper_level", "risk_level", "notes", "company_name", "tax_exempt",
    "age_restricted_allowed", "main_store_id",
})


async def organization_of(session: AsyncSession, actor: Actor) -> Organization:
    org = await session.get(Organization, actor.organization_id)
    if org is None:
        raise LookupError(f"organization {actor.organization_id} does not exist")
    return org


async def validate_fields(session: AsyncSession, org: Organization, fields: Mapping[str, Any],
                          customer_id: int | None, errors: list[UserError]) -> dict[str, Any]:
    """The normal form of every field sent; problems go to `errors`."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    clean: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if name in fields:
            label = "First name" if name == "first_name" else "Last name"
            clean[name] = normal_name(fields[name], _camel(name), label, errors)
    if "email" in fields:
        clean["email"] = normal_email(fields["email"], "email", errors)
    if "phone" in fields:
        clean["phone_e164"] = normal_phone(fields["phone"], org.default_country, "phone", errors)
    if "address" in fields:  # the main address alone: it replaces them all
        address = normal_address(fields["address"], org.default_country, "address", errors)
        clean["addresses"] = [address] if address is not None else []
    elif "addresses" in fields:
        addresses = []
        for n, raw in enumerate(fields["addresses"] or []):
            address = normal_address(raw, org.default_country, f"addresses.{n}", errors)
            if address is not None:
                addresses.append(address)
        clean["addresses"] = addresses
    for name, limit in MAX_TEXT.items():
        if name in fields:
            text = (fields[name] or "").strip() or None
            if text is not None and len(text) > limit:
                errors.append(error(_camel(name), ErrorCode.INVALID,
                                    f"At most {limit} characters."))
            clean[name] = text
    if "birthday" in fields:
        birthday: date | None = fields["birthday"]
        if birthday is not None and birthday > utcnow().date():
            errors.append(error("birthday", ErrorCode.INVALID, "Birthday is in the future."))
        clean["birthday"] = birthday
    for name in ("shopper_level", "risk_level"):
        if name in fields:
            clean[name] = fields[name]
    for name in ("tax_exempt", "age_restricted_allowed"):
        if name in fields:
            clean[name] = bool(fields[name])
    if "main_store_id" in fields:
        store_id = fields["main_store_id"]
        if store_id is not None and await session.get(Store, store_id) is None:
            errors.append(error("mainStoreId", ErrorCode.NOT_FOUND, "No such store."))
        clean["main_store_id"] = store_id
    errors.extend(await duplicates(session, clean, customer_id))
    return clean


async def duplicates(session: AsyncSession, clean: Mapping[str, Any], customer_id: int | None
                     ) -> list[UserError]:
    """DUPLICATE errors for an email, phone or external ID that another customer holds.

    Unique in the whole organization, so looked up there; a holder outside the caller's stores
    is neither named nor linked (the database would refuse the value all the same).
    """
    found = []
    for column, key, path, label in (
        (Customer.email, "email", "email", "Email"),
        (Customer.phone_e164, "phone_e164", "phone", "Phone"),
        (Customer.external_id, "external_id", "externalId", "External ID"),
    ):
        value = clean.get(key)
        if value is None:
            continue
        with organization_wide(session):
            holder = await session.scalar(select(Customer).where(column == value).limit(1))
        if holder is None or holder.id == customer_id:
            continue
        if has_store_scope(session) and await session.scalar(
                select(Customer.id).where(Customer.id == holder.id)) is None:
            found.append(error(path, ErrorCode.DUPLICATE,
                               f"{label} {value} already belongs to another customer, who is "
                               "not one of your stores' customers."))
            continue
        name = " ".join(p for p in (holder.first_name, holder.last_name) if p) or "a guest"
        found.append(UserError(
            field=("input", path), code=ErrorCode.DUPLICATE, customer_id=holder.id,
            message=f"{label} {value} already belongs to {name}."))
    return found


def main_store_errors(actor: Actor, current: int | None, fields: Mapping[str, Any],
                      errors: Sequence[UserError]) -> list[UserError]:
    """A MANAGER keeps customers in their stores: a new main store must be one of theirs, and a
    customer registered at another store stays there (only an owner moves them)."""
    if actor.store_scope is None or "main_store_id" not in fields:
        return []
    if fields["main_store_id"] == current and current is not None:
        return []  # sent as it is: a form that sends every field
    if any(e.field == ("input", "mainStoreId") for e in errors):
        return []  # already NOT_FOUND
    if current is not None and current not in actor.store_scope:
        return [error("mainStoreId", ErrorCode.OUT_OF_SCOPE,
                      "This customer's main store is not one of yours; an owner can move it.")]
    problem = store_error(actor, fields["main_store_id"], "mainStoreId")
    return [problem] if problem is not None else []


async def add_customer(session: AsyncSession, actor: Actor, fields: Mapping[str, Any],
                       source: CustomerSource = CustomerSource.MANUAL) -> Customer:
    """Staff add a registered customer by hand (or from a file, `source` IMPORT): name, email,
    phone and an address required."""
    org = await organization_of(session, actor)
    errors: list[UserError] = []
    for name, path, label in (("first_name", "firstName", "First name"),
                              ("last_name", "lastName", "Last name"), ("email", "email", "Email"),
                              ("phone", "phone", "Phone")):
        if not (fields.get(name) or "").strip():
            errors.append(error(path, ErrorCode.REQUIRED, f"{label} is required."))
    if not fields.get("address") and not fields.get("addresses"):
        errors.append(error("address", ErrorCode.REQUIRED, "Address is required."))
    sent = {name: value for name, value in fields.items() if value is not None}
    if "main_store_id" not in sent and (store := default_store(actor)) is not None:
        sent["main_store_id"] = store  # a manager of one store adds to that store
    if actor.store_scope is not None:
        sent.setdefault("main_store_id", None)
    clean = await validate_fields(session, org, sent, None, errors)
    errors.extend(main_store_errors(actor, None, sent, errors))
    if errors:
        raise Rejected(unique_errors(errors))
    customer, changes = await new_registered_customer(session, org, clean, source)
    record_event(session, actor, EventKind.CUSTOMER_CREATED, customer.id,
                 {"source": customer.source.value, "changed": changes})
    return customer


async def new_registered_customer(session: AsyncSession, org: Organization,
                                  clean: Mapping[str, Any], source: CustomerSource
                                  ) -> tuple[Customer, dict[str, dict[str, Any]]]:
    """A registered customer made of fields that `validate_fields` cleaned, and its fields as
    an event's `changed`; the caller records the event (its actor may be the new customer)."""
    now = utcnow()
    customer = Customer(organization_id=org.id, type=CustomerType.REGISTERED, source=source,
                        registered_at=now, created_at=now, updated_at=now,
                        last_activity_at=now)
    changes = await _apply(session, customer, clean)
    return customer, changes


async def update_customer(session: AsyncSession, actor: Actor, customer_id: int,
                          fields: Mapping[str, Any]) -> Customer:
    """Change only the fields sent; the same checks as adding."""
    org = await organization_of(session, actor)
    customer = await locked_customer(session, customer_id, "id")
    errors: list[UserError] = []
    for name, path, label in (("first_name", "firstName", "First name"),
                              ("last_name", "lastName", "Last name")):
        if name in fields and customer.type is CustomerType.REGISTERED and not (
                fields[name] or "").strip():
            errors.append(error(path, ErrorCode.REQUIRED,
                                f"{label} cannot be emptied for a registered customer."))
    clean = await validate_fields(session, org, fields, customer.id, errors)
    errors.extend(main_store_errors(actor, customer.main_store_id, fields, errors))
    if errors:
        raise Rejected(unique_errors(errors))
    changes = await _apply(session, customer, clean)
    if changes:
        customer.updated_at = utcnow()
        record_event(session, actor, EventKind.CUSTOMER_UPDATED, customer.id,
                     {"changed": changes})
    return customer


async def register_guest(session: AsyncSession, actor: Actor, customer_id: int,
                         fields: Mapping[str, Any]) -> Customer:
    """A guest becomes registered, with what the organization's strategy asks for."""
    org = await organization_of(session, actor)
    customer = await locked_customer(session, customer_id)
    if customer.type is CustomerType.REGISTERED:
        raise Rejected([error("customerId", ErrorCode.ALREADY_REGISTERED,
                              "This customer is already registered.")])
    merged = {"first_name": customer.first_name, "last_name": customer.last_name,
              "email": customer.email, "phone": customer.phone_e164, **fields}
    has_address = await session.scalar(
        select(CustomerAddress.id).where(CustomerAddress.customer_id == customer.id).limit(1)
    ) is not None
    errors = required_by_strategy(org.registration_strategy, merged, has_address)
    clean = await validate_fields(session, org, fields, customer.id, errors)
    errors.extend(main_store_errors(actor, customer.main_store_id, fields, errors))
    if errors:
        raise Rejected(unique_errors(errors))
    changes = await _apply(session, customer, clean)
    now = utcnow()
    customer.type = CustomerType.REGISTERED
    customer.registered_at = now
    customer.updated_at = now
    record_event(session, actor, EventKind.CUSTOMER_REGISTERED, customer.id,
                 {"changed": changes})
    return customer


def required_by_strategy(strategy: RegistrationStrategy, merged: Mapping[str, Any],
                         has_address: bool) -> list[UserError]:
    """What registering under the strategy asks for that `merged` (the fields the customer will
    have) lacks."""
    def has(name: str) -> bool:
        return bool((merged.get(name) or "").strip())

    errors = []
    if strategy is RegistrationStrategy.EMAIL:
        for name, path, label in (("email", "email", "Email"),
                                  ("first_name", "firstName", "First name"),
                                  ("last_name", "lastName", "Last name")):
            if not has(name):
                errors.append(error(path, ErrorCode.REQUIRED,
                                    f"{label} is required to register by email."))
        if not (merged.get("address") or merged.get("addresses") or has_address):
            errors.append(error("address", ErrorCode.REQUIRED,
                                "Address is required to register by email."))
    elif strategy is RegistrationStrategy.PHONE:
        if not has("phone"):
            errors.append(error("phone", ErrorCode.REQUIRED, "Phone is required to register."))
    elif not (has("email") or has("phone")):
        errors.append(error("email", ErrorCode.REQUIRED,
                            "An email or a phone is required to register."))
    return errors


async def _apply(session: AsyncSession, customer: Customer, clean: Mapping[str, Any]
                 ) -> dict[str, dict[str, Any]]:
    """Write the clean fields; returns those whose value changed, with their values before and
    after, as an event's `changed` (`models/changes.py`)."""
    existed = customer.id is not None
    pairs: dict[str, tuple[Any, Any]] = {}
    for name, value in clean.items():
        if name == "addresses":
            continue
        before = getattr(customer, name)
        if before != value:
            setattr(customer, name, value)
            pairs[name] = (before, value)
    if not existed:
        session.add(customer)
    membership = await session.scalar(
        select(LoyaltyAccount.membership_id).where(LoyaltyAccount.customer_id == customer.id)
    ) if existed else None
    customer.refresh_search_columns(membership)
    await session.flush()
    if "addresses" in clean:
        before_addresses = list(await session.scalars(
            select(CustomerAddress).where(CustomerAddress.customer_id == customer.id)
            .order_by(CustomerAddress.position))) if existed else []
        pairs["addresses"] = (before_addresses, clean["addresses"])
        if changed({"addresses": pairs["addresses"]}):  # the same again rewrites nothing
            await _replace_addresses(session, customer, clean["addresses"])
    return changed(pairs)


async def _replace_addresses(session: AsyncSession, customer: Customer,
                             addresses: Sequence[AddressFields]) -> None:
    await session.execute(delete(CustomerAddress).where(
        CustomerAddress.customer_id == customer.id))
    session.add_all(
        CustomerAddress(organization_id=customer.organization_id, customer_id=customer.id,
                        position=n, label=a.label, line1=a.line1 or "", line2=a.line2,
                        city=a.city, postal_code=a.postal_code, region=a.region,
                        country=a.country)
        for n, a in enumerate(addresses))
    await session.flush()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def unique_errors(errors: list[UserError]) -> list[UserError]:
    """One error per field and code: a missing field is not also reported as invalid."""
    seen: set[tuple[tuple[str, ...], str]] = set()
    result = []
    for e in errors:
        if (e.field, e.code.value) not in seen:
            seen.add((e.field, e.code.value))
            result.append(e)
    return result


def as_told_to_customers(errors: Sequence[UserError]) -> list[UserError]:
    """The errors as a customer acting on their own may read them: a DUPLICATE names neither
    the other customer nor their ID, which are the merchant's business."""
    told = []
    for problem in errors:
        if problem.code is ErrorCode.DUPLICATE:
            label = "email" if problem.field[-1] == "email" else "phone number"
            problem = UserError(field=problem.field, code=problem.code,
                                message=f"This {label} is already in use by another account.")
        told.append(problem)
    return told
