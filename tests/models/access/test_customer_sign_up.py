"""The sign-up and sign-in rules under each registration strategy, at the models level: who
gets in, with what, and that a refusal writes nothing (but the count of a wrong code)."""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import CodeRefused, SignInCode
from models.access.credentials import CustomerCredential
from models.access.customer_sign_in import SignInForm, organization_by_slug, request_code, sign_in
from models.access.customer_sign_up import SignUpForm, sign_up
from models.core.enums import (
    ActorKind,
    ConsentSource,
    CustomerSource,
    CustomerType,
    Device,
    RegistrationStrategy,
)
from models.core.errors import ErrorCode, Rejected
from models.core.events import DomainEvent
from models.core.tenancy import session_info
from models.core.validation import AddressFields
from models.customers.consent import ConsentEvent
from models.customers.table import Customer
from models.organizations.table import Organization

from factories import OrgFixture
from snapshots import organization_state

EMAIL = RegistrationStrategy.EMAIL
PHONE = RegistrationStrategy.PHONE
EITHER = RegistrationStrategy.EMAIL_OR_PHONE
PASSWORD = "correct horse battery"
ADDRESS = [AddressFields(line1="Gran Vía 1", city="Madrid")]

Rule = Callable[[AsyncSession, Organization], Awaitable[Any]]


async def set_strategy(org: OrgFixture, strategy: RegistrationStrategy) -> None:
    async with org.db.admin_session() as session:
        row = await session.get(Organization, org.id)
        assert row is not None
        row.registration_strategy = strategy
        await session.commit()


async def run(org: OrgFixture, rule: Rule) -> Any:
    """Run a rule as the resolvers do: committed on success and after a refused code."""
    async with org.db.sessions(info=session_info(org.id)) as session:
        organization = await organization_by_slug(session, org.slug)
        try:
            result = await rule(session, organization)
        except CodeRefused:
            await session.commit()
            raise
        await session.commit()
        return result


async def refused(org: OrgFixture, rule: Rule, *, counts_a_try: bool = False
                  ) -> list[tuple[str, ErrorCode]]:
    before = await organization_state(org.db, org.id)
    with pytest.raises(Rejected) as rejected:
        await run(org, rule)
    after = await organization_state(org.db, org.id)
    if counts_a_try:
        assert after.pop("sign_in_codes") != before.pop("sign_in_codes")
    assert after == before
    return [(".".join(e.field[1:]), e.code) for e in rejected.value.errors]


def form(**fields: Any) -> SignUpForm:
    values: dict[str, Any] = {"first_name": "Lucía", "last_name": "Gil",
                              "channel": Device.MOBILE_APP}
    values.update(fields)
    return SignUpForm(**values)


async def code_for(org: OrgFixture, phone: str | None, email: str | None = None) -> str:
    async def ask(session: AsyncSession, organization: Organization) -> str:
        return (await request_code(session, organization, phone, email))[1].code

    code: str = await run(org, ask)
    return code


async def customer(org: OrgFixture, customer_id: int) -> Customer:
    async with org.db.admin_session() as session:
        row = await session.get(Customer, customer_id)
        assert row is not None
        return row


async def test_email_sign_up_then_sign_in(org: OrgFixture) -> None:
    created = await run(org, lambda s, o: sign_up(s, o, form(
        email="Lucia@Example.es", password=PASSWORD, addresses=ADDRESS, accepts_marketing=True)))
    row = await customer(org, created.id)
    assert (row.type, row.source, row.email) == (
        CustomerType.REGISTERED, CustomerSource.MOBILE_APP, "lucia@example.es")
    assert row.last_access_at is not None
    assert (row.subscribed, row.consent_source) == (True, ConsentSource.MOBILE_APP)
    async with org.db.admin_session() as session:
        events = (await session.execute(select(
            DomainEvent.kind, DomainEvent.actor_kind, DomainEvent.actor_id).where(
            DomainEvent.customer_id == row.id).order_by(DomainEvent.id))).all()
        consent = await session.scalar(select(ConsentEvent).where(
            ConsentEvent.customer_id == row.id))
    assert events == [("customer.created", ActorKind.CUSTOMER, str(row.id)),
                      ("customer.consent_changed", ActorKind.CUSTOMER, str(row.id))]
    assert consent is not None
    assert consent.actor_kind is ActorKind.CUSTOMER
    signed_in = await run(org, lambda s, o: sign_in(s, o, SignInForm(
        email=" LUCIA@example.es ", password=PASSWORD)))
    assert signed_in.id == row.id


