"""A registered customer signs in to the web shop or the mobile app, by the organization's
registration strategy: `EMAIL` takes email and password, `PHONE` takes phone and a one-time code
(`request_code` sends it), `EMAIL_OR_PHONE` takes either.

A wrong password, an unknown email, a guest's email and an erased customer's all get the same
INVALID_CREDENTIALS. A code is asked for in the same way whether the phone is a customer's or
not (a new shopper signs up with it); the phone is named as no customer's only to whoever
entered the right code, that is to its owner. The caller starts the session
(`models.access.sessions`) in the same transaction.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import IssuedCode, issue_code, require_code
from models.access.credentials import customer_by_password
from models.access.customer_sign_up import customer_actor
from models.core.base import utcnow
from models.core.enums import CustomerType, RegistrationStrategy
from models.core.errors import ErrorCode, Rejected, UserError, error
from models.core.events import EventKind, record_event
from models.core.validation import normal_email, normal_phone
from models.customers.table import Customer
from models.organizations.table import Organization

WRONG_CREDENTIALS = "The email or the password is wrong."


@dataclass(frozen=True)
class SignInForm:
    email: str | None = None
    password: str | None = field(default=None, repr=False)
    phone: str | None = None
    code: str | None = field(default=None, repr=False)


async def organization_by_slug(session: AsyncSession, slug: str | None) -> Organization:
    """The organization a public form names; NOT_FOUND on `organization` otherwise."""
    org = await session.scalar(select(Organization).where(
        Organization.slug == (slug or "").strip()))
    if org is None:
        raise Rejected([error("organization", ErrorCode.NOT_FOUND, "No such organization.")])
    return org


async def request_code(session: AsyncSession, org: Organization, phone: str | None,
                       email: str | None = None) -> tuple[str, IssuedCode]:
    """A new one-time code for a phone (to sign up or in with, where the strategy takes phones)
    or for an email (to prove it is the customer's: see models/access/customer_sign_up.py): the
    destination in its normal form and the code, for the sender."""
    if (phone or "").strip() and (email or "").strip():
        raise Rejected([error("email", ErrorCode.INVALID,
                              "Ask for a code for a phone or for an email, not both.")])
    errors: list[UserError] = []
    if (email or "").strip():
        destination = normal_email(email, "email", errors, required=True)
    else:
        errors.extend(_refused_methods(org.registration_strategy, phone_route=True))
        destination = normal_phone(phone, org.default_country, "phone", errors, required=True)
    if errors or destination is None:
        raise Rejected(errors)
    return destination, await issue_code(session, org.id, destination)


async def sign_in(session: AsyncSession, org: Organization, form: SignInForm) -> Customer:
    """The customer the form's credentials open; `Rejected` (or `CodeRefused`, after counting a
    wrong code: commit it) otherwise."""
    by_email = bool(form.email or form.password)
    by_phone = bool(form.phone or form.code)
    if by_email and by_phone:
        raise Rejected([error("", ErrorCode.INVALID, "Sign in with email and password, or with "
                                                     "phone and code, not both.")])
    if not (by_email or by_phone):
        raise Rejected([error("", ErrorCode.REQUIRED, "Sign in with email and password, or "
                                                      "with phone and code.")])
    errors = _refused_methods(org.registration_strategy, phone_route=by_phone)
    if errors:
        raise Rejected(errors)
    if by_phone:
        customer = await _by_code(session, org, form)
        method = "code"
    else:
        customer = await _by_password(session, form)
        method = "password"
    customer.last_access_at = utcnow()
    record_event(session, customer_actor(customer), EventKind.CUSTOMER_SIGNED_IN, customer.id,
                 {"method": method})
    await session.flush()
    return customer


async def _by_password(session: AsyncSession, form: SignInForm) -> Customer:
    errors: list[UserError] = []
    if not form.password:
        errors.append(error("password", ErrorCode.REQUIRED, "Enter your password."))
    if not (form.email or "").strip():
        errors.append(error("email", ErrorCode.REQUIRED, "Enter your email."))
    if errors:
        raise Rejected(errors)
    assert form.password is not None
    email = normal_email(form.email, "email", []) or ""
    customer = await customer_by_password(session, email, form.password)
    if customer is None:
        raise Rejected([error("", ErrorCode.INVALID_CREDENTIALS, WRONG_CREDENTIALS)])
    return customer


async def _by_code(session: AsyncSession, org: Organization, form: SignInForm) -> Customer:
    errors: list[UserError] = []
    phone = normal_phone(form.phone, org.default_country, "phone", errors, required=True)
    if errors or phone is None:
        raise Rejected(errors)
    await require_code(session, phone, form.code)  # first: a wrong code's count is committed
    customer = await session.scalar(select(Customer).where(
        Customer.phone_e164 == phone, Customer.type == CustomerType.REGISTERED,
        Customer.erased_at.is_(None)))
    if customer is None:
        # Rolled back with the rest, so the code stays valid for `customerSignUp`.
        raise Rejected([error("phone", ErrorCode.NOT_REGISTERED,
                              "No account has this phone yet: sign up with the same code.")])
    return customer


def _refused_methods(strategy: RegistrationStrategy, phone_route: bool) -> list[UserError]:
    if phone_route and strategy is RegistrationStrategy.EMAIL:
        return [error("phone", ErrorCode.METHOD_NOT_ALLOWED,
                      "This shop signs you in with your email and password.")]
    if not phone_route and strategy is RegistrationStrategy.PHONE:
        return [error("password", ErrorCode.METHOD_NOT_ALLOWED,
                      "This shop signs you in with a code sent to your phone.")]
    return []
