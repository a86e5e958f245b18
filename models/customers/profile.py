"""Adding, editing and registering customers: validation, duplicates, and the events they leave.

Fields arrive as a mapping of what was sent (`first_name`, `email`, `addresses`, ...), so that an
edit changes only the fields sent. Every problem is collected and reported at once, as
`Rejected`, before anything is written.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.core.actors import Actor
from models.core.base import among, utcnow
from models.core.changes import changed
from models.core.enums import CustomerSource, CustomerType, RegistrationStrategy
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event
from models.core.store_scope import default_store, store_error
from models.core.tenancy import has_store_scope, organization_wide
from models.core.validation import (
    AddressFields,
    normal_address,
    normal_email,
    normal_name,
    normal_phone,
)
from models.customers.table import Customer, CustomerAddress, locked_customer
from models.loyalty.ledger import LoyaltyAccount
from models.organizations.stores import Store
from models.organizations.table import Organization

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


def clean_fields(org: Organization, fields: Mapping[str, Any], errors: list[UserError]
                 ) -> dict[str, Any]:
    """The normal form of every field sent, checked for format and length without the
    database; problems go to `errors`. `validate_fields` adds what needs the database (the
    store exists, duplicates); the import checks a batch of rows with this and does the
    database checks for the batch at once (models/imports/batch.py)."""
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
        clean["main_store_id"] = fields["main_store_id"]
    return clean


async def validate_fields(session: AsyncSession, org: Organization, fields: Mapping[str, Any],
                          customer_id: int | None, errors: list[UserError]) -> dict[str, Any]:
    """The normal form of every field sent; problems go to `errors`."""
    clean = clean_fields(org, fields, errors)
    store_id = clean.get("main_store_id")
    if store_id is not None and await session.get(Store, store_id) is None:
        errors.append(error("mainStoreId", ErrorCode.NOT_FOUND, "No such store."))
    errors.extend(await duplicates(session, clean, customer_id))
    return clean


class HeldBy(Protocol):
    """Whoever holds a unique value, as `duplicate_errors` reads them."""

    @property
    def id(self) -> int: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def visible(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Holder:
    """A customer who holds a unique value (email, phone, external ID), and whether the
    caller's store scope reaches them."""

    id: int
    first_name: str | None
    last_name: str | None
    visible: bool


# The values unique in an organization: (clean field, column, input path, label).
UNIQUE = (
    ("email", Customer.email, "email", "Email"),
    ("phone_e164", Customer.phone_e164, "phone", "Phone"),
    ("external_id", Customer.external_id, "externalId", "External ID"),
)
HolderKey = tuple[str, str]  # (clean field, value)


async def find_holders(session: AsyncSession, values: Mapping[str, Collection[str]],
                       columns: Sequence[Any] = ()) -> tuple[dict[HolderKey, list[Any]],
                                                             set[int]]:
    """Who holds each of these values (`{"email": [...], ...}`), looked up in the whole
    organization with one `IN` query a field: {(field, value): rows, by id}, and the ids of
    those the session's store scope reaches. Rows have `id`, the names and the unique fields,
    and any further `columns` asked for."""
    wanted = [Customer.id, Customer.first_name, Customer.last_name, Customer.email,
              Customer.phone_e164, Customer.external_id]
    wanted += [c for c in columns if c not in wanted]
    found: dict[HolderKey, list[Any]] = {}
    by_id: dict[int, Any] = {}
    for key, column, _, _ in UNIQUE:
        sent = sorted({v for v in values.get(key, ()) if v is not None})
        if not sent:
            continue
        with organization_wide(session):
            rows = await session.execute(
                select(*wanted).where(among(session, column, sent)).order_by(Customer.id))
        for row in rows:
            by_id[row.id] = row
            found.setdefault((key, getattr(row, key)), []).append(row)
    visible = set(by_id)
    if has_store_scope(session) and by_id:
        visible = set(await session.scalars(
            select(Customer.id).where(among(session, Customer.id, sorted(by_id)))))
    return found, visible