@pytest.mark.parametrize("attempt", [
    SignInForm(email="lucia@example.es", password="wrong password!"),
    SignInForm(email="nobody@example.es", password=PASSWORD),
    SignInForm(email="guest@example.es", password=PASSWORD),
    SignInForm(email="not an email", password=PASSWORD),
])
async def test_wrong_password_and_unknown_email_look_the_same(org: OrgFixture,
                                                              attempt: SignInForm) -> None:
    await run(org, lambda s, o: sign_up(s, o, form(
        email="lucia@example.es", password=PASSWORD, addresses=ADDRESS)))
    await org.customer(type=CustomerType.GUEST, email="guest@example.es")
    errors = await refused(org, lambda s, o: sign_in(s, o, attempt))
    assert errors == [("", ErrorCode.INVALID_CREDENTIALS)]


async def test_a_guest_signing_up_keeps_its_orders(org: OrgFixture) -> None:
    guest = await org.customer(type=CustomerType.GUEST, email="lucia@example.es",
                               first_name=None, last_name=None, source=CustomerSource.POS)
    await org.order(guest, total=2500)
    code = await code_for(org, None, email="Lucia@Example.es")
    created = await run(org, lambda s, o: sign_up(s, o, form(
        email="lucia@example.es", password=PASSWORD, addresses=ADDRESS, email_code=code)))
    assert created.id == guest
    row = await customer(org, guest)
    assert (row.type, row.source, row.first_name, row.order_count) == (
        CustomerType.REGISTERED, CustomerSource.POS, "Lucía", 1)
    async with org.db.admin_session() as session:
        kinds = list(await session.scalars(select(DomainEvent.kind).where(
            DomainEvent.customer_id == guest, DomainEvent.actor_kind == ActorKind.CUSTOMER)))
    assert kinds == ["customer.registered"]


async def test_taking_a_guest_over_by_email_needs_the_code_sent_to_it(org: OrgFixture) -> None:
    """Anyone can type an email; only its owner gets its code. Without it, nothing is written
    and nothing of the guest is shown."""
    guest = await org.customer(type=CustomerType.GUEST, email="lucia@example.es",
                               first_name="Lucía", last_name="Gil")
    await org.order(guest, total=2500)
    claim = form(email="lucia@example.es", password=PASSWORD, addresses=ADDRESS)
    errors = await refused(org, lambda s, o: sign_up(s, o, claim))
    assert errors == [("emailCode", ErrorCode.REQUIRED)]
    await code_for(org, None, email="lucia@example.es")  # sent to Lucía, not to the caller
    wrong = replace(claim, email_code="000000")
    errors = await refused(org, lambda s, o: sign_up(s, o, wrong), counts_a_try=True)
    assert errors == [("emailCode", ErrorCode.INVALID_CODE)]
    assert (await customer(org, guest)).type is CustomerType.GUEST
    async with org.db.admin_session() as session:
        assert await session.scalar(select(CustomerCredential).where(
            CustomerCredential.customer_id == guest)) is None


async def test_a_new_email_needs_no_code(org: OrgFixture) -> None:
    created = await run(org, lambda s, o: sign_up(s, o, form(
        email="new@example.es", password=PASSWORD, addresses=ADDRESS)))
    assert created.type is CustomerType.REGISTERED


