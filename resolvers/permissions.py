"""`requires(permission)`: the one declaration each root field makes about who may call it.

The check runs once per root field call (for a subscription, once, when it starts), never per
item (docs/ARCHITECTURE.md, 5). What each permission means for each kind of caller lives in
`models/access/permissions.py`.
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension

from models.access.permissions import Permission, denial
from models.core.enums import ActorKind
from resolvers.context import Info
from resolvers.engine.errors import ClientError


class Requires(FieldExtension):
    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def check(self, info: Info) -> None:
        actor = info.context.actor
        reason = denial(actor, self.permission)
        if reason is None:
            return
        if actor.kind is ActorKind.ANONYMOUS:
            raise ClientError(reason, code="UNAUTHENTICATED")
        extensions: dict[str, Any] = {"permission": self.permission.value}
        if actor.kind is ActorKind.API_KEY and self.permission.scope:
            extensions["requiredScope"] = self.permission.scope
        raise ClientError(reason, code="FORBIDDEN", **extensions)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        self.check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any,
                            info: Info, **kwargs: Any) -> Any:
        self.check(info)
        result = next_(source, info, **kwargs)
        # A subscription's resolver is an async generator: the stream is returned, unawaited.
        return await result if inspect.isawaitable(result) else result


def requires(permission: Permission) -> list[FieldExtension]:
    """`extensions=requires(Permission.X)` on a root field."""
    return [Requires(permission)]