def duplicate_errors(clean: Mapping[str, Any], customer_id: int | None,
                     holders: Mapping[HolderKey, Sequence[HeldBy]]) -> list[UserError]:
    """DUPLICATE errors for an email, phone or external ID that another customer holds.

    Unique in the whole organization, so `holders` come from there; a holder outside the
    caller's stores is neither named nor linked (the database would refuse the value all the
    same). A value the customer itself holds is no duplicate.
    """
    found = []
    for key, _, path, label in UNIQUE:
        value = clean.get(key)
        if value is None:
            continue
        others = holders.get((key, value), ())
        if any(h.id == customer_id for h in others) or not others:
            continue
        holder = others[0]
        if not holder.visible:
            found.append(error(path, ErrorCode.DUPLICATE,
                               f"{label} {value} already belongs to another customer, who is "
                               "not one of your stores' customers."))
            continue
        name = " ".join(p for p in (holder.first_name, holder.last_name) if p) or "a guest"
        found.append(UserError(
            field=("input", path), code=ErrorCode.DUPLICATE, customer_id=holder.id,
            message=f"{label} {value} already belongs to {name}."))
    return found


async def duplicates(session: AsyncSession, clean: Mapping[str, Any], customer_id: int | None
                     ) -> list[UserError]:
    """DUPLICATE errors for one customer's clean fields (see `duplicate_errors`)."""
    rows, visible = await find_holders(
        session, {key: [clean[key]] for key, *_ in UNIQUE if clean.get(key) is not None})
    holders = {k: [Holder(r.id, r.first_name, r.last_name, r.id in visible) for r in found]
               for k, found in rows.items()}
    return duplicate_errors(clean, customer_id, holders)


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


def required_by_form(fields: Mapping[str, Any]) -> list[UserError]:
    """What the admin form asks of a new customer: name, email, phone and an address."""
    errors = []
    for name, path, label in (("first_name", "firstName", "First name"),
                              ("last_name", "lastName", "Last name"), ("email", "email", "Email"),
                              ("phone", "phone", "Phone")):
        if not (fields.get(name) or "").strip():
            errors.append(error(path, ErrorCode.REQUIRED, f"{label} is required."))
    if not fields.get("address") and not fields.get("addresses"):
        errors.append(error("address", ErrorCode.REQUIRED, "Address is required."))
    return errors


def required_by_file(clean: Mapping[str, Any], errors: Sequence[UserError]) -> list[UserError]:
    """What a row of an imported file needs (the lead's decision, README "Importing
    customers"): an email or a phone, usable ones; names and address are optional. A blank
    one is REQUIRED when the other is missing or invalid, so the report names both columns."""
    if clean.get("email") or clean.get("phone_e164"):
        return []
    reported = {e.field[-1] for e in errors}
    return [error(path, ErrorCode.REQUIRED, "An email or a phone is required.")
            for path in ("email", "phone") if path not in reported]


def with_default_store(actor: Actor, sent: dict[str, Any]) -> dict[str, Any]:
    """A new customer's main store as a manager adds one: their only store when none is named,
    and one of theirs required (`main_store_errors`) when they have several."""
    if "main_store_id" not in sent and (store := default_store(actor)) is not None:
        sent["main_store_id"] = store  # a manager of one store adds to that store
    if actor.store_scope is not None:
        sent.setdefault("main_store_id", None)
    return sent


def created_payload(source: CustomerSource, changes: dict[str, dict[str, Any]],
                    customer_type: CustomerType = CustomerType.REGISTERED) -> dict[str, Any]:
    """The payload of `customer.created` when staff (or a file) add a customer."""
    payload: dict[str, Any] = {"source": source.value, "changed": changes}
    if customer_type is not CustomerType.REGISTERED:
        payload["type"] = customer_type.value
    return payload


