"""The ASGI application: GraphQL (HTTP + graphql-transport-ws), health, webhooks, the sandbox."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from trunkline import metrics
from trunkline.bodies import bounded_messages
from trunkline.gateway import Gateway
from trunkline.graphql.ide import ASSETS_DIR, ASSETS_PATH
from trunkline.graphql.requests import GraphQLBodyLimit
from trunkline.graphql.router import GatewayGraphQLRouter
from trunkline.health import health_router
from trunkline.logs import known_secrets
from trunkline.logs.redaction import redact_access_log
from trunkline.logs.requests import with_request_id
from trunkline.media import media_router
from trunkline.models.database import apply_migrations, close_database, open_database
from trunkline.resolvers.root import build_schema
from trunkline.scrape import metrics_router
from trunkline.settings import Settings
from trunkline.webhooks import twilio_webhook_router
from trunkline.webhooks.asgi import WebhookEndpoint

# Python's defaults (700, 10, 10) consider a full collection every ~70,000 net allocations, and
# a full collection walks every live subscription's objects: with 5,000 subscriptions delivery
# stalled for over a second (fan-out p99 1.37 s). These consider one every ~5e8 allocations,
# minutes on a busy gateway, so closed subscriptions' garbage is still reclaimed: p99 0.25 s.
GC_THRESHOLDS = (100_000, 50, 100)
GRAPHQL_PATH = "/graphql"


class GatewayApp(FastAPI):
    """FastAPI, except that the two hot paths skip its routing and middleware.

    - A GraphQL WebSocket lives for hours, and every layer it passes through stays suspended on
      its stack for as long: FastAPI's routing, exit stacks and middleware (none of which does
      anything for a socket; CORS does not apply to WebSockets) held 12 KB per subscriber.
      bench/fanout.py: RSS per idle subscription 66 KB -> 48 KB. Its messages are bounded here
      (``max_message_bytes``): a larger one closes the socket (1009).
    - A webhook POST goes straight to its bare endpoint (trunkline.webhooks.asgi), which reads,
      bounds and answers the request itself: the middleware stack was about a tenth of the
      gateway's CPU at full ingestion load (bench/webhook_ingest.py).

    Everything else (queries, health checks, the sandbox) takes the whole stack.
    """

    def __init__(
        self, *, graphql: GatewayGraphQLRouter, max_message_bytes: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.graphql = graphql
        self.max_message_bytes = max_message_bytes
        self.include_router(graphql, prefix=GRAPHQL_PATH)
        self.webhook_endpoints: dict[str, ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Outside everything else: every line logged for a request carries its id.
        await with_request_id(self._route, scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket" and scope["path"] == GRAPHQL_PATH:
            scope["app"] = self
            receive = bounded_messages(receive, send, self.max_message_bytes)
            await self.graphql.serve_websocket(WebSocket(scope, receive, send))
            return
        if kind == "http" and scope["method"] == "POST":
            endpoint = self.webhook_endpoints.get(scope["path"])
            if endpoint is not None:
                scope["app"] = self
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def include_webhooks(self, router: APIRouter) -> None:
        """Include ``router``; its bare POST endpoints are also served directly."""
        self.include_router(router)
        for route in router.routes:
            if isinstance(route, Route) and isinstance(route.app, WebhookEndpoint):
                self.webhook_endpoints[route.path] = route.app


def create_app(settings: Settings | None = None) -> GatewayApp:
    """Build the gateway for ``settings`` (the embedded default when None)."""
    settings = settings or Settings()
    # Whatever their shape, these never reach a log line (trunkline.logs.redaction).
    known_secrets.add([settings.dev_secret, *settings.fernet_keys])
    redact_access_log()  # media links' signatures, whatever configured logging
    gateway = Gateway.from_settings(settings)
    sandbox_app = _sandbox_app(settings) if settings.sandbox else None
    ingestion = gateway.ingestion

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            # Under several workers, a worker's live gauges leave the sum once it has ended
            # (registered first: runs last, after anything that may still set them).
            stack.callback(metrics.mark_process_dead, os.getpid())
            database_url = settings.effective_database_url
            if settings.migrate_on_start:
                await apply_migrations(database_url)
            await open_database(database_url)
            stack.push_async_callback(close_database)
            await ingestion.start()
            stack.push_async_callback(ingestion.stop)  # writes what waits, before the close
            await gateway.start()
            stack.push_async_callback(gateway.aclose)
            if sandbox_app is not None:
                # Starlette does not run a mounted app's lifespan: the gateway runs the sandbox.
                await stack.enter_async_context(sandbox_app.state.sandbox)
            # What start-up built (modules, the schema, settings) lives as long as the process:
            # freeze it out of the collector, and collect less often, because every collection
            # pauses every socket (bench/fanout.py measures the pauses).
            gc.collect()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLDS)
            yield

    app = GatewayApp(
        graphql=GatewayGraphQLRouter(gateway, schema=build_schema(settings)),
        max_message_bytes=settings.max_body_bytes,
        title="Trunkline",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.is_development else None,
    )
    app.state.gateway = gateway
    app.state.ingestion = ingestion
    # Added first, so it runs inside CORS: a browser can read its 413.
    app.add_middleware(GraphQLBodyLimit, path=GRAPHQL_PATH, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=settings.cors_header_list,
        # Lets a browser read the id to quote when reporting a failed request.
        expose_headers=["X-Request-ID"],
    )
    app.include_router(health_router(gateway))
    app.include_router(metrics_router(settings))
    app.include_router(media_router(gateway))
    app.include_webhooks(twilio_webhook_router(gateway.accounts, ingestion, gateway.health))
    if settings.is_development:
        # GraphiQL's scripts and styles: the page works without internet.
        app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="graphiql")
    if sandbox_app is not None:
        app.mount("/sandbox", sandbox_app)
    return app


def _sandbox_app(settings: Settings) -> FastAPI:
    from trunkline.sandbox import create_sandbox_app  # only a sandboxed gateway needs it

    return create_sandbox_app(
        step_seconds=settings.sandbox_step_seconds,
        state_path=settings.data_dir / "sandbox.json",
        public_url=f"{settings.public_url}/sandbox",
    )
