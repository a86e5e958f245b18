"""CORS: the admin app's configured origins may call `/graphql` from a browser; others may not."""

from collections.abc import AsyncIterator

import httpx
import pytest

from server.app import create_app
from server.settings import Settings

ADMIN = "https://admin.example.com"


@pytest.fixture
async def cors_client(db) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url="unused://",
                        cors_origins=(ADMIN, "http://localhost:5173"))
    transport = httpx.ASGITransport(app=create_app(settings, db=db))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def preflight(origin: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"}


async def test_preflight_from_an_admin_origin_is_allowed(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=preflight(ADMIN))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed
    assert {"GET", "POST", "OPTIONS"} <= set(
        response.headers["Access-Control-Allow-Methods"].replace(" ", "").split(","))
    assert response.headers["X-Request-ID"]


async def test_preflight_from_another_origin_is_refused(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=preflight("https://evil.example"))
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_responses_to_an_admin_origin_expose_the_request_id(
        cors_client: httpx.AsyncClient, org) -> None:
    response = await cors_client.post(
        "/graphql", json={"query": "{ stores { id } }"},
        headers={"Origin": ADMIN, "Authorization": f"Bearer {org.api_key}"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN
    exposed = response.headers["Access-Control-Expose-Headers"].lower()
    assert "x-request-id" in exposed
    assert "retry-after" in exposed


async def test_no_cors_headers_without_configured_origins(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight(ADMIN))
    assert "Access-Control-Allow-Origin" not in response.headers