def updated_payload(changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The payload of `customer.updated`."""
    return {"changed": changes}


async def add_customer(session: AsyncSession, actor: Actor, fields: Mapping[str, Any],
                       source: CustomerSource = CustomerSource.MANUAL) -> Customer:
    """Staff add a registered customer by hand: name, email, phone and an address required."""
    org = await organization_of(session, actor)
    errors = required_by_form(fields)
    sent = with_default_store(
        actor, {name: value for name, value in fields.items() if value is not None})
    clean = await validate_fields(session, org, sent, None, errors)
    errors.extend(main_store_errors(actor, None, sent, errors))
    if errors:
        raise Rejected(unique_errors(errors))
    customer, changes = await new_registered_customer(session, org, clean, source)
    record_event(session, actor, EventKind.CUSTOMER_CREATED, customer.id,
                 created_payload(customer.source, changes))
    return customer


def new_customer_values(customer_type: CustomerType, source: CustomerSource, now: datetime
                        ) -> dict[str, Any]:
    """The columns a new customer starts with, before its fields: a registered one is
    registered (and active) now."""
    registered = now if customer_type is CustomerType.REGISTERED else None
    return {"type": customer_type, "source": source, "registered_at": registered,
            "created_at": now, "updated_at": now, "last_activity_at": registered}


async def new_registered_customer(session: AsyncSession, org: Organization,
                                  clean: Mapping[str, Any], source: CustomerSource
                                  ) -> tuple[Customer, dict[str, dict[str, Any]]]:
    """A registered customer made of fields that `validate_fields` cleaned, and its fields as
    an event's `changed`; the caller records the event (its actor may be the new customer)."""
    customer = Customer(organization_id=org.id,
                        **new_customer_values(CustomerType.REGISTERED, source, utcnow()))
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
                     updated_payload(changes))
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


def field_changes(before: Any, clean: Mapping[str, Any],
                  addresses_before: Sequence[Any] | None
                  ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """What writing the clean fields to a customer (`before`: anything with its attributes)
    changes: the columns to set, and the fields whose value changed, with their values before
    and after, as an event's `changed` (`models/core/changes.py`); "addresses" is among them when
    the address list changed (the same again rewrites nothing)."""
    updates: dict[str, Any] = {}
    pairs: dict[str, tuple[Any, Any]] = {}
    for name, value in clean.items():
        if name == "addresses":
            continue
        old = getattr(before, name)
        if old != value:
            updates[name] = value
            pairs[name] = (old, value)
    if "addresses" in clean:
        pairs["addresses"] = (addresses_before or [], clean["addresses"])
    return updates, changed(pairs)


async def _apply(session: AsyncSession, customer: Customer, clean: Mapping[str, Any]
                 ) -> dict[str, dict[str, Any]]:
    """Write the clean fields; returns what changed (`field_changes`)."""
    existed = customer.id is not None
    before_addresses = list(await session.scalars(
        select(CustomerAddress).where(CustomerAddress.customer_id == customer.id)
        .order_by(CustomerAddress.position))) if existed and "addresses" in clean else []
    updates, changes = field_changes(customer, clean, before_addresses)
    for name, value in updates.items():
        setattr(customer, name, value)
    if not existed:
        session.add(customer)
    membership = await session.scalar(
        select(LoyaltyAccount.membership_id).where(LoyaltyAccount.customer_id == customer.id)
    ) if existed else None
    customer.refresh_search_columns(membership)
    await session.flush()
    if "addresses" in changes:
        await _replace_addresses(session, customer, clean["addresses"])
    return changes


def address_values(organization_id: int, customer_id: int,
                   addresses: Sequence[AddressFields]) -> list[dict[str, Any]]:
    """A customer's address list as rows, in order (position 0 is the main address)."""
    return [{"organization_id": organization_id, "customer_id": customer_id, "position": n,
             "label": a.label, "line1": a.line1 or "", "line2": a.line2, "city": a.city,
             "postal_code": a.postal_code, "region": a.region, "country": a.country}
            for n, a in enumerate(addresses)]


async def _replace_addresses(session: AsyncSession, customer: Customer,
                             addresses: Sequence[AddressFields]) -> None:
    await session.execute(delete(CustomerAddress).where(
        CustomerAddress.customer_id == customer.id))
    session.add_all(CustomerAddress(**values) for values in address_values(
        customer.organization_id, customer.id, addresses))
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
