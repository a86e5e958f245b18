"""Fixtures of the server's tests: a real Redis server on 127.0.0.1."""

from collections.abc import Iterator

import pytest

from services import ServiceUnavailable, redis_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on 127.0.0.1 for the session (skipped when not installed)."""
    try:
        with redis_server() as server:
            yield server.url
    except ServiceUnavailable as missing:
        pytest.skip(str(missing))
