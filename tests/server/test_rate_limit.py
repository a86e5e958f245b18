"""Rate limits per caller: HTTP 429 with `Retry-After` past the budget; in memory each process
counts alone, in Redis all share one budget; a Redis that fails never fails the request."""

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest

from models.core.actors import Actor
from models.core.enums import ActorKind, StaffRole
from server.app import create_app
from server.db import Database
from server.rate_limit import MemoryCounters, Rate, RateLimiter, RedisCounters, bucket_of
from server.settings import Settings

from clients import StaffUsers
from factories import OrgFixture, create_organization
from services import free_port

QUERY = {"query": "{ stores { id } }"}


@asynccontextmanager
async def app_client(db: Database, client_ip: str = "127.0.0.1", **settings: Any
                     ) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own (its own counters), from `client_ip`."""
    app = create_app(Settings(database_url="unused://", **settings), db=db)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
    finally:
        await app.state.rate_limiter.close()


async def post(client: httpx.AsyncClient, api_key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return await client.post("/graphql", json=QUERY, headers=headers)


def assert_rate_limited(response: httpx.Response, limit: int, period: int) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= period
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "limit": limit,
                                   "periodSeconds": period, "retryAfter": retry_after}
    assert f"retry after {retry_after} s" in error["message"]


async def test_each_api_key_has_its_own_budget(db, org: OrgFixture) -> None:
    other = await create_organization(db)
    async with app_client(db, rate_limit="3/hour") as client:
        for _ in range(3):
            assert (await post(client, org.api_key)).status_code == 200
        assert_rate_limited(await post(client, org.api_key), 3, 3600)
        assert (await post(client, other.api_key)).status_code == 200


async def test_anonymous_callers_and_bad_credentials_share_a_budget_per_client_address(
        db, org: OrgFixture) -> None:
    async with app_client(db, client_ip="10.9.0.1", anonymous_rate_limit="2/hour") as client:
        # Anonymous requests (which may only sign in) spend the address's budget, and so do
        # credentials that fail.
        assert (await post(client)).status_code != 429
        assert (await post(client, "chk_not-a-real-key")).status_code == 401
        assert_rate_limited(await post(client), 2, 3600)
        # A valid key from the same address has a budget of its own.
        assert (await post(client, org.api_key)).status_code == 200
    async with app_client(db, client_ip="10.9.0.2", anonymous_rate_limit="2/hour") as client:
        assert (await post(client)).status_code != 429


async def test_a_staff_user_has_one_budget_across_sign_ins(db, org: OrgFixture) -> None:
    async with app_client(db, rate_limit="3/hour") as client:
        users = StaffUsers(client, org)
        email, password = await users.create(StaffRole.MANAGER, stores=org.store_ids[:1])
        laptop = await users.sign_in(email, password)  # signing in spends the address's budget
        phone = await users.sign_in(email, password)
        assert (await post(client, laptop.access_token)).status_code == 200
        assert (await post(client, phone.access_token)).status_code == 200
        assert (await post(client, laptop.access_token)).status_code == 200
        assert_rate_limited(await post(client, phone.access_token), 3, 3600)
        # The organization's key is another caller.
        assert (await post(client, org.api_key)).status_code == 200


def test_buckets_per_kind_of_caller() -> None:
    def actor(kind: ActorKind, **fields: Any) -> Actor:
        return Actor(organization_id=7, kind=kind, **fields)

    assert bucket_of(actor(ActorKind.API_KEY, id="12"), "1.2.3.4") == "key:12"
    assert bucket_of(actor(ActorKind.STAFF_USER, id="5", role=StaffRole.VIEWER),
                     "1.2.3.4") == "staff:7:5"
    assert bucket_of(actor(ActorKind.CUSTOMER, id="t", customer_id=99),
                     "1.2.3.4") == "customer:7:99"
    assert bucket_of(actor(ActorKind.ANONYMOUS), "1.2.3.4") == "ip:1.2.3.4"
    assert bucket_of(None, "1.2.3.4") == "ip:1.2.3.4"
    assert bucket_of(actor(ActorKind.SYSTEM), "1.2.3.4") is None


@pytest.mark.parametrize(("text", "rate"), [
    ("600/minute", Rate(600, 60)), ("10/second", Rate(10, 1)), ("5 / hour", Rate(5, 3600)),
    ("1000/day", Rate(1000, 86400)), ("100/10minutes", Rate(100, 600)),
])
def test_rates_read_from_settings(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate
    assert Rate.parse(str(rate)) == rate


@pytest.mark.parametrize("text", ["600", "600/fortnight", "0/minute", "-1/minute", ""])
def test_a_rate_that_is_not_one_is_refused_at_start_up(text: str) -> None:
    with pytest.raises(ValueError, match="600/minute"):
        Rate.parse(text)


async def test_hit_counts_any_bucket_for_other_throttles() -> None:
    # What sign-in uses to slow password guessing per organization and email.
    limiter = RateLimiter(MemoryCounters())
    assert await limiter.hit("sign-in:7:ana@example.es", 2, 900) is None
    assert await limiter.hit("sign-in:7:ana@example.es", 2, 900) is None
    retry_after = await limiter.hit("sign-in:7:ana@example.es", 2, 900)
    assert retry_after is not None
    assert 1 <= retry_after <= 900
    assert await limiter.hit("sign-in:7:bea@example.es", 2, 900) is None


async def test_in_memory_each_process_counts_alone(db, org: OrgFixture) -> None:
    async with app_client(db, rate_limit="3/hour") as one, \
            app_client(db, rate_limit="3/hour") as two:
        statuses = [(await post(client, org.api_key)).status_code
                    for client in (one, two, one, two, one, two)]
    assert statuses == [200] * 6


async def test_in_redis_processes_share_one_budget(db, redis_url: str) -> None:
    org = await create_organization(db)
    async with app_client(db, rate_limit="3/hour", redis_url=redis_url) as one, \
            app_client(db, rate_limit="3/hour", redis_url=redis_url) as two:
        statuses = [(await post(client, org.api_key)).status_code
                    for client in (one, two, one)]
        assert statuses == [200] * 3
        assert_rate_limited(await post(two, org.api_key), 3, 3600)
        assert_rate_limited(await post(one, org.api_key), 3, 3600)


async def test_redis_keeps_the_window_and_answers_retry_after(redis_url: str) -> None:
    async with AsyncExitStack() as stack:
        counters = RedisCounters(redis_url)
        stack.push_async_callback(counters.close)
        limiter = RateLimiter(counters)
        bucket = f"probe:{free_port()}"
        assert await limiter.hit(bucket, 1, 60) is None
        retry_after = await limiter.hit(bucket, 1, 60)
        assert retry_after is not None
        assert 1 <= retry_after <= 60


async def test_when_redis_fails_requests_are_served_and_limited_per_process(
        db, org: OrgFixture, caplog: pytest.LogCaptureFixture) -> None:
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING, logger="customerhub.rate_limit"):
        async with app_client(db, rate_limit="2/hour", redis_url=nothing_listens) as client:
            assert (await post(client, org.api_key)).status_code == 200
            assert (await post(client, org.api_key)).status_code == 200
            assert_rate_limited(await post(client, org.api_key), 2, 3600)
    warnings = [r for r in caplog.records if r.name == "customerhub.rate_limit"]
    # Logged once, not once per request: Redis is tried again only after a pause.
    assert len(warnings) == 1
    assert "Redis failed" in warnings[0].getMessage()
    assert "counting in this process" in warnings[0].getMessage()
