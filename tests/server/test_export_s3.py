"""Exports to an S3-compatible bucket: moto's S3 server on 127.0.0.1, a presigned link with the
job's expiry, and the sweep deleting the object."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import httpx
import pytest

from server.app import create_app
from server.db import Database
from server.settings import Settings

from clients import GraphQL
from environment import TEST_SECRET_KEY
from factories import OrgFixture
from services import free_port

BUCKET = "customerhub-exports"
EXPORT = """mutation($input: ExportCustomersInput!) { exportCustomers(input: $input) {
  job { id status } userErrors { field code message } } }"""
POLL = """query($id: ID!) { exportJob(id: $id) { status url expiresAt error } }"""


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                            ("AWS_DEFAULT_REGION", "us-east-1")):
            patch.setenv(name, value)
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            endpoint = f"http://127.0.0.1:{port}"
            boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
            yield endpoint
        finally:
            server.stop()


def objects(endpoint: str) -> list[str]:
    listing = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listing.get("Contents", [])]


async def test_an_export_to_s3_gets_a_presigned_link(s3_endpoint: str, db: Database,
                                                     database_url: str, org: OrgFixture) -> None:
    await org.customer(first_name="Íñigo", email="inigo@example.com")
    app = create_app(Settings(database_url=database_url, count_cache_seconds=0,
                              export_storage=f"s3://{BUCKET}/files",
                              s3_endpoint_url=s3_endpoint, secret_key=TEST_SECRET_KEY), db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gql = GraphQL(client, org.api_key)
        job = (await gql.data(EXPORT, {"input": {"columns": ["FIRST_NAME", "EMAIL"]}}))[
            "exportCustomers"]["job"]
        await app.state.exports.idle()
        done = (await gql.data(POLL, {"id": job["id"]}))["exportJob"]
    assert done["status"] == "SUCCEEDED", done
    url = urlparse(done["url"])
    assert f"{url.scheme}://{url.netloc}" == s3_endpoint
    assert url.path.startswith(f"/{BUCKET}/files/{org.id}/")
    query = parse_qs(url.query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    expires = signed_at + timedelta(seconds=int(query["X-Amz-Expires"][0]))
    assert abs((expires - datetime.fromisoformat(done["expiresAt"])).total_seconds()) < 5

    async with httpx.AsyncClient() as browser:  # 127.0.0.1 only: moto's server
        response = await browser.get(done["url"])
    assert response.status_code == 200
    assert "customers-" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows == [["First name", "Email"], ["Íñigo", "inigo@example.com"]]
    assert len(objects(s3_endpoint)) == 1

    # Past its expiry the object is deleted and the job has no link.
    exports: Any = app.state.exports
    assert await exports.sweep(now=datetime.fromisoformat(done["expiresAt"])) >= 1
    assert objects(s3_endpoint) == []
