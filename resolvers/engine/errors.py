"""Errors a client can act on, and the masking of everything else.

A `ClientError` says what to fix and reaches the client as it is. Any other exception is a bug:
the client gets `INTERNAL_SERVER_ERROR` with the request ID, and the log gets the traceback
with the same ID, so that a report from a client leads to its log line.
"""

import logging
import uuid
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import StrawberryInputCoercionError

from models.core.events import current_request_id
from resolvers.engine.internals import MaskErrors

log = logging.getLogger("customerhub.errors")

INTERNAL_ERROR_MESSAGE = "Internal error; it has been logged with this request's ID."


class ClientError(GraphQLError):
    """An error whose message tells the client what to fix; `code` is machine-readable."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT", **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


# What graphql-core and Strawberry raise for a variable that does not fit its type (`null` for
# `ID!`, `"x"` for `Int`, `"abc"` for `Decimal`): the caller's mistake, said in their terms.
INPUT_ERRORS = (GraphQLError, StrawberryInputCoercionError)


def is_internal(error: GraphQLError) -> bool:
    """Bugs are masked; syntax, validation, variable and client errors are not."""
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    return not (error.path is None and isinstance(original, INPUT_ERRORS))


class MaskInternalErrors(MaskErrors):
    """Masks internal errors, logs each once with its traceback and the request ID."""

    def __init__(self) -> None:
        # A plain function, not a bound method of this extension: a method stored on the
        # extension would make it a reference cycle with the execution context it holds, and
        # keep every response's data alive until a full garbage collection (bench/README.md).
        super().__init__(should_mask_error=is_internal, error_message=INTERNAL_ERROR_MESSAGE)
        self.request_id = ""

    def on_operation(self) -> Iterator[None]:
        # Outside an HTTP request (in-process tests) one ID still ties response and log.
        self.request_id = current_request_id.get() or uuid.uuid4().hex
        yield from super().on_operation()

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        """Called for each internal error: log it, then mask it."""
        log.error("internal error at %s (request %s)", error.path, self.request_id,
                  exc_info=error.original_error, extra={"request_id": self.request_id})
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": self.request_id}
        return masked
