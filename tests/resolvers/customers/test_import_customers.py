"""`importCustomers` over HTTP: a GraphQL multipart request, as a browser or integrator sends
it (https://github.com/jaydenseric/graphql-multipart-request-spec)."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import select

from models.core.enums import CustomerSource
from models.customers.table import Customer
from server.download_links import sign

from environment import TEST_SECRET_KEY
from factories import OrgFixture, create_organization
from snapshots import organization_state

IMPORT = """mutation($input: ImportCustomersInput!) { importCustomers(input: $input) {
  report { format fileKind dryRun rows created updated unchanged failed unknownColumns
           ignoredColumns unknownStores failures { row column code message } }
  reportUrl userErrors { field code message } } }"""
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
    assert response.json()["data"]["importCustomers"]["reportUrl"] is None
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


def report_rows(response: httpx.Response) -> list[tuple[str, ...]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets show accents
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "outcome", "customer_id", "column", "code", "message"]
    return [(r[0], r[1], r[3], r[4]) for r in rows[1:]]


async def test_the_report_downloads_as_csv_from_a_signed_link(
        client: httpx.AsyncClient, org: OrgFixture) -> None:
    content = ("Nombre,Correo,Teléfono,Tienda\n"
               "Ana,ana@example.es,612000001,Madrid\n"
               "Sin,,,Sevilla\n"
               "Ana,ana@example.es,,\n").encode()
    payload = (await upload(client, org.api_key, content, "clientes.csv")).json()[
        "data"]["importCustomers"]
    assert payload["report"]["unknownStores"] == ["Sevilla"]
    url = payload["reportUrl"]
    assert url is not None
    response = await client.get(urlparse(url).path)  # no Authorization header, as a browser
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "import-report-" in response.headers["content-disposition"]
    assert report_rows(response) == [
        ("2", "CREATED", "", ""), ("3", "FAILED", "Correo", "REQUIRED"),
        ("3", "FAILED", "Teléfono", "REQUIRED"), ("4", "UNCHANGED", "", "")]
    async with org.db.admin_session() as session:
        ana = await session.scalar(select(Customer.id).where(
            Customer.organization_id == org.id, Customer.email == "ana@example.es"))
    ids = [r[2] for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))][1:]
    assert ids == [str(ana), "", "", str(ana)]

    # A dry run writes nothing, its report file neither.
    dry = (await upload(client, org.api_key, content, "clientes.csv", dryRun=True)).json()[
        "data"]["importCustomers"]
    assert (dry["report"]["unchanged"], dry["reportUrl"]) == (2, None)


async def test_the_report_link_refuses_altered_expired_and_other_organizations_tokens(
        client: httpx.AsyncClient, org: OrgFixture) -> None:
    payload = (await upload(client, org.api_key, CSV, "customers.csv")).json()[
        "data"]["importCustomers"]
    token = urlparse(payload["reportUrl"]).path.rsplit("/", 1)[1]
    assert (await client.get(f"/exports/{token}")).status_code == 200

    job_id, organization_id, expiry, mac = token.split(".")
    other = await create_organization(org.db)
    flipped = ("B" if mac[0] == "A" else "A") + mac[1:]
    for bad in (f"{job_id}.{other.id}.{expiry}.{mac}",
                f"{job_id}.{organization_id}.{int(expiry) + 3600}.{mac}",
                f"{job_id}.{organization_id}.{expiry}.{flipped}"):
        assert (await client.get(f"/exports/{bad}")).status_code == 403
    secret = TEST_SECRET_KEY.encode()
    past = datetime.now(UTC) - timedelta(seconds=1)
    assert (await client.get(f"/exports/{sign(secret, int(job_id), org.id, past)}")
            ).status_code == 410
    # A genuine token naming another organization never reaches this report.
    future = datetime.now(UTC) + timedelta(hours=1)
    assert (await client.get(f"/exports/{sign(secret, int(job_id), other.id, future)}")
            ).status_code == 404
