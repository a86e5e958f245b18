"""The `/graphql` endpoint: Strawberry's ASGI view with our context, JSON encoder and GraphiQL,
and its WebSocket for subscriptions.

A request without credentials runs as nobody: the public fields (sign-in) answer it, and any
other field turns the whole response into HTTP 401, as a bad credential does before execution.
A WebSocket brings its credential in `connection_init` (`connection_context`; the protocols'
handlers are server/subscriptions.py).
"""

from datetime import timedelta
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from models.access.permissions import subscription_denial
from models.core.actors import Actor
from models.core.enums import ActorKind
from resolvers import request_context
from resolvers.context import Context
from resolvers.engine.count_cache import CountCache
from resolvers.engine.limits.setup import Limits
from resolvers.schema import build_schema
from server.auth import ANONYMOUS, AuthenticationError, Authenticator, Identity
from server.code_senders import code_sender
from server.credential_watch import CredentialWatch
from server.db import Database
from server.exports import ExportRunner, RequestExports
from server.graphiql import graphiql_page
from server.rate_limit import RequestThrottle
from server.settings import Settings
from server.subscriptions import (
    FORBIDDEN,
    RATE_LIMITED,
    UNAUTHENTICATED,
    ConnectionRefused,
    LegacyWSHandler,
    TransportWSHandler,
)

WWW_AUTHENTICATE = 'Bearer realm="customerhub"'
SEND_IN_INIT = ('Send {"Authorization": "Bearer <access token or API key>"} in '
                "connection_init's payload.")
CONNECTION_INIT_SECONDS = 10


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

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
        kwargs.setdefault("keep_alive", True)
        kwargs.setdefault("keep_alive_interval", settings.keep_alive_seconds)
        kwargs.setdefault("max_subscriptions_per_connection",
                          settings.max_subscriptions_per_connection)
        kwargs.setdefault("connection_init_wait_timeout",
                          timedelta(seconds=CONNECTION_INIT_SECONDS))
        # Browsers may open the WebSocket from the admin app's origins, as they may POST.
        kwargs.setdefault("allowed_origins", settings.cors_origins)
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
        elif scope["type"] == "websocket":
            # Nobody, until `connection_init` brings a credential (`connection_context`).
            scope.setdefault("state", {})["identity"] = ANONYMOUS
        await super().__call__(scope, receive, send)

    async def connection_context(self, websocket: WebSocket, payload: dict[str, object]
                                 ) -> Context:
        """The context of a WebSocket whose `connection_init` carries this payload: its
        credential checked as HTTP's `Authorization` header is, and counted by the same rate
        limit as a request; `ConnectionRefused` with the close code otherwise."""
        authorization = payload.get("Authorization", payload.get("authorization"))
        if not isinstance(authorization, str) or not authorization.strip():
            await self._spend(websocket, None)
            raise ConnectionRefused(UNAUTHENTICATED, SEND_IN_INIT)
        try:
            identity = await self.authenticator.identify(authorization)
        except AuthenticationError as error:
            await self._spend(websocket, None)
            raise ConnectionRefused(UNAUTHENTICATED, str(error)) from None
        await self._spend(websocket, identity.actor)
        if reason := subscription_denial(identity.actor):
            raise ConnectionRefused(FORBIDDEN, reason)
        websocket.state.identity = identity
        websocket.state.authorization = authorization
        return await self.get_context(websocket, websocket)

    def credential_watch(self, websocket: WebSocket) -> CredentialWatch:
        """The watch that closes an accepted WebSocket when its credential ends (expires, or
        is revoked), checked again every `subscription_recheck_seconds`."""
        return CredentialWatch(self.authenticator, websocket.state.authorization,
                               websocket.state.identity,
                               self.settings.subscription_recheck_seconds)

    async def over_rate_limit(self, websocket: WebSocket, context: Context) -> str | None:
        """Count an operation sent over an accepted WebSocket as a request of its caller; the
        refusal's message when over budget."""
        return await self._over_budget(websocket, context.actor)

    async def _spend(self, websocket: WebSocket, actor: Actor | None) -> None:
        """Count the connection as a request of `actor` (None: of its client address)."""
        if (message := await self._over_budget(websocket, actor)) is not None:
            raise ConnectionRefused(RATE_LIMITED, message)

    async def _over_budget(self, websocket: WebSocket, actor: Actor | None) -> str | None:
        if self.throttle is None:
            return None
        client_ip = websocket.client.host if websocket.client else "unknown"
        over = await self.throttle.over_budget(actor, client_ip)
        return None if over is None else over[0]

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
            context.exports = RequestExports(self.exports, _http_url(str(request.base_url)))
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


def _http_url(base_url: str) -> str:
    """Download links of a WebSocket's context are HTTP(S) links, on the same host."""
    for socket_scheme, http_scheme in (("ws://", "http://"), ("wss://", "https://")):
        if base_url.startswith(socket_scheme):
            return http_scheme + base_url.removeprefix(socket_scheme)
    return base_url


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
