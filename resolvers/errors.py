"""Errors a client can act on. Everything else is masked (see `should_mask_error`)."""

import logging
from typing import Any

from graphql import GraphQLError

log = logging.getLogger("customerhub.errors")


class ClientError(GraphQLError):
    """An error whose message tells the client what to fix; `code` is machine-readable."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT", **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def should_mask_error(error: GraphQLError) -> bool:
    """Hide bugs from clients (and log them); keep syntax, validation and client errors."""
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    log.error("internal error at %s", error.path, exc_info=original)
    return True