async def test_a_guest_found_by_a_phone_without_codes_is_not_taken_over(org: OrgFixture
                                                                         ) -> None:
    """Under EMAIL, phones get no codes: a guest's phone cannot be proven, so it is not taken."""
    await org.customer(type=CustomerType.GUEST, email=None, phone_e164="+34612001122")
    errors = await refused(org, lambda s, o: sign_up(s, o, form(
        email="eva@example.es", password=PASSWORD, addresses=ADDRESS, phone="612001122")))
    assert errors == [("phone", ErrorCode.DUPLICATE)]


async def test_a_guest_whose_phone_the_code_proves_needs_no_email_code(org: OrgFixture
                                                                     ) -> None:
    await set_strategy(org, EITHER)
    guest = await org.customer(type=CustomerType.GUEST, email="ana@example.es",
                               phone_e164="+34612001122")
    phone_code = await code_for(org, "612001122")
    created = await run(org, lambda s, o: sign_up(s, o, form(
        email="ana@example.es", password=PASSWORD, phone="612001122", code=phone_code)))
    assert created.id == guest


async def test_a_guest_found_by_email_beside_a_new_phone_needs_both_codes(org: OrgFixture
                                                                          ) -> None:
    await set_strategy(org, EITHER)
    guest = await org.customer(type=CustomerType.GUEST, email="ana@example.es")
    phone_code = await code_for(org, "612001122")
    both = form(email="ana@example.es", password=PASSWORD, phone="612001122", code=phone_code)
    errors = await refused(org, lambda s, o: sign_up(s, o, both))
    assert errors == [("emailCode", ErrorCode.REQUIRED)]  # asked before the phone's is spent
    email_code = await code_for(org, None, email="ana@example.es")
    created = await run(org, lambda s, o: sign_up(s, o, replace(both, email_code=email_code)))
    assert created.id == guest
    assert (await customer(org, guest)).phone_e164 == "+34612001122"


async def test_phone_sign_up_needs_the_code_then_signs_in_with_codes(org: OrgFixture) -> None:
    await set_strategy(org, PHONE)
    code = await code_for(org, "612 00 11 22")
    wrong = "000000" if code != "000000" else "111111"
    errors = await refused(org, lambda s, o: sign_up(s, o, form(phone="612001122", code=wrong)),
                           counts_a_try=True)
    assert errors == [("code", ErrorCode.INVALID_CODE)]
    created = await run(org, lambda s, o: sign_up(s, o, form(phone="612001122", code=code)))
    row = await customer(org, created.id)
    assert (row.type, row.phone_e164) == (CustomerType.REGISTERED, "+34612001122")
    async with org.db.admin_session() as session:
        assert await session.scalar(select(CustomerCredential).where(
            CustomerCredential.customer_id == row.id)) is None
        assert await session.scalar(select(SignInCode).where(
            SignInCode.organization_id == org.id)) is None  # used up
    errors = await refused(org, lambda s, o: sign_in(s, o, SignInForm(phone="612001122",
                                                                      code=code)))
    assert errors == [("code", ErrorCode.CODE_EXPIRED)]
    again = await code_for_later(org, "+34 612 00 11 22")
    signed_in = await run(org, lambda s, o: sign_in(s, o, SignInForm(phone="612001122",
                                                                     code=again)))
    assert signed_in.id == row.id


async def code_for_later(org: OrgFixture, phone: str) -> str:
    """A new code after the minute between two codes (moved back rather than waited)."""
    from datetime import timedelta

    from sqlalchemy import update

    from models.core.base import utcnow

    async with org.db.admin_session() as session:
        await session.execute(update(SignInCode).where(SignInCode.organization_id == org.id)
                              .values(sent_at=utcnow() - timedelta(minutes=2)))
        await session.commit()
    return await code_for(org, phone)


