"""The one shape of every limit error: a message naming the limit, its value and what the
request had, and `extensions` with `code`, `limit` and `actual`."""

from resolvers.engine.errors import ClientError


def limit_exceeded(message: str, code: str, limit: int, actual: int) -> ClientError:
    return ClientError(message, code=code, limit=limit, actual=actual)
