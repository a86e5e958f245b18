"""recordOrder: finding or creating the customer, guest checkout, idempotency, validation, and
what an order changes on its customer (aggregates, stores, last activity, points)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from models.core.enums import CustomerType, Device, GuestCheckout

from clients import GraphQL
from factories import OrgFixture, create_organization
from order_writes import (
    NOW,
    RECORD,
    assert_exact,
    at,
    codes,
    customer_count,
    event_kinds,
    gid,
    order_input,
    pk,
    record,
    refused,
    set_organization,
)
from snapshots import organization_state


async def test_a_new_guest_order_writes_everything_it_should(gql, org: OrgFixture) -> None:
    payload = await record(gql, order_input(org, externalId="TPV-1"))
    assert payload["created"] is True
    order = payload["order"]
    assert order["number"].startswith("MAD-")
    assert order["externalId"] == "TPV-1"
    assert order["channel"] == "POS"
    assert order["status"] == "COMPLETED"
    assert order["total"] == {"amount": "24.45", "currency": "EUR"}
    assert order["store"] == {"code": "MAD"}
    assert order["fulfilment"] == {"type": "PICKUP", "promisedAt": None, "deliveredAt": None,
                                   "punctuality": None}
    assert order["items"] == [
        {"name": "Menú del día", "sku": "MENU", "quantity": 2, "unitPrice": {"amount": "11.50"},
         "total": {"amount": "23.00"}},
        {"name": "Café", "sku": None, "quantity": 1, "unitPrice": {"amount": "1.45"},
         "total": {"amount": "1.45"}}]
    customer = order["customer"]
    assert (customer["type"], customer["source"]) == ("GUEST", "POS")
    assert customer["email"] == "lucia@example.es"
    assert customer["phone"] == {"e164": "+34612001122"}
    assert (customer["firstName"], customer["lastName"]) == ("Lucía", "Pérez")
    assert customer["lastActivityAt"] == order["placedAt"]
    assert customer["stores"] == [{"code": "MAD"}]
    assert customer["orderSummary"] == {"totalOrders": 1, "totalSpent": {"amount": "24.45"},
                                        "lastOrderStatus": "COMPLETED",
                                        "lastOrderPunctuality": None}
    assert customer["loyalty"] == {"provider": "customerhub", "pointsBalance": 24,
                                   "pointsEarned": 24}
    assert await event_kinds(org) == ["customer.created", "loyalty.points_changed",
                                      "order.recorded"]
    await assert_exact(org, pk(customer["id"]))


async def test_order_numbers_are_unique_and_follow_the_store_or_channel(gql, org: OrgFixture
                                                                        ) -> None:
    first = (await record(gql, order_input(org)))["order"]["number"]
    second = (await record(gql, order_input(org)))["order"]["number"]
    web = (await record(gql, order_input(org, channel="WEB", storeId=None)))["order"]["number"]
    assert first != second
    assert first.startswith("MAD-")
    assert second.startswith("MAD-")
    assert web.startswith("WEB-")


@pytest.mark.parametrize("key", ["customerId", "externalId", "email", "phone"])
async def test_finds_the_customer_by_each_key(gql, org: OrgFixture, key: str) -> None:
    known = await org.customer(email="ana@example.es", phone_e164="+34699000111",
                               external_id="CRM-7")
    await org.customer(email="other@example.es")
    sent = {"customerId": {"customerId": gid("Customer", known), "customer": None},
            "externalId": {"customer": {"externalId": "CRM-7", "email": "new@example.es"}},
            "email": {"customer": {"email": "  ANA@Example.ES "}},
            "phone": {"customer": {"phone": "699 000 111"}}}[key]
    count = await customer_count(org)
    order = (await record(gql, order_input(org, **sent)))["order"]
    assert order["customer"]["id"] == gid("Customer", known)
    assert order["customer"]["type"] == "REGISTERED"
    assert order["customer"]["orderSummary"]["totalOrders"] == 1
    assert await customer_count(org) == count
    await assert_exact(org, known)


async def test_keys_are_tried_in_order(gql, org: OrgFixture) -> None:
    by_id = await org.customer(email="a@example.es")
    by_external = await org.customer(email="b@example.es", external_id="CRM-1")
    await org.customer(email="c@example.es")
    both = order_input(org, customerId=gid("Customer", by_id),
                       customer={"externalId": "CRM-1", "email": "c@example.es"})
    assert (await record(gql, both))["order"]["customer"]["id"] == gid("Customer", by_id)
    external_first = order_input(org, customer={"externalId": "CRM-1", "email": "c@example.es"})
    assert (await record(gql, external_first))["order"]["customer"]["id"] == gid(
        "Customer", by_external)


@pytest.mark.parametrize("channel", ["WEB", "MOBILE_APP", "POS", "PHONE", "DELIVERY_PLATFORM"])
async def test_a_new_guest_comes_from_the_order_channel(gql, org: OrgFixture, channel: str
                                                        ) -> None:
    customer = (await record(gql, order_input(org, channel=channel)))["order"]["customer"]
    assert (customer["type"], customer["source"]) == ("GUEST", channel)


async def test_a_second_order_of_a_guest_finds_the_same_guest(gql, org: OrgFixture) -> None:
    first = (await record(gql, order_input(org, placedAt=at(30))))["order"]
    second = (await record(gql, order_input(
        org, storeId=gid("Store", org.store_ids[1]), placedAt=at(1),
        customer={"phone": "+34 612 00 11 22"})))["order"]
    customer = second["customer"]
    assert customer["id"] == first["customer"]["id"]
    assert customer["orderSummary"]["totalOrders"] == 2
    assert customer["orderSummary"]["totalSpent"] == {"amount": "48.90"}
    assert sorted(s["code"] for s in customer["stores"]) == ["BCN", "MAD"]
    assert customer["loyalty"]["pointsBalance"] == 48
    assert customer["lastActivityAt"] == second["placedAt"]
    assert await customer_count(org) == 1


async def test_an_older_order_keeps_the_latest_activity(gql, org: OrgFixture) -> None:
    recent = (await record(gql, order_input(org, placedAt=at(1))))["order"]
    older = (await record(gql, order_input(org, placedAt=at(100))))["order"]
    assert older["customer"]["lastActivityAt"] == recent["placedAt"]


async def test_the_same_external_id_records_once(gql, org: OrgFixture) -> None:
    first = await record(gql, order_input(org, externalId="GLOVO-42"))
    before = await organization_state(org.db, org.id)
    again = await record(gql, order_input(org, externalId=" GLOVO-42 ", items=[
        {"name": "Something else", "quantity": 9, "unitPrice": "99"}]))
    assert again["created"] is False
    assert again["order"]["id"] == first["order"]["id"]
    assert again["order"]["total"] == first["order"]["total"]
    assert await organization_state(org.db, org.id) == before


async def test_external_ids_belong_to_one_organization(gql, org: OrgFixture, db, client
                                                       ) -> None:

    other = await create_organization(db)
    mine = await record(gql, order_input(org, externalId="SHARED-1"))
    theirs = (await GraphQL(client, other.api_key).data(RECORD, {"input": order_input(
        other, externalId="SHARED-1")}))["recordOrder"]
    assert theirs["created"] is True
    assert theirs["order"]["id"] != mine["order"]["id"]


async def test_points_follow_the_rate_and_only_completed_orders(gql, org: OrgFixture) -> None:
    await set_organization(org, loyalty_earn_rate=Decimal("1.5"))
    completed = (await record(gql, order_input(org, items=[
        {"name": "Pizza", "quantity": 1, "unitPrice": "10.99"}])))["order"]
    assert completed["customer"]["loyalty"]["pointsBalance"] == 16  # floor(16.485)
    pending = (await record(gql, order_input(org, status="PENDING", customer={
        "email": "p@example.es"})))["order"]
    assert pending["customer"]["loyalty"] is None
    assert pending["customer"]["orderSummary"]["totalOrders"] == 1
    assert pending["customer"]["orderSummary"]["lastOrderStatus"] == "PENDING"
    cancelled = (await record(gql, order_input(org, status="CANCELLED", customer={
        "email": "x@example.es"})))["order"]
    assert cancelled["customer"]["orderSummary"]["totalOrders"] == 0
    assert cancelled["customer"]["loyalty"] is None
    await set_organization(org, loyalty_earn_rate=Decimal(0))
    free = (await record(gql, order_input(org, customer={"email": "z@example.es"})))["order"]
    assert free["customer"]["loyalty"] is None


async def test_currency_precision_and_rounding(db, client) -> None:

    yen = await create_organization(db, currency="JPY")
    order = (await GraphQL(client, yen.api_key).data(RECORD, {"input": order_input(yen, items=[
        {"name": "Ramen", "quantity": 3, "unitPrice": "980.4"}])}))["recordOrder"]["order"]
    assert order["total"] == {"amount": "2940", "currency": "JPY"}
    assert order["customer"]["loyalty"]["pointsBalance"] == 2940


async def test_delivery_punctuality_on_record(gql, org: OrgFixture) -> None:
    late = (await record(gql, order_input(org, channel="DELIVERY_PLATFORM", placedAt=at(3),
                                          fulfilment={"type": "DELIVERY",
                                                      "promisedAt": at(2),
                                                      "deliveredAt": at(1.5)})))["order"]
    assert late["fulfilment"]["punctuality"] == "DELAYED"
    assert late["customer"]["orderSummary"]["lastOrderPunctuality"] == "DELAYED"
    on_time = (await record(gql, order_input(org, placedAt=at(1), fulfilment={
        "type": "DELIVERY", "promisedAt": at(0.5), "deliveredAt": at(0.75)})))["order"]
    assert on_time["fulfilment"]["punctuality"] == "ON_TIME"
    pickup = (await record(gql, order_input(org, fulfilment={
        "type": "PICKUP", "promisedAt": at(2), "deliveredAt": at(1)})))["order"]
    assert pickup["fulfilment"]["punctuality"] is None


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"items": []}, "items", "REQUIRED"),
    ({"items": [{"name": "  ", "quantity": 1, "unitPrice": "1"}]}, "items.0.name", "REQUIRED"),
    ({"items": [{"name": "x" * 201, "quantity": 1, "unitPrice": "1"}]}, "items.0.name",
     "INVALID"),
    ({"items": [{"name": "A", "quantity": 0, "unitPrice": "1"}]}, "items.0.quantity",
     "INVALID"),
    ({"items": [{"name": "A", "quantity": -2, "unitPrice": "1"}]}, "items.0.quantity",
     "INVALID"),
    ({"items": [{"name": "A", "quantity": 1, "unitPrice": "-0.01"}]}, "items.0.unitPrice",
     "INVALID"),
    ({"items": [{"name": "A", "quantity": 1, "unitPrice": "NaN"}]}, "items.0.unitPrice",
     "INVALID"),
    ({"items": [{"name": "A", "quantity": 1, "unitPrice": "1", "sku": "S" * 65}]},
     "items.0.sku", "INVALID"),
    ({"storeId": gid("Store", 10**9)}, "storeId", "NOT_FOUND"),
    ({"storeId": "not-an-id"}, "storeId", "INVALID"),
    ({"customerId": gid("Customer", 10**9)}, "customerId", "NOT_FOUND"),
    ({"customerId": gid("Order", 1)}, "customerId", "INVALID"),
    ({"customer": {"email": "not-an-email"}}, "customer.email", "INVALID"),
    ({"customer": {"phone": "12"}}, "customer.phone", "INVALID"),
    ({"customer": {"email": "a@example.es", "firstName": "x" * 101}}, "customer.firstName",
     "INVALID"),
    ({"customer": {"externalId": "x" * 101}}, "customer.externalId", "INVALID"),
    ({"customer": {"firstName": "Only a name"}}, "customer", "REQUIRED"),
    ({"customer": None}, "customer", "REQUIRED"),
    ({"placedAt": (NOW + timedelta(days=3)).isoformat()}, "placedAt", "INVALID"),
    ({"placedAt": "2026-01-01T12:00:00"}, "placedAt", "INVALID"),
    ({"externalId": "x" * 101}, "externalId", "INVALID"),
    ({"fulfilment": {"type": "DELIVERY", "deliveredAt": at(5)}}, "fulfilment.deliveredAt",
     "INVALID"),
    ({"fulfilment": {"type": "DELIVERY", "promisedAt": "2026-01-01T12:00:00"}},
     "fulfilment.promisedAt", "INVALID"),
])
async def test_bad_input_is_refused_and_changes_nothing(gql, org: OrgFixture,
                                                        overrides: dict[str, Any], field: str,
                                                        code: str) -> None:
    errors = await refused(gql, org, RECORD, order_input(org, **overrides), "recordOrder")
    assert (field, code) in codes(errors), errors


async def test_every_problem_is_reported_at_once(gql, org: OrgFixture) -> None:
    errors = await refused(gql, org, RECORD, order_input(org, customer={"email": "bad"}, items=[
        {"name": "A", "quantity": 0, "unitPrice": "-1"}], storeId=gid("Store", 10**9)),
        "recordOrder")
    assert set(codes(errors)) >= {("customer.email", "INVALID"), ("items.0.quantity", "INVALID"),
                                  ("items.0.unitPrice", "INVALID"), ("storeId", "NOT_FOUND")}


async def test_a_store_of_another_organization_is_not_found(gql, org: OrgFixture, db) -> None:
    other = await create_organization(db)
    errors = await refused(gql, org, RECORD, order_input(
        org, storeId=gid("Store", other.store_ids[0])), "recordOrder")
    assert codes(errors) == [("storeId", "NOT_FOUND")]
    their_customer = await other.customer()
    errors = await refused(gql, org, RECORD, order_input(
        org, customerId=gid("Customer", their_customer)), "recordOrder")
    assert codes(errors) == [("customerId", "NOT_FOUND")]


async def test_an_erased_customer_takes_no_orders(gql, org: OrgFixture) -> None:
    erased = await org.customer(erased_at=NOW, email=None)
    errors = await refused(gql, org, RECORD, order_input(
        org, customerId=gid("Customer", erased)), "recordOrder")
    assert codes(errors) == [("customerId", "INVALID")]


SETTINGS = list(GuestCheckout)


@pytest.mark.parametrize("device", list(Device))
@pytest.mark.parametrize("setting", SETTINGS)
async def test_guest_checkout_setting_per_device(gql, org: OrgFixture, device: Device,
                                                 setting: GuestCheckout) -> None:
    column = "guest_checkout_web" if device is Device.WEB else "guest_checkout_mobile_app"
    await set_organization(org, **{column: setting})
    other = "guest_checkout_mobile_app" if device is Device.WEB else "guest_checkout_web"
    await set_organization(org, **{other: GuestCheckout.ENABLED})
    guest_order = order_input(org, channel="PHONE", device=device.value)
    if setting is GuestCheckout.ENABLED:
        payload = await record(gql, guest_order)
        assert payload["order"]["customer"]["type"] == "GUEST"
    else:
        errors = await refused(gql, org, RECORD, guest_order, "recordOrder")
        assert codes(errors) == [("customer", "GUEST_CHECKOUT_DISABLED")]
        assert setting.value in errors[0]["message"]
    # The other device keeps its own setting.
    other_device = Device.MOBILE_APP if device is Device.WEB else Device.WEB
    payload = await record(gql, order_input(org, device=other_device.value,
                                            customer={"email": "o@example.es"}))
    assert payload["created"] is True


async def test_guest_checkout_applies_to_guests_only(gql, org: OrgFixture) -> None:
    await set_organization(org, guest_checkout_web=GuestCheckout.DISABLED_CART_AVAILABLE)
    registered = await org.customer(email="reg@example.es")
    guest = await org.customer(email="guest@example.es", type=CustomerType.GUEST,
                               registered_at=None)
    ok = await record(gql, order_input(org, channel="WEB", storeId=None,
                                       customer={"email": "reg@example.es"}))
    assert ok["order"]["customer"]["id"] == gid("Customer", registered)
    # The device follows the channel when it is not sent: WEB here.
    errors = await refused(gql, org, RECORD, order_input(
        org, channel="WEB", customer={"email": "guest@example.es"}), "recordOrder")
    assert codes(errors) == [("customer", "GUEST_CHECKOUT_DISABLED")]
    errors = await refused(gql, org, RECORD, order_input(
        org, channel="WEB", customerId=gid("Customer", guest)), "recordOrder")
    assert codes(errors) == [("customer", "GUEST_CHECKOUT_DISABLED")]
    # Staff at a till or on the phone take guests' orders whatever the storefronts allow.
    for channel in ("POS", "PHONE", "DELIVERY_PLATFORM"):
        assert (await record(gql, order_input(org, channel=channel)))["created"] is True


async def test_an_idempotent_retry_is_answered_even_once_guests_are_refused(
        gql, org: OrgFixture) -> None:
    first = await record(gql, order_input(org, channel="WEB", externalId="W-1"))
    await set_organization(org, guest_checkout_web=GuestCheckout.DISABLED_CART_UNAVAILABLE)
    again = await record(gql, order_input(org, channel="WEB", externalId="W-1"))
    assert (again["created"], again["order"]["id"]) == (False, first["order"]["id"])
