"""User errors: bad input that a rule refuses, with the field, a code and a message.

A rule raises `Rejected` before it writes anything it cannot complete; the caller's transaction
is rolled back, so a rejected request changes nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class ErrorCode(Enum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    GUEST_CHECKOUT_DISABLED = "GUEST_CHECKOUT_DISABLED"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    CONFLICT = "CONFLICT"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    DISABLED = "DISABLED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    OUT_OF_SCOPE = "OUT_OF_SCOPE"  # a store outside a manager's stores
    # Customer sign-in: a method the organization's registration strategy does not use, a phone
    # that is no customer's account yet, and the one-time code's refusals.
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_REGISTERED = "NOT_REGISTERED"
    INVALID_CODE = "INVALID_CODE"
    CODE_EXPIRED = "CODE_EXPIRED"
    RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True, slots=True)
class UserError:
    field: tuple[str, ...]  # path to the input field, e.g. ("input", "address", "city")
    code: ErrorCode
    message: str
    customer_id: int | None = None  # the customer a DUPLICATE clashes with


class Rejected(Exception):
    """The input breaks a rule; nothing was changed."""

    def __init__(self, errors: Sequence[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def error(path: str, code: ErrorCode, message: str) -> UserError:
    """A user error on the input field at `path`, dotted: `"address.city"`."""
    return UserError(field=("input", *path.split(".")) if path else ("input",), code=code,
                     message=message)
