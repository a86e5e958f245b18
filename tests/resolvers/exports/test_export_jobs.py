"""Export jobs over HTTP: start, poll, download; what the link answers; what bad input gets."""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
import openpyxl
import pytest

from models.core.enums import CustomerSource
from server.download_links import sign

from clients import GraphQL
from environment import TEST_SECRET_KEY
from factories import OrgFixture, create_organization
from snapshots import organization_state

EXPORT = """mutation($input: ExportCustomersInput!) { exportCustomers(input: $input) {
  job { id status progress rowCount format url expiresAt error createdAt }
  userErrors { field code message } } }"""
HISTORY = """mutation($input: ExportCustomerHistoryInput!) { exportCustomerHistory(input: $input) {
  job { id status format url } userErrors { field code message } } }"""
POLL = """query($id: ID!) { exportJob(id: $id) {
  id status progress rowCount format url expiresAt error } }"""
LIST = """query($filter: CustomerFilter, $sort: [CustomerSort!]) {
  customers(filter: $filter, sort: $sort, first: 250) { nodes { id email } } }"""


async def finished(app: Any, gql: GraphQL, job_id: str) -> dict[str, Any]:
    await app.state.exports.idle()
    job: dict[str, Any] = (await gql.data(POLL, {"id": job_id}))["exportJob"]
    return job


async def download(client: httpx.AsyncClient, url: str) -> httpx.Response:
    path = urlparse(url).path
    return await client.get(path)  # no Authorization header, as a browser