async def test_a_correct_code_for_a_phone_without_account_is_kept_for_sign_up(
        org: OrgFixture) -> None:
    await set_strategy(org, EITHER)
    code = await code_for(org, "612001122")
    errors = await refused(org, lambda s, o: sign_in(s, o, SignInForm(phone="612001122",
                                                                      code=code)))
    assert errors == [("phone", ErrorCode.NOT_REGISTERED)]
    created = await run(org, lambda s, o: sign_up(s, o, form(phone="612001122", code=code)))
    assert created.phone_e164 == "+34612001122"


@pytest.mark.parametrize(("strategy", "attempt", "expected"), [
    (EMAIL, SignInForm(phone="612001122", code="123456"), ("phone", "METHOD_NOT_ALLOWED")),
    (PHONE, SignInForm(email="a@example.es", password=PASSWORD),
     ("password", "METHOD_NOT_ALLOWED")),
    (EITHER, SignInForm(email="a@example.es", phone="612001122"), ("", "INVALID")),
    (EITHER, SignInForm(), ("", "REQUIRED")),
    (EITHER, SignInForm(phone="12", code="123456"), ("phone", "INVALID")),
])
async def test_sign_in_follows_the_strategy(org: OrgFixture, strategy: RegistrationStrategy,
                                            attempt: SignInForm, expected: tuple[str, str]
                                            ) -> None:
    await set_strategy(org, strategy)
    errors = await refused(org, lambda s, o: sign_in(s, o, attempt))
    assert [(path, code.value) for path, code in errors] == [expected]


async def test_a_code_is_asked_for_only_where_phones_sign_in(org: OrgFixture) -> None:
    errors = await refused(org, lambda s, o: request_code(s, o, "612001122"))
    assert errors == [("phone", ErrorCode.METHOD_NOT_ALLOWED)]


@pytest.mark.parametrize(("strategy", "fields", "expected"), [
    (EMAIL, {"phone": "612001122"}, {("email", "REQUIRED"), ("password", "REQUIRED")}),
    (EMAIL, {"email": "a@example.es", "password": "short"}, {("password", "INVALID")}),
    (EMAIL, {"email": "a@example.es", "password": PASSWORD}, {("address", "REQUIRED")}),
    (EMAIL, {"email": "a@example.es", "password": PASSWORD, "addresses": ADDRESS,
             "code": "123456"}, {("code", "METHOD_NOT_ALLOWED")}),
    (PHONE, {"email": "a@example.es"}, {("phone", "REQUIRED")}),
    (PHONE, {"phone": "612001122", "password": PASSWORD}, {("password", "METHOD_NOT_ALLOWED")}),
    (PHONE, {"phone": "612001122"}, {("code", "REQUIRED")}),
    (EITHER, {}, {("email", "REQUIRED")}),
    (EITHER, {"email": "a@example.es"}, {("password", "REQUIRED")}),
    (EITHER, {"phone": "612001122", "password": PASSWORD}, {("email", "REQUIRED")}),
    (EITHER, {"email": "a@example.es", "password": PASSWORD, "phone": "612001122"},
     {("code", "REQUIRED")}),
    (EITHER, {"email": "bad", "phone": "1", "first_name": " ", "last_name": None},
     {("email", "INVALID"), ("phone", "INVALID"), ("firstName", "REQUIRED"),
      ("lastName", "REQUIRED")}),
])
async def test_sign_up_follows_the_strategy(org: OrgFixture, strategy: RegistrationStrategy,
                                            fields: dict[str, Any],
                                            expected: set[tuple[str, str]]) -> None:
    await set_strategy(org, strategy)
    errors = await refused(org, lambda s, o: sign_up(s, o, form(**fields)))
    assert {(path, code.value) for path, code in errors} == expected


