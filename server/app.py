"""The ASGI application: `/graphql` (HTTP, and a WebSocket for subscriptions),
`/exports/{token}`, `/healthz` and `/readyz`, behind request IDs and CORS."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from server import request_id
from server.auth import Authenticator
from server.db import Database
from server.downloads import download_endpoint
from server.exports import ExportRunner
from server.graphiql import ASSETS, ASSETS_PATH
from server.graphql_view import GraphQLView
from server.housekeeping import Housekeeping
from server.rate_limit import Rate, RateLimiter, RequestThrottle
from server.settings import Settings, secret_key
from server.storage import storage_for_url

GC_YOUNG_THRESHOLD = 20_000


def create_app(settings: Settings | None = None, db: Database | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    database = db or Database.connect(settings.database_url, settings.read_database_url)
    owns_database = db is None
    authenticator = Authenticator(database)
    rate_limiter = RateLimiter.for_url(settings.redis_url)
    throttle = RequestThrottle(rate_limiter, Rate.parse(settings.rate_limit),
                               Rate.parse(settings.anonymous_rate_limit))
    exports = ExportRunner(database, storage_for_url(settings.export_storage,
                                                     settings.s3_endpoint_url),
                           lambda: secret_key(settings), concurrency=settings.export_concurrency,
                           ttl_hours=settings.export_ttl_hours)
    graphql = GraphQLView(settings, database, authenticator, throttle=throttle, exports=exports)
    housekeeping = Housekeeping(database)

    async def healthz(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def readyz(_: Request) -> JSONResponse:
        try:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:  # any failure to reach the database means not ready
            return JSONResponse({"ready": False, "database": str(error)}, status_code=503)
        return JSONResponse({"ready": True})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Everything made at start-up (schema, ORM mappers) lives for the whole process: moved
        # out of the collector's reach, full collections stop re-walking it (bench/README.md:
        # p90 of the list page 165 -> 75 ms). Here rather than in `serve`, so that it holds
        # however the app is started (uvicorn --factory, gunicorn workers).
        gc.collect()
        gc.freeze()
        # A request allocates a few thousand objects that live until its response is sent, and
        # leaves some reference cycles behind (SQLAlchemy's statement objects, graphql-core's
        # executor). With the default threshold (700) the young generation was collected ~9
        # times a request, walking the request's live objects each time: 4.8 ms a request of
        # the list page. At 20,000 it is collected about once in ten requests, when the
        # leftover cycles add up: 1.2 ms (bench/README.md).
        gc.set_threshold(GC_YOUNG_THRESHOLD)
        await exports.start()
        housekeeping.start()
        yield
        await housekeeping.stop()
        await exports.stop()
        await rate_limiter.close()
        if owns_database:
            await database.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/exports/{token}", download_endpoint(database, exports)),
            # GraphiQL's scripts and styles (server/graphiql.py), only where the page is served.
            *([Mount(ASSETS_PATH, StaticFiles(directory=ASSETS))] if settings.graphiql else []),
        ],
        middleware=middleware(settings),
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.rate_limiter = rate_limiter  # also for throttles of its own, e.g. at sign-in
    app.state.settings = settings
    app.state.authenticator = authenticator
    app.state.exports = exports
    app.state.housekeeping = housekeeping
    return app


def middleware(settings: Settings) -> list[Middleware]:
    # The request ID is outermost, so that every response carries it, CORS refusals too.
    stack = [Middleware(request_id.RequestIdMiddleware)]
    if settings.cors_origins:
        stack.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", request_id.HEADER],
            expose_headers=[request_id.HEADER, "Retry-After"], max_age=600))
    return stack