async def test_job_lifecycle_csv_over_http(app: Any, client: httpx.AsyncClient, gql: GraphQL,
                                           org: OrgFixture) -> None:
    for n in range(3):
        customer = await org.customer(first_name=f"Núria{n}", email=f"n{n}@example.com",
                                      main_store_id=org.store_ids[0])
        await org.order(customer, store_id=org.store_ids[1], total=1250)
    payload = (await gql.data(EXPORT, {"input": {
        "columns": ["EMAIL", "FIRST_NAME", "MAIN_STORE", "STORES", "TOTAL_SPENT",
                    "MARKETING_CONSENT"], "locale": "ES", "sort": [{"field": "EMAIL"}]}}))[
        "exportCustomers"]
    assert payload["userErrors"] == []
    job = payload["job"]
    assert job["status"] == "PENDING"
    assert job["url"] is None
    assert job["format"] == "CSV"

    done = await finished(app, gql, job["id"])
    assert done["status"] == "SUCCEEDED", done
    assert done["rowCount"] == 3
    assert done["progress"] == 100
    expires = datetime.fromisoformat(done["expiresAt"])
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
    assert done["url"].startswith("http://testserver/exports/")

    response = await download(client, done["url"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    today = datetime.now(UTC).date().isoformat()
    assert f'filename="customers-{today}.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content[3:].decode(), newline="")))
    assert rows[0] == ["Correo electrónico", "Nombre", "Tienda principal", "Tiendas",
                       "Gasto total", "Comunicaciones comerciales"]
    assert rows[1:] == [[f"n{n}@example.com", f"Núria{n}", "Madrid", "Barcelona", "12.50",
                         "FALSE"] for n in range(3)]


async def test_xlsx_job_over_http(app: Any, client: httpx.AsyncClient, gql: GraphQL,
                                  org: OrgFixture, tmp_path: Any) -> None:
    customer = await org.customer(first_name="Zoë")
    await org.order(customer, total=999, points=40)
    job = (await gql.data(EXPORT, {"input": {"format": "XLSX"}}))["exportCustomers"]["job"]
    done = await finished(app, gql, job["id"])
    assert done["status"] == "SUCCEEDED", done
    response = await download(client, done["url"])
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    (tmp_path / "f.xlsx").write_bytes(response.content)
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx")["Customers"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Customer ID"
    assert "Average spend" in header
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["First name"] == "Zoë"
    assert row["Points"] == 40
    assert row["Total spent"] == 9.99
    assert row["Orders"] == 1


async def test_the_export_equals_the_list_for_the_same_filter_and_sort(
        app: Any, gql: GraphQL, client: httpx.AsyncClient, org: OrgFixture) -> None:
    for n in range(12):
        customer = await org.customer(
            email=f"m{n:02}@example.com",
            source=CustomerSource.POS if n % 3 else CustomerSource.WEB)
        for _ in range(n % 4):
            await org.order(customer, total=100 * (n + 1))
    filter_ = {"sources": ["POS"], "orderCount": {"min": 1}}
    sort = [{"field": "TOTAL_SPENT", "direction": "DESC"}, {"field": "EMAIL"}]
    listed = (await gql.data(LIST, {"filter": filter_, "sort": sort}))["customers"]["nodes"]
    assert 0 < len(listed) < 12
    job = (await gql.data(EXPORT, {"input": {"filter": filter_, "sort": sort,
                                             "columns": ["EMAIL"]}}))["exportCustomers"]["job"]
    done = await finished(app, gql, job["id"])
    rows = list(csv.reader(io.StringIO(
        (await download(client, done["url"])).content[3:].decode(), newline="")))
    assert [r[0] for r in rows[1:]] == [c["email"] for c in listed]
    assert done["rowCount"] == len(listed)


async def test_bad_input_is_a_user_error_and_creates_no_job(gql: GraphQL, org: OrgFixture
                                                            ) -> None:
    before = await organization_state(org.db, org.id)
    empty = (await gql.data(EXPORT, {"input": {"columns": []}}))["exportCustomers"]
    assert empty["job"] is None
    assert empty["userErrors"][0]["field"] == ["input", "columns"]
    bad_filter = (await gql.data(EXPORT, {"input": {"filter": {"ids": ["nope"]}}}))[
        "exportCustomers"]
    assert bad_filter["job"] is None
    assert bad_filter["userErrors"][0]["field"] == ["input", "filter"]
    unknown = (await gql.data(HISTORY, {"input": {"customerId": "Q3VzdG9tZXI6OTk5OTk5OQ=="}}))[
        "exportCustomerHistory"]
    assert unknown["job"] is None
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"
    assert await organization_state(org.db, org.id) == before


async def test_the_link_refuses_altered_expired_and_other_organizations_tokens(
        app: Any, client: httpx.AsyncClient, gql: GraphQL, org: OrgFixture) -> None:
    await org.customer()
    job = (await gql.data(EXPORT, {"input": {}}))["exportCustomers"]["job"]
    done = await finished(app, gql, job["id"])
    token = urlparse(done["url"]).path.rsplit("/", 1)[1]
    assert (await client.get(f"/exports/{token}")).status_code == 200

    job_id, organization_id, expiry, mac = token.split(".")
    other = await create_organization(org.db)
    flipped = ("B" if mac[0] == "A" else "A") + mac[1:]  # a changed signature, never the same
    altered = {
        "organization": f"{job_id}.{other.id}.{expiry}.{mac}",
        "expiry": f"{job_id}.{organization_id}.{int(expiry) + 3600}.{mac}",
        "signature": f"{job_id}.{organization_id}.{expiry}.{flipped}",
        "garbage": "not-a-token",
    }
    for name, bad in altered.items():
        response = await client.get(f"/exports/{bad}")
        assert response.status_code == 403, name

    secret = TEST_SECRET_KEY.encode()
    past = datetime.now(UTC) - timedelta(seconds=1)
    expired = await client.get(f"/exports/{sign(secret, int(job_id), org.id, past)}")
    assert expired.status_code == 410
    assert "expired" in expired.json()["error"]

    # A genuine token naming another organization never reaches this job.
    future = datetime.now(UTC) + timedelta(hours=1)
    foreign = await client.get(f"/exports/{sign(secret, int(job_id), other.id, future)}")
    assert foreign.status_code == 404
    # And the other organization's callers cannot poll it either.
    other_gql = GraphQL(client, other.api_key)
    assert (await other_gql.data(POLL, {"id": job["id"]}))["exportJob"] is None


@pytest.mark.parametrize("locale", ["EN", "ES"])
async def test_customer_history_csv(app: Any, client: httpx.AsyncClient, gql: GraphQL,
                                    org: OrgFixture, locale: str) -> None:
    customer = await org.customer()
    await org.order(customer, store_id=org.store_ids[2], total=2000, items=2, points=20)
    from resolvers.node import to_global_id

    job = (await gql.data(HISTORY, {"input": {"customerId": to_global_id("Customer", customer),
                                              "locale": locale}}))["exportCustomerHistory"]["job"]
    done = await finished(app, gql, job["id"])
    assert done["status"] == "SUCCEEDED", done
    response = await download(client, done["url"])
    assert f"customer-{customer}-history-" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content[3:].decode(), newline="")))
    titles = ["Orders", "Consent", "Loyalty"] if locale == "EN" else [
        "Pedidos", "Consentimiento", "Fidelización"]
    assert [r[0] for r in rows if len(r) == 1] == titles
    orders = rows[2:4]
    assert [r[7] for r in orders] == ["Item 0", "Item 1"]  # one row per item
    assert {r[2] for r in orders} == {"Valencia"}
    assert {r[6] for r in orders} == {"20.00"}
    assert rows[-1][1:3] == ["EARN", "20"]


async def test_the_address_columns_hold_the_main_address(
        app: Any, gql: GraphQL, client: httpx.AsyncClient, org: OrgFixture) -> None:
    await org.customer(email="two@example.com", addresses=2)  # Calle 1 is the main one
    await org.customer(email="none@example.com")
    job = (await gql.data(EXPORT, {"input": {
        "columns": ["EMAIL", "ADDRESS_LINE1", "ADDRESS_LINE2", "CITY", "POSTAL_CODE", "REGION",
                    "COUNTRY"], "sort": [{"field": "EMAIL"}]}}))["exportCustomers"]["job"]
    done = await finished(app, gql, job["id"])
    assert done["rowCount"] == 2  # a second address is not a second row
    rows = list(csv.reader(io.StringIO(
        (await download(client, done["url"])).content[3:].decode(), newline="")))
    assert rows == [
        ["Email", "Address line 1", "Address line 2", "City", "Postal code", "Region",
         "Country"],
        ["none@example.com", "", "", "", "", "", ""],
        ["two@example.com", "Calle 1", "", "Madrid", "", "", "ES"],
    ]
