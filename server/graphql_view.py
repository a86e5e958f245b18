"""The `/graphql` endpoint: Strawberry's ASGI view with our context, JSON encoder and GraphiQL.

A request without credentials runs as nobody: the public fields (sign-in) answer it, and any
other field turns the whole response into HTTP 401, as a bad credential does before execution.
"""

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from models.core.actors import Actor
from models.core.enums import ActorKind
from resolvers import request_context
from resolvers.context import Context
from resolvers.engine.count_cache import CountCache
from resolvers.engine.limits.setup import Limits
from resolvers.schema import build_schema
from server.auth import AuthenticationError, Authenticator, Identity
from server.code_senders import code_sender
from server.db import Database
from server.exports import ExportRunner, RequestExports
from server.graphiql import graphiql_page
from server.rate_limit import RequestThrottle
from server.settings import Settings

WWW_AUTHENTICATE = 'Bearer realm="customerhub"'


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, settings: Settings, db: Database, authenticator: Authenticator,
                 throttle: RequestThrottle | None = None, exports: ExportRunner | None = None,
                 **kwargs: Any) -> None:
        schema = build_schema(Limits(
            max_depth=settings.max_query_depth, max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens, max_cost=settings.max_query_cost,
            max_page_size=settings.max_page_size))
        # Multipart requests (`importCustomers`' upload) are what a cross-site HTML form can
        # send, which is why Strawberry leaves them off by default. Every caller here is known
        # by its `Authorization` header, which such a form cannot set, and never by a cookie:
        # a forged form arrives anonymous and reaches only the public sign-in fields.
        kwargs.setdefault("multipart_uploads_enabled", True)
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None, **kwargs)
        self.settings = settings
        self.db = db
        self.authenticator = authenticator
        self.counts = CountCache(settings.count_cache_seconds)
        self.throttle = throttle
        self.code_sender = code_sender(settings.code_sender)
        self.exports = exports

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.graphql_ide and _is_ide_page(scope):
            # The page itself is public; every query it then sends carries a key.
            await (await self.render_graphql_ide(Request(scope)))(scope, receive, send)
            return
        if scope["type"] == "http":
            request = Request(scope)
            try:
                identity = await self.authenticator.identify(request.headers.get("authorization"))
            except AuthenticationError as error:
                # Failed credentials spend the client address's budget, as anonymous callers do.
                refusal = await self._over_rate_limit(None, request)
                await (refusal or _unauthorized(str(error)))(scope, receive, send)
                return
            if refusal := await self._over_rate_limit(identity.actor, request):
                await refusal(scope, receive, send)
                return
            scope.setdefault("state", {})["identity"] = identity
        await super().__call__(scope, receive, send)

    async def execute_operation(self, request: Request, request_adapter: Any, request_data: Any,
                                context: Context, root_value: None, sub_response: Response
                                ) -> Any:
        result = await super().execute_operation(request, request_adapter, request_data,
                                                 context, root_value, sub_response)
        if isinstance(result, ExecutionResult | list):
            # The response is complete and nothing will load again: drop what the request
            # loaded now, by reference counting (`DataLoaders.clear`, resolvers/dataloaders.py).
            context.loaders.clear()
        return result

    async def _over_rate_limit(self, actor: Actor | None, request: Request) -> Response | None:
        return await self.throttle.refusal(actor, request) if self.throttle else None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket
                          ) -> Context:
        identity: Identity = request.state.identity
        request.state.response = response
        context = request_context.build_context(
                       actor=identity.actor, organization=identity.organization,
                       read_sessions=self.db.read_sessions,
                       write_sessions=self.db.sessions,
                       max_page_size=self.settings.max_page_size,
                       on_organization_changed=self.authenticator.forget_organization,
                       counts=self.counts,
                       credentials=self.authenticator,
                       auth_session_id=identity.auth_session_id,
                       token_lifetimes=self.settings.token_lifetimes,
                       code_sender=self.code_sender)
        if self.throttle is not None:
            context.throttle = self.throttle.limiter.hit
        if self.exports is not None:
            context.exports = RequestExports(self.exports, str(request.base_url))
        return context

    async def process_result(self, request: Request, result: ExecutionResult
                             ) -> GraphQLHTTPResponse:
        identity: Identity = request.state.identity
        if identity.actor.kind is ActorKind.ANONYMOUS and any(
                (error.extensions or {}).get("code") == "UNAUTHENTICATED"
                for error in result.errors or ()):
            response: Response = request.state.response
            response.status_code = 401
            response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page(request.scope.get("root_path", ""),
                                          self.settings.graphiql_api_key))


def _is_ide_page(scope: Scope) -> bool:
    if scope["method"] != "GET":
        return False
    headers = dict(scope["headers"])
    accept = headers.get(b"accept", b"").decode("latin-1")
    return "text/html" in accept and b"query=" not in scope.get("query_string", b"")


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401, headers={"WWW-Authenticate": WWW_AUTHENTICATE},
    )