async def test_sign_up_with_both_under_email_or_phone(org: OrgFixture) -> None:
    await set_strategy(org, EITHER)
    code = await code_for(org, "612001122")
    created = await run(org, lambda s, o: sign_up(s, o, form(
        email="a@example.es", password=PASSWORD, phone="612001122", code=code,
        channel=Device.WEB)))
    assert created.source is CustomerSource.WEB
    by_password = await run(org, lambda s, o: sign_in(s, o, SignInForm(
        email="a@example.es", password=PASSWORD)))
    assert by_password.id == created.id
    again = await code_for_later(org, "612001122")
    by_code = await run(org, lambda s, o: sign_in(s, o, SignInForm(phone="612001122",
                                                                   code=again)))
    assert by_code.id == created.id


async def test_a_registered_email_or_phone_signs_in_instead(org: OrgFixture) -> None:
    await set_strategy(org, EITHER)
    await org.customer(email="taken@example.es", phone_e164="+34612001122", first_name="Ana",
                       last_name="Mora")
    errors = await refused(org, lambda s, o: sign_up(s, o, form(
        email="taken@example.es", password=PASSWORD)))
    assert errors == [("email", ErrorCode.ALREADY_REGISTERED)]
    code = await code_for(org, "612001122")
    errors = await refused(org, lambda s, o: sign_up(s, o, form(phone="612001122", code=code)))
    assert errors == [("phone", ErrorCode.ALREADY_REGISTERED)]


async def test_an_email_and_a_phone_of_two_guests_are_refused(org: OrgFixture) -> None:
    await set_strategy(org, EITHER)
    await org.customer(type=CustomerType.GUEST, email="one@example.es", first_name="Ana")
    await org.customer(type=CustomerType.GUEST, phone_e164="+34612001122", email=None,
                       first_name="Eva")
    code = await code_for(org, "612001122")
    before = await organization_state(org.db, org.id)
    with pytest.raises(Rejected) as rejected:
        await run(org, lambda s, o: sign_up(s, o, form(
            email="one@example.es", password=PASSWORD, phone="612001122", code=code)))
    assert [(e.field, e.code) for e in rejected.value.errors] == [
        (("input", "phone"), ErrorCode.DUPLICATE)]
    assert "Eva" not in rejected.value.errors[0].message
    assert await organization_state(org.db, org.id) == before


async def test_an_erased_customer_cannot_sign_in(org: OrgFixture) -> None:
    from models.core.actors import Actor
    from models.customers.erasure import erase_customer

    created = await run(org, lambda s, o: sign_up(s, o, form(
        email="a@example.es", password=PASSWORD, addresses=ADDRESS)))
    async with org.db.sessions(info=session_info(org.id)) as session:
        await erase_customer(session, Actor.system(org.id), created.id)
        await session.commit()
        assert await session.scalar(select(CustomerCredential).where(
            CustomerCredential.customer_id == created.id)) is None
    errors = await refused(org, lambda s, o: sign_in(s, o, SignInForm(
        email="a@example.es", password=PASSWORD)))
    assert errors == [("", ErrorCode.INVALID_CREDENTIALS)]


async def test_a_merged_customers_password_moves_to_the_target(org: OrgFixture) -> None:
    from models.core.actors import Actor
    from models.customers.merge import merge_customers

    created = await run(org, lambda s, o: sign_up(s, o, form(
        email="a@example.es", password=PASSWORD, addresses=ADDRESS)))
    target = await org.customer(email="other@example.es")
    async with org.db.sessions(info=session_info(org.id)) as session:
        await merge_customers(session, Actor.system(org.id), target, [created.id])
        await session.commit()
    # The target keeps its own email, and takes the source's password.
    signed_in = await run(org, lambda s, o: sign_in(s, o, SignInForm(
        email="other@example.es", password=PASSWORD)))
    assert signed_in.id == target


async def test_an_unknown_organization_is_not_found(org: OrgFixture) -> None:
    async with org.db.sessions(info=session_info(org.id)) as session:
        with pytest.raises(Rejected) as rejected:
            await organization_by_slug(session, "no-such-shop")
    assert rejected.value.errors[0].field == ("input", "organization")

