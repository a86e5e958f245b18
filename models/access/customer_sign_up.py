"""A shopper signs up in the web shop or the mobile app, as the organization's registration
strategy says:

- `EMAIL`: email and password, names and an address (what `registerGuest` asks for by email).
- `PHONE`: phone and the one-time code sent to it (`requestSignInCode`), and names; no password.
- `EMAIL_OR_PHONE`: email and password, or phone and code, or both. A phone given here is one
  the customer can sign in with, so it always needs its code; with a phone, an email may come
  without a password (it is then contact data only).

A guest with that email or phone (from an earlier checkout) becomes registered through
`register_guest`, keeping its orders, points and consent; otherwise a new registered customer is
created, with the storefront as its source. Taking a guest over needs proof that the shopper
holds what it was found by: the code sent to that phone, or to that email (`email_code`);
anyone may type someone else's email, and the guest's orders and addresses are personal
data. An email or phone of a registered customer is ALREADY_REGISTERED: they sign in instead.
Sign-up signs the customer in (`last_access_at`); the events name the customer as their actor.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import require_codes
from models.access.credentials import check_new_password, set_password
from models.core.actors import Actor
from models.core.base import utcnow
from models.core.enums import (
    ActorKind,
    ConsentSource,
    CustomerSource,
    CustomerType,
    Device,
    RegistrationStrategy,
)
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event
from models.core.validation import AddressFields, normal_email, normal_phone
from models.customers.consent import set_consent
from models.customers.profile import (
    as_told_to_customers,
    new_registered_customer,
    register_guest,
    required_by_strategy,
    unique_errors,
    validate_fields,
)
from models.customers.table import Customer
from models.organizations.table import Organization


@dataclass(frozen=True)
class SignUpForm:
    first_name: str | None
    last_name: str | None
    channel: Device
    email: str | None = None
    phone: str | None = None
    password: str | None = field(default=None, repr=False)
    code: str | None = field(default=None, repr=False)  # sent to the phone
    email_code: str | None = field(default=None, repr=False)
    addresses: list[AddressFields] | None = None
    accepts_marketing: bool | None = None


def customer_actor(customer: Customer) -> Actor:
    return Actor(organization_id=customer.organization_id, kind=ActorKind.CUSTOMER,
                 id=str(customer.id), customer_id=customer.id)


async def sign_up(session: AsyncSession, org: Organization, form: SignUpForm) -> Customer:
    """Register the shopper (see the module's docstring).

    Raises `Rejected` before writing anything, or `CodeRefused` having counted a wrong code
    (commit that).
    """
    errors = _method_errors(org.registration_strategy, form)
    email = normal_email(form.email, "email", errors)
    phone = normal_phone(form.phone, org.default_country, "phone", errors)
    for value, path, label in ((form.first_name, "firstName", "First name"),
                               (form.last_name, "lastName", "Last name")):
        if not (value or "").strip():
            errors.append(error(path, ErrorCode.REQUIRED, f"{label} is required."))
    if errors:
        raise Rejected(unique_errors(errors))
    existing = await _existing(session, email, phone)
    fields = _profile_fields(form)
    if existing is None:
        errors.extend(required_by_strategy(org.registration_strategy, fields, False))
    clean = await validate_fields(session, org, fields, existing.id if existing else None,
                                  errors)
    if errors:
        raise Rejected(as_told_to_customers(unique_errors(errors)))
    # Codes are checked before any write (see sign_in_codes).
    await require_codes(session, _codes_needed(org.registration_strategy, existing, email, phone),
                        {"code": form.code, "emailCode": form.email_code})

    try:
        if existing is not None:
            customer = await register_guest(session, customer_actor(existing), existing.id,
                                            fields)
        else:
            customer, changes = await new_registered_customer(
                session, org, clean, CustomerSource(form.channel.value))
            record_event(session, customer_actor(customer), EventKind.CUSTOMER_CREATED,
                         customer.id, {"source": customer.source.value, "changed": changes})
    except Rejected as rejected:
        raise Rejected(as_told_to_customers(rejected.errors)) from None
    actor = customer_actor(customer)
    if form.password:
        await set_password(session, customer, form.password)
    if form.accepts_marketing is not None:
        await set_consent(session, actor, customer.id, form.accepts_marketing,
                          ConsentSource(form.channel.value))
    customer.last_access_at = utcnow()
    await session.flush()
    return customer


def _codes_needed(strategy: RegistrationStrategy, guest: Customer | None, email: str | None,
                  phone: str | None) -> list[tuple[str, str]]:
    """The codes the sign-up must give, as (destination, field): the phone's where phones sign
    in; and to take a guest over, the code of what it was found by (a phone whose code is not
    asked for here cannot take one over: DUPLICATE)."""
    codes = []
    if phone is not None and _needs_code(strategy):
        codes.append((phone, "code"))
    if guest is None or (codes and guest.phone_e164 == phone):
        return codes
    if email is not None and guest.email == email:
        return [*codes, (email, "emailCode")]
    raise Rejected([error("phone", ErrorCode.DUPLICATE,
                          "This phone number is already in use by another account.")])


def _needs_code(strategy: RegistrationStrategy) -> bool:
    """Whether a phone is something the customer signs in with, and so must prove it is theirs."""
    return strategy is not RegistrationStrategy.EMAIL


def _method_errors(strategy: RegistrationStrategy, form: SignUpForm) -> list[UserError]:
    """What the strategy asks for (email and password, phone and code) or refuses."""
    has_email, has_phone = bool((form.email or "").strip()), bool((form.phone or "").strip())
    errors: list[UserError] = []
    if strategy is RegistrationStrategy.EMAIL:
        if not has_email:
            errors.append(error("email", ErrorCode.REQUIRED, "Email is required to sign up."))
        if form.code:
            errors.append(error("code", ErrorCode.METHOD_NOT_ALLOWED,
                                "This shop signs you up with your email and a password."))
    elif strategy is RegistrationStrategy.PHONE:
        if not has_phone:
            errors.append(error("phone", ErrorCode.REQUIRED, "Phone is required to sign up."))
        if form.password:
            errors.append(error("password", ErrorCode.METHOD_NOT_ALLOWED,
                                "This shop signs you in with a code sent to your phone, not a "
                                "password."))
    elif not (has_email or has_phone):
        errors.append(error("email", ErrorCode.REQUIRED,
                            "An email or a phone is required to sign up."))
    elif form.password and not has_email:
        errors.append(error("email", ErrorCode.REQUIRED, "A password signs in with an email."))
    # A phone (with its code) is enough under EMAIL_OR_PHONE; an email alone needs a password.
    password_required = strategy is RegistrationStrategy.EMAIL or (
        strategy is RegistrationStrategy.EMAIL_OR_PHONE and has_email and not has_phone)
    if password_required or (form.password and strategy is not RegistrationStrategy.PHONE):
        try:
            check_new_password(form.password)
        except Rejected as weak:
            errors.extend(weak.errors)
    return errors


async def _existing(session: AsyncSession, email: str | None, phone: str | None
                    ) -> Customer | None:
    """The guest this sign-up registers, if any; `Rejected` when the email or phone is a
    registered customer's, or when they are two different customers'."""
    by_email = await session.scalar(select(Customer).where(Customer.email == email)
                                    ) if email else None
    by_phone = await session.scalar(select(Customer).where(Customer.phone_e164 == phone)
                                    ) if phone else None
    for holder, path, label in ((by_email, "email", "email"), (by_phone, "phone", "phone")):
        if holder is not None and holder.type is CustomerType.REGISTERED:
            raise Rejected([error(path, ErrorCode.ALREADY_REGISTERED,
                                  f"An account with this {label} already exists: sign in.")])
    if by_email is not None and by_phone is not None and by_email.id != by_phone.id:
        raise Rejected([error("phone", ErrorCode.DUPLICATE,
                              "This phone number is already in use by another account.")])
    return by_email or by_phone


def _profile_fields(form: SignUpForm) -> dict[str, Any]:
    """The form's profile fields, in `customer_profile`'s names; only those sent."""
    fields: dict[str, Any] = {"first_name": form.first_name, "last_name": form.last_name}
    if (form.email or "").strip():
        fields["email"] = form.email
    if (form.phone or "").strip():
        fields["phone"] = form.phone
    if form.addresses:
        fields["addresses"] = form.addresses
    return fields
