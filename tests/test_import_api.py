"""`importCustomers` over HTTP: a GraphQL multipart request, as a browser or integrator sends
it (https://github.com/jaydenseric/graphql-multipart-request-spec)."""

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from models.customers import Customer
from models.enums import CustomerSource

from factories import OrgFixture
from snapshots import organization_state

IMPORT = """mutation($input: ImportCustomersInput!) { importCustomers(input: $input) {
  report { format fileKind dryRun rows created updated unchanged failed unknownColumns
           ignoredColumns failures { row column code message } }
  userErrors { field code message } } }"""
CSV = ("First name,Last name,Email,Phone,Address,City,Total spent,Loyalty tier\n"
       "Ana,García,ana@example.es,612000001,Gran Vía 1,Madrid,99.00,gold\n"
       "Bad,Row,bad@,612000002,Gran Vía 2,Madrid,,\n").encode()


async def upload(client: httpx.AsyncClient, key: str, content: bytes, filename: str,
                 **options: Any) -> httpx.Response:
    operations = {"query": IMPORT, "variables": {"input": {"file": None, **options}}}
    return await client.post(
        "/graphql", headers={"Authorization": f"Bearer {key}"},
        data={"operations": json.dumps(operations),
              "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": (filename, content, "text/csv")})


async def test_a_multipart_upload_imports_and_reports(client: httpx.AsyncClient,
                                                      org: OrgFixture) -> None:
    response = await upload(client, org.api_key, CSV, "customers.csv")
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["importCustomers"]
    assert payload["userErrors"] == []
    report = payload["report"]
    assert (report["format"], report["fileKind"], report["rows"], report["created"],
            report["failed"]) == ("GENERIC", "CSV", 2, 1, 1)
    assert report["unknownColumns"] == ["Loyalty tier"]
    assert report["ignoredColumns"] == ["Total spent"]
    assert [(f["row"], f["column"], f["code"]) for f in report["failures"]] == [
        (3, "Email", "INVALID")]
    async with org.db.admin_session() as session:
        ana = await session.scalar(select(Customer).where(
            Customer.organization_id == org.id, Customer.email == "ana@example.es"))
    assert ana is not None
    assert (ana.source, ana.total_spent) == (CustomerSource.IMPORT, 0)


async def test_a_dry_run_upload_changes_nothing(client: httpx.AsyncClient,
                                                org: OrgFixture) -> None:
    before = await organization_state(org.db, org.id)
    response = await upload(client, org.api_key, CSV, "customers.csv", dryRun=True)
    report = response.json()["data"]["importCustomers"]["report"]
    assert (report["dryRun"], report["created"]) == (True, 1)
    assert await organization_state(org.db, org.id) == before


async def test_a_file_that_is_not_a_customer_file_is_a_user_error(
        client: httpx.AsyncClient, org: OrgFixture, tmp_path: Path) -> None:
    response = await upload(client, org.api_key, b"colour,size\nred,XL\n", "stock.csv")
    payload = response.json()["data"]["importCustomers"]
    assert payload["report"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "file"], "INVALID")]


async def test_an_upload_without_credentials_is_refused(client: httpx.AsyncClient,
                                                        org: OrgFixture) -> None:
    operations = {"query": IMPORT, "variables": {"input": {"file": None}}}
    response = await client.post(
        "/graphql", data={"operations": json.dumps(operations),
                          "map": json.dumps({"0": ["variables.input.file"]})},
        files={"0": ("customers.csv", CSV, "text/csv")})
    assert response.status_code == 401
