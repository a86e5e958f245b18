"""`UserError`, the payload entry for bad input; running a write rule in a transaction; and
`respond`, which turns a rule's result into its mutation's payload or its user errors."""

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models.access.codes import CodeRefused
from models.core import errors
from models.core.errors import ErrorCode, Rejected, error
from resolvers.context import Info
from resolvers.engine.errors import ClientError
from resolvers.node import pk_of, to_global_id

T = TypeVar("T")
P = TypeVar("P")


@strawberry.type(description="Input that a mutation refused; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field, e.g. `[\"input\", \"email\"]`.")
    code: ErrorCode
    message: str
    existing_customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="For DUPLICATE: the customer that already holds the value.")

    @classmethod
    def of(cls, problem: errors.UserError) -> "UserError":
        return cls(field=list(problem.field), code=problem.code, message=problem.message,
                   existing_customer_id=to_global_id("Customer", problem.customer_id)
                   if problem.customer_id is not None else None)


def input_pk(global_id: str, type_name: str, path: str) -> int:
    """The primary key behind an ID in an input; a malformed or foreign ID is a user error."""
    try:
        return pk_of(global_id, type_name)
    except ClientError as bad:
        raise Rejected([error(path, ErrorCode.INVALID, bad.message)]) from None


async def committed(session: AsyncSession, rule: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`rule`'s result, committed; when it raises, nothing is, but the try of a wrong code
    (`CodeRefused`: models/access/codes.py), which must count."""
    try:
        result = await rule(session)
    except CodeRefused:
        await session.commit()
        raise
    await session.commit()
    return result


async def run_rule(info: Info, rule: Callable[[AsyncSession], Awaitable[T]],
                   in_session: AbstractAsyncContextManager[AsyncSession] | None = None,
                   ) -> tuple[T | None, list[UserError]]:
    """Run `rule` in one transaction: committed when it succeeds, rolled back when it rejects
    the input (or fails), so that a request never half-writes. The session is the caller's
    organization's unless another is given (sign-in names its organization)."""
    try:
        async with in_session or info.context.write_session() as session:
            result = await committed(session, rule)
    except Rejected as rejected:
        return None, [UserError.of(p) for p in rejected.errors]
    return result, []


async def respond(info: Info, payload: Callable[..., P],
                  rule: Callable[[AsyncSession], Awaitable[T]],
                  answer: Callable[[T], Mapping[str, Any]],
                  in_session: AbstractAsyncContextManager[AsyncSession] | None = None) -> P:
    """A mutation's payload: `rule` runs in one transaction (`run_rule`); once it is committed,
    `answer` makes the payload's fields of its result (and may tell the process's caches what
    changed); when the rule refuses the input, the payload holds the user errors and every
    other field its default (null)."""
    result, problems = await run_rule(info, rule, in_session)
    if problems:
        return refused(payload, problems)
    return payload(**answer(result), user_errors=[])  # type: ignore[arg-type]


def refused(payload: Callable[..., P], problems: list[UserError]) -> P:
    """The payload of a refusal: the user errors, and every other field at its default (null,
    or the default its declaration gives, such as `changed: false`)."""
    empty: dict[str, Any] = {}
    for item in dataclasses.fields(payload):  # type: ignore[arg-type]
        if item.name == "user_errors" or not item.init:
            continue
        if item.default is not dataclasses.MISSING:
            empty[item.name] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            empty[item.name] = item.default_factory()
        else:
            empty[item.name] = None
    return payload(**empty, user_errors=problems)
