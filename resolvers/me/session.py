"""The signed-in customer's row, or the client error that tells them to sign in again."""

from collections.abc import Iterator
from contextlib import contextmanager

from models.customers.own_profile import SessionEnded
from resolvers.engine.errors import ClientError


@contextmanager
def signed_in() -> Iterator[None]:
    """Turn `SessionEnded` (an erased customer) into UNAUTHENTICATED for the client."""
    try:
        yield
    except SessionEnded:
        raise ClientError("Your account no longer exists; sign in again or sign up.",
                          code="UNAUTHENTICATED") from None
